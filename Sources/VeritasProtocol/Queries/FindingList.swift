/// The `findings` reply: every dark-pattern finding of one audit.
public struct FindingList: Sendable, Equatable, Hashable {
    public var auditID: AuditID
    public var findings: [Finding]
    public var source: DataSource

    /// The findings as the writer read them.
    public init(auditID: AuditID, findings: [Finding], source: DataSource) {
        self.auditID = auditID
        self.findings = findings
        self.source = source
    }

    var fields: [String: JSONValue] {
        [
            "audit_id": .string(auditID.rawValue),
            "findings": .array(findings.map(\.jsonValue)),
            "source": .string(source.rawValue),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        auditID = try reader.auditID("audit_id")
        var findings: [Finding] = []
        // An audit's findings come from one completed event; the bound protects the client.
        for element in try reader.objects("findings", maxCount: ProtocolLimits.maxFindingsPerEvent) {
            findings.append(try Finding(reading: element))
        }
        self.findings = findings
        source = try reader.enumeration("source", DataSource.self)
    }
}
