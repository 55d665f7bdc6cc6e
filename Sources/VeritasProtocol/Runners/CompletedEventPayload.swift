/// `audit.completed`: the verdict. The writer stores it on the audit, writes one finding row per
/// finding, and sets `completed` (whatever the audit's status was, unless it is already terminal).
public struct CompletedEventPayload: Sendable, Equatable, Hashable {
    /// 0...100.
    public var trustScore: Int
    public var riskLevel: RiskLevel
    /// 1...``ProtocolLimits/maxNarrativeLength`` characters; newlines allowed.
    public var narrative: String
    /// At most ``ProtocolLimits/maxSignalScores`` names from `[a-z0-9_]`, each 0...100.
    public var signalScores: [String: Double]
    public var siteType: SiteType
    /// A JSON object, at most ``ProtocolLimits/maxOpaqueJSONDepth`` deep.
    public var securityResults: JSONValue
    public var darkPatternSummary: DarkPatternSummary

    /// Values are not re-validated here; they are checked on decode.
    public init(
        trustScore: Int, riskLevel: RiskLevel, narrative: String, signalScores: [String: Double], siteType: SiteType,
        securityResults: JSONValue, darkPatternSummary: DarkPatternSummary
    ) {
        self.trustScore = trustScore
        self.riskLevel = riskLevel
        self.narrative = narrative
        self.signalScores = signalScores
        self.siteType = siteType
        self.securityResults = securityResults
        self.darkPatternSummary = darkPatternSummary
    }

    /// The wire payload object.
    public var jsonValue: JSONValue {
        .object([
            "trust_score": .int(trustScore),
            "risk_level": .string(riskLevel.rawValue),
            "narrative": .string(narrative),
            "signal_scores": .scores(signalScores),
            "site_type": .string(siteType.rawValue),
            "security_results": securityResults,
            "dark_pattern_summary": darkPatternSummary.jsonValue,
        ])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        trustScore = try reader.int("trust_score", in: 0...100)
        riskLevel = try reader.enumeration("risk_level", RiskLevel.self)
        narrative = try reader.string("narrative", maxLength: ProtocolLimits.maxNarrativeLength, kind: .multiline)
        signalScores = try reader.signalScores("signal_scores")
        siteType = try reader.enumeration("site_type", SiteType.self)
        securityResults = try reader.opaqueObject("security_results")
        darkPatternSummary = try DarkPatternSummary(reading: try reader.object("dark_pattern_summary"))
    }
}
