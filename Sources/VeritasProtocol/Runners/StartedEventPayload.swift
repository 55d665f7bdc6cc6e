/// `audit.started`: a runner took the job. Repeats the request so the writer can create the
/// audit row even if it never saw the submission (e.g. after a database rollback).
public struct StartedEventPayload: Sendable, Equatable, Hashable {
    public var url: String
    public var tier: Tier
    public var verdictMode: VerdictMode

    /// Values are not re-validated here; they are checked on decode.
    public init(url: String, tier: Tier, verdictMode: VerdictMode) {
        self.url = url
        self.tier = tier
        self.verdictMode = verdictMode
    }

    /// The wire payload object.
    public var jsonValue: JSONValue {
        .object(["url": .string(url), "tier": .string(tier.rawValue), "verdict_mode": .string(verdictMode.rawValue)])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        url = try reader.url("url")
        tier = try reader.enumeration("tier", Tier.self)
        verdictMode = try reader.enumeration("verdict_mode", VerdictMode.self)
    }
}
