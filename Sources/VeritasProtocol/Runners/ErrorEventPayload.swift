/// `audit.error`: the audit ended without a verdict. The writer sets `error`, creating the audit
/// row if it has none, so an audit can never stay stuck in `running`.
public struct ErrorEventPayload: Sendable, Equatable, Hashable {
    /// What went wrong, for people (DNS failure, timeout, TLS, not HTML, ...):
    /// 1...``ProtocolLimits/maxErrorMessageLength`` characters.
    public var errorMessage: String

    /// Values are not re-validated here; they are checked on decode.
    public init(errorMessage: String) {
        self.errorMessage = errorMessage
    }

    /// The wire payload object.
    public var jsonValue: JSONValue {
        .object(["error_message": .string(errorMessage)])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        errorMessage = try reader.string(
            "error_message", maxLength: ProtocolLimits.maxErrorMessageLength, kind: .multiline)
    }
}
