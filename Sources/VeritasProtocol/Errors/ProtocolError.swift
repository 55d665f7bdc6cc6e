/// The one error type of the wire contract: a stable ``code`` for programs and a clear ``message``
/// for people.
///
/// Every decoder in this module throws only this type (or a wrapper that carries one plus the
/// context needed to reply, see ``QueryRequestError`` and ``RunnerMessageError``), so a writer can
/// always turn a failure into an error reply without guessing. Messages name the offending field,
/// e.g. `field 'tier' must be one of quick, standard, deep; got 'fast'`.
public struct ProtocolError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable across versions.
    public var code: ErrorCode
    /// A human-readable explanation; never longer than ``ProtocolLimits/maxErrorMessageLength``.
    public var message: String

    /// Creates an error; an over-long message is cut so it always fits the wire limit.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = TextRules.truncated(message, toScalars: ProtocolLimits.maxErrorMessageLength)
    }

    /// Shorthand for the most common failure: the peer sent something invalid.
    public static func badRequest(_ message: String) -> ProtocolError {
        ProtocolError(.badRequest, message)
    }

    /// Shorthand for a frame that was refused on size alone, before parsing.
    public static func tooLarge(_ message: String) -> ProtocolError {
        ProtocolError(.tooLarge, message)
    }

    /// `code: message`, the form used in logs.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The `{"code": ..., "message": ...}` object used inside replies and writer messages.
    public var jsonValue: JSONValue {
        .object(["code": .string(code.rawValue), "message": .string(message)])
    }

    /// Reads an `error` object; unknown codes become ``ErrorCode/internal`` (see ``ErrorCode``).
    init(reading reader: FieldReader) throws(ProtocolError) {
        let rawCode = try reader.string("code", maxLength: 64)
        let message = try reader.string("message", maxLength: ProtocolLimits.maxErrorMessageLength, kind: .multiline)
        self.init(ErrorCode(rawValue: rawCode) ?? .internal, message)
    }
}
