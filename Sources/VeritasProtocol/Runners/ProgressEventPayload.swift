/// `audit.progress`: cheap, frequent, for the feed and for `status` only. Losing one is harmless,
/// but it is still acknowledged like every event so runners need no special case.
public struct ProgressEventPayload: Sendable, Equatable, Hashable {
    /// A machine name such as `fetch` or `screenshots`: 1...64 characters from `[a-z0-9_]`.
    public var phase: String
    /// Overall completion, 0...100 (fractions allowed).
    public var percent: Double
    /// Optional human text, ≤ ``ProtocolLimits/maxShortTextLength`` characters.
    public var message: String?

    /// Values are not re-validated here; they are checked on decode.
    public init(phase: String, percent: Double, message: String? = nil) {
        self.phase = phase
        self.percent = percent
        self.message = message
    }

    /// The wire payload object (`message` is omitted when `nil`).
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = ["phase": .string(phase), "percent": .number(percent)]
        if let message { fields["message"] = .string(message) }
        return .object(fields)
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        phase = try reader.identifier("phase", maxLength: ProtocolLimits.maxPhaseLength)
        percent = try reader.double("percent", in: 0...100)
        message = try reader.optionalString("message", maxLength: ProtocolLimits.maxShortTextLength)
    }
}
