/// Why a query frame could not be decoded, plus what the writer still needs to answer it: the
/// `request_id` (echoed when it was readable) and the `op` (when it was known).
///
/// The writer replies with ``reply`` and carries on; nothing about a bad request is fatal.
public struct QueryRequestError: Error, Sendable, Equatable {
    /// The failure to report.
    public var error: ProtocolError
    /// The request's `request_id`, when it was present and valid.
    public var requestID: String?
    /// The request's `op`, when it was present and known.
    public var operation: QueryOperation?

    /// Wraps a failure with whatever context was recovered.
    public init(error: ProtocolError, requestID: String? = nil, operation: QueryOperation? = nil) {
        self.error = error
        self.requestID = requestID
        self.operation = operation
    }

    /// The error reply to send back: `{"ok": false, "error": {...}, "request_id": ...}`.
    public var reply: QueryReplyEnvelope {
        QueryReplyEnvelope(requestID: requestID, reply: .failure(error))
    }
}
