/// The machine-readable class of a ``ProtocolError``, as it appears in `"error": {"code": ...}`.
///
/// Clients branch on the code (retry on `unavailable`, fix the request on `bad_request`), so the
/// set is small and stable. A decoder meeting a code it does not know maps it to ``internal``
/// rather than rejecting the whole reply: a newer writer must not make an older client lose the
/// human-readable message.
public enum ErrorCode: String, Sendable, Equatable, Hashable, CaseIterable {
    /// The request or message is malformed, has a wrong type, a missing field or a value out of range.
    case badRequest = "bad_request"
    /// The audit (or screenshot) asked for does not exist.
    case notFound = "not_found"
    /// The `op` is well-formed but not one this writer implements.
    case unsupportedOp = "unsupported_op"
    /// A frame exceeds its byte limit (see ``ProtocolLimits``); nothing of it was parsed.
    case tooLarge = "too_large"
    /// The writer cannot serve this right now (e.g. the database is down and memory has no copy); retry later.
    case unavailable = "unavailable"
    /// Runners endpoint: the writer holds no session for this runner on this connection (it said
    /// `bye`, or the connection belongs to another runner); the runner must send `hello` again.
    case notRegistered = "not_registered"
    /// A bug or an unexpected failure on the writer; the message says what happened.
    case `internal` = "internal"
}
