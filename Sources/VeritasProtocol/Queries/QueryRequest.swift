/// One validated request to the queries endpoint.
///
/// Each case holds values that already passed every rule of the contract (URL scheme and host,
/// ranges, canonical ids), with defaults applied, so the writer never re-checks them.
public enum QueryRequest: Sendable, Equatable, Hashable {
    /// Queue a new audit. `tier` defaults to `standard`, `verdictMode` to `simple`.
    case submit(url: String, tier: Tier, verdictMode: VerdictMode)
    /// One audit.
    case status(auditID: AuditID)
    /// A page of audits, newest first, optionally only those in `status`.
    /// `limit` is 1...``ProtocolLimits/maxListLimit`` (default 50), `offset` 0...``ProtocolLimits/maxListOffset``.
    case list(status: AuditStatus?, limit: Int, offset: Int)
    /// The dark-pattern findings of one audit.
    case findings(auditID: AuditID)
    /// The screenshot metadata of one audit.
    case screenshots(auditID: AuditID)
    /// One screenshot's metadata and bytes (the reply has a second frame).
    case screenshot(auditID: AuditID, index: Int)
    /// The writer's health.
    case health

    /// The `op` of this request.
    public var operation: QueryOperation {
        switch self {
        case .submit: .submit
        case .status: .status
        case .list: .list
        case .findings: .findings
        case .screenshots: .screenshots
        case .screenshot: .screenshot
        case .health: .health
        }
    }

    /// The request's fields (without `op` and `request_id`).
    var fields: [String: JSONValue] {
        switch self {
        case .submit(let url, let tier, let verdictMode):
            ["url": .string(url), "tier": .string(tier.rawValue), "verdict_mode": .string(verdictMode.rawValue)]
        case .status(let auditID), .findings(let auditID), .screenshots(let auditID):
            ["audit_id": .string(auditID.rawValue)]
        case .list(let status, let limit, let offset):
            ["status": .optional(status?.rawValue), "limit": .int(limit), "offset": .int(offset)]
        case .screenshot(let auditID, let index):
            ["audit_id": .string(auditID.rawValue), "index": .int(index)]
        case .health:
            [:]
        }
    }

    init(operation: QueryOperation, reading reader: FieldReader) throws(ProtocolError) {
        switch operation {
        case .submit:
            self = .submit(
                url: try reader.url("url"),
                tier: try reader.optionalEnumeration("tier", Tier.self) ?? .standard,
                verdictMode: try reader.optionalEnumeration("verdict_mode", VerdictMode.self) ?? .simple)
        case .status:
            self = .status(auditID: try reader.auditID("audit_id"))
        case .list:
            self = .list(
                status: try reader.optionalEnumeration("status", AuditStatus.self),
                limit: try reader.optionalInt("limit", in: 1...ProtocolLimits.maxListLimit) ?? ProtocolLimits.defaultListLimit,
                offset: try reader.optionalInt("offset", in: 0...ProtocolLimits.maxListOffset) ?? 0)
        case .findings:
            self = .findings(auditID: try reader.auditID("audit_id"))
        case .screenshots:
            self = .screenshots(auditID: try reader.auditID("audit_id"))
        case .screenshot:
            self = .screenshot(
                auditID: try reader.auditID("audit_id"),
                index: try reader.int("index", in: 0...ProtocolLimits.maxScreenshotIndex))
        case .health:
            self = .health
        }
    }
}
