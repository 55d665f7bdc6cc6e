/// An audit as replies show it: the request, its lifecycle and, once completed, its verdict.
///
/// Every field is always written, `null` when unknown, so clients in any language can rely on the
/// keys being present. Field names follow the product's data model (see docs/PROTOCOL.md).
public struct Audit: Sendable, Equatable, Hashable {
    public var id: AuditID
    /// The URL as submitted. Decoding only bounds its length: an audit created by a stray
    /// `audit.error` may carry an empty URL.
    public var url: String
    public var tier: Tier
    public var verdictMode: VerdictMode
    public var status: AuditStatus
    /// 0...100 once completed.
    public var trustScore: Int?
    public var riskLevel: RiskLevel?
    public var narrative: String?
    /// Per-signal scores 0...100, keyed by signal name.
    public var signalScores: [String: Double]?
    public var siteType: SiteType?
    /// Opaque security signals (HTTP Observatory style), as the runner reported them.
    public var securityResults: JSONValue?
    public var errorMessage: String?
    /// The runner that last worked on it.
    public var runnerID: RunnerID?
    /// How many times it has been handed to a runner.
    public var attempts: Int
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    /// The runner's latest progress while it works (kept after the audit ends); `nil` before the
    /// first progress event.
    public var progress: AuditProgress?
    /// Which store answered the read.
    public var source: DataSource

    /// A queued audit by default; values are not re-validated here (they are checked on decode).
    public init(
        id: AuditID, url: String, tier: Tier = .standard, verdictMode: VerdictMode = .simple,
        status: AuditStatus = .queued, trustScore: Int? = nil, riskLevel: RiskLevel? = nil, narrative: String? = nil,
        signalScores: [String: Double]? = nil, siteType: SiteType? = nil, securityResults: JSONValue? = nil,
        errorMessage: String? = nil, runnerID: RunnerID? = nil, attempts: Int = 0, createdAt: Timestamp,
        startedAt: Timestamp? = nil, completedAt: Timestamp? = nil, progress: AuditProgress? = nil, source: DataSource = .memory
    ) {
        self.id = id
        self.url = url
        self.tier = tier
        self.verdictMode = verdictMode
        self.status = status
        self.trustScore = trustScore
        self.riskLevel = riskLevel
        self.narrative = narrative
        self.signalScores = signalScores
        self.siteType = siteType
        self.securityResults = securityResults
        self.errorMessage = errorMessage
        self.runnerID = runnerID
        self.attempts = attempts
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.progress = progress
        self.source = source
    }

    /// The wire object, with every field present.
    public var jsonValue: JSONValue {
        .object([
            "id": .string(id.rawValue),
            "url": .string(url),
            "tier": .string(tier.rawValue),
            "verdict_mode": .string(verdictMode.rawValue),
            "status": .string(status.rawValue),
            "trust_score": .optional(trustScore),
            "risk_level": .optional(riskLevel?.rawValue),
            "narrative": .optional(narrative),
            "signal_scores": signalScores.map(JSONValue.scores) ?? .null,
            "site_type": .optional(siteType?.rawValue),
            "security_results": securityResults ?? .null,
            "error_message": .optional(errorMessage),
            "runner_id": .optional(runnerID?.rawValue),
            "attempts": .int(attempts),
            "created_at": .string(createdAt.description),
            "started_at": .optional(startedAt?.description),
            "completed_at": .optional(completedAt?.description),
            "progress": progress?.jsonValue ?? .null,
            "source": .string(source.rawValue),
        ])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        id = try reader.auditID("id")
        url = try reader.string("url", minLength: 0, maxLength: ProtocolLimits.maxURLLength)
        tier = try reader.enumeration("tier", Tier.self)
        verdictMode = try reader.enumeration("verdict_mode", VerdictMode.self)
        status = try reader.enumeration("status", AuditStatus.self)
        trustScore = try reader.optionalInt("trust_score", in: 0...100)
        riskLevel = try reader.optionalEnumeration("risk_level", RiskLevel.self)
        narrative = try reader.optionalString(
            "narrative", maxLength: ProtocolLimits.maxNarrativeLength, kind: .multiline)
        signalScores = try reader.optionalSignalScores("signal_scores")
        siteType = try reader.optionalEnumeration("site_type", SiteType.self)
        securityResults = try reader.optionalOpaque("security_results")
        errorMessage = try reader.optionalString(
            "error_message", maxLength: ProtocolLimits.maxErrorMessageLength, kind: .multiline)
        runnerID = try reader.optionalRunnerID("runner_id")
        attempts = try reader.int("attempts", in: 0...ProtocolLimits.maxJobAttempt)
        createdAt = try reader.timestamp("created_at")
        startedAt = try reader.optionalTimestamp("started_at")
        completedAt = try reader.optionalTimestamp("completed_at")
        progress = try reader.optionalObject("progress").map { reader throws(ProtocolError) in try AuditProgress(reading: reader) }
        source = try reader.enumeration("source", DataSource.self)
    }
}
