/// The dark-pattern part of a verdict: the findings (stored one row each) and an optional free
/// summary object kept as opaque JSON for the runner's own aggregates.
public struct DarkPatternSummary: Sendable, Equatable, Hashable {
    /// At most ``ProtocolLimits/maxFindingsPerEvent``.
    public var findings: [Finding]
    /// Any JSON, at most ``ProtocolLimits/maxOpaqueJSONDepth`` deep.
    public var summary: JSONValue?

    /// Values are not re-validated here; they are checked on decode.
    public init(findings: [Finding], summary: JSONValue? = nil) {
        self.findings = findings
        self.summary = summary
    }

    /// The wire object (`summary` omitted when `nil`).
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = ["findings": .array(findings.map(\.jsonValue))]
        if let summary { fields["summary"] = summary }
        return .object(fields)
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        var findings: [Finding] = []
        for element in try reader.objects("findings", maxCount: ProtocolLimits.maxFindingsPerEvent) {
            findings.append(try Finding(reading: element))
        }
        self.findings = findings
        summary = try reader.optionalOpaque("summary")
    }
}
