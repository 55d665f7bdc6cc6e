/// `job`: the writer hands an audit to a runner with free capacity. The runner answers with
/// events, the first being `audit.started`.
public struct AuditJob: Sendable, Equatable, Hashable {
    public var auditID: AuditID
    /// Validated like a submission (http/https, a host, no credentials).
    public var url: String
    public var tier: Tier
    public var verdictMode: VerdictMode
    /// 1 on first hand-out, then 2, 3 after requeues (≤ ``ProtocolLimits/maxJobAttempt``).
    public var attempt: Int
    /// When the audit was submitted.
    public var createdAt: Timestamp

    /// Values are not re-validated here; they are checked on decode.
    public init(auditID: AuditID, url: String, tier: Tier, verdictMode: VerdictMode, attempt: Int, createdAt: Timestamp) {
        self.auditID = auditID
        self.url = url
        self.tier = tier
        self.verdictMode = verdictMode
        self.attempt = attempt
        self.createdAt = createdAt
    }

    var fields: [String: JSONValue] {
        [
            "type": .string(WriterMessageType.job.rawValue),
            "audit_id": .string(auditID.rawValue),
            "url": .string(url),
            "tier": .string(tier.rawValue),
            "verdict_mode": .string(verdictMode.rawValue),
            "attempt": .int(attempt),
            "created_at": .string(createdAt.description),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        auditID = try reader.auditID("audit_id")
        url = try reader.url("url")
        tier = try reader.enumeration("tier", Tier.self)
        verdictMode = try reader.enumeration("verdict_mode", VerdictMode.self)
        attempt = try reader.int("attempt", in: 1...ProtocolLimits.maxJobAttempt)
        createdAt = try reader.timestamp("created_at")
    }
}
