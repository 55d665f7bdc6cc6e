/// How far a running audit has got: its runner's latest `audit.progress` event, as the writer
/// applied it. A client that starts following an audit (`veritas watch`, the console) shows this
/// first instead of starting from 0%.
public struct AuditProgress: Sendable, Equatable, Hashable {
    /// The phase the runner named, `[a-z0-9_]` (e.g. `rendering`).
    public var phase: String
    /// 0–100.
    public var percent: Double
    /// The progress event's `timestamp`.
    public var at: Timestamp

    public init(phase: String, percent: Double, at: Timestamp) {
        self.phase = phase
        self.percent = percent
        self.at = at
    }

    /// The wire object: `phase`, `percent`, `at`.
    public var jsonValue: JSONValue {
        .object(["phase": .string(phase), "percent": .number(percent), "at": .string(at.description)])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        phase = try reader.identifier("phase", maxLength: ProtocolLimits.maxPhaseLength)
        percent = try reader.double("percent", in: 0...100)
        at = try reader.timestamp("at")
    }
}
