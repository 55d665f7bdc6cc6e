/// The name a runner (or writer) goes by: 1 to 64 characters from `[A-Za-z0-9._-]`, not starting
/// with `.`.
///
/// Runners set their ZeroMQ routing id to this value, and it appears in logs, metrics and the
/// `runner_id` column; the narrow alphabet keeps it printable, shell-safe and unable to form a
/// hidden file or `..` path component.
public struct RunnerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The validated text.
    public let rawValue: String

    /// Validates `text`; throws `bad_request` ("invalid runner_id ...") otherwise.
    public init(_ text: String) throws(ProtocolError) {
        try self.init(text, field: "runner_id")
    }

    init(_ text: String, field: String) throws(ProtocolError) {
        guard Self.isValid(text) else {
            throw .badRequest(
                "invalid \(field): expected 1 to \(ProtocolLimits.maxRunnerIDLength) characters from A-Z a-z 0-9 . _ - not starting with '.'; got \(TextRules.quote(text))")
        }
        rawValue = text
    }

    private static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, first != UInt8(ascii: "."), utf8.count <= ProtocolLimits.maxRunnerIDLength else {
            return false
        }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// The text itself.
    public var description: String { rawValue }

    /// Orders by text, for stable listings.
    public static func < (lhs: RunnerID, rhs: RunnerID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
