import Foundation
import VeritasProtocol
import VeritasSecurity

/// The verdict of an audit: four signal scores, a trust score, a risk level, a site type and a
/// narrative.
///
/// The formula (documented in `docs/AUDIT.md`):
/// - **security** = the HTTP Observatory score, clamped to 0...100;
/// - **dark patterns** = 100 − Σ weight(severity) × confidence over the findings, weights high 30,
///   medium 18, low 8, not below 0;
/// - **transparency** = 25 for each of privacy policy, terms, contact, company details;
/// - **hygiene** = ``HygieneSignals/score``;
/// - **trust** = round(0.40 × dark patterns + 0.30 × security + 0.20 × transparency + 0.10 × hygiene);
/// - **risk**: `critical` below 30; `high` below 50 or with any high-severity finding of
///   confidence ≥ 0.8 (something is added, hidden or obstructed); `medium` below 75 or with any
///   finding; else `low`.
public struct TrustVerdict: Sendable {
    /// The HTTP Observatory report of the page.
    public let security: ObservatoryReport
    /// Every dark pattern found.
    public let findings: [Finding]
    public let transparency: TransparencySignals
    public let hygiene: HygieneSignals
    public let siteType: SiteType

    /// Combines the signals; every score is computed on demand from them.
    public init(security: ObservatoryReport, findings: [Finding], transparency: TransparencySignals, hygiene: HygieneSignals, siteType: SiteType) {
        self.security = security
        self.findings = findings
        self.transparency = transparency
        self.hygiene = hygiene
        self.siteType = siteType
    }

    static let severityWeights: [Severity: Double] = [.high: 30, .medium: 18, .low: 8]
    static let weights = (darkPatterns: 0.40, security: 0.30, transparency: 0.20, hygiene: 0.10)

    /// The Observatory score clamped to 0...100 (A+ pages can score above 100).
    public var securityScore: Int { min(100, max(0, security.score)) }

    /// 100 − Σ weight(severity) × confidence, not below 0.
    public var darkPatternScore: Int {
        let penalty = findings.reduce(0.0) { $0 + (Self.severityWeights[$1.severity] ?? 0) * $1.confidence }
        return max(0, Int((100 - penalty).rounded()))
    }

    /// The weighted sum of the four signal scores, 0...100.
    public var trustScore: Int {
        let w = Self.weights
        let total = w.darkPatterns * Double(darkPatternScore) + w.security * Double(securityScore)
            + w.transparency * Double(transparency.score) + w.hygiene * Double(hygiene.score)
        return min(100, max(0, Int(total.rounded())))
    }

    /// High-severity findings the detectors are sure of: reason enough for `high` risk.
    var seriousFindings: [Finding] { findings.filter { $0.severity == .high && $0.confidence >= 0.8 } }

    /// From the trust score, raised to `high` by a sure high-severity finding (see the type's
    /// documentation).
    public var riskLevel: RiskLevel {
        switch trustScore {
        case ..<30: return .critical
        case ..<50: return .high
        default:
            if !seriousFindings.isEmpty { return .high }
            if trustScore < 75 || !findings.isEmpty { return .medium }
            return .low
        }
    }

    /// The signal scores as stored with the audit.
    public var signalScores: [String: Double] {
        ["security": Double(securityScore), "dark_patterns": Double(darkPatternScore),
         "transparency": Double(transparency.score), "hygiene": Double(hygiene.score)]
    }

    /// A few plain sentences (`simple`) or a reasoned breakdown citing every finding (`expert`).
    public func narrative(mode: VerdictMode, url: String) -> String {
        let text = mode == .expert ? expertNarrative(url: url) : simpleNarrative()
        return String(text.prefix(ProtocolLimits.maxNarrativeLength))
    }

    private static func name(_ type: DarkPatternType) -> String { type.rawValue.replacingOccurrences(of: "_", with: " ") }

    private func simpleNarrative() -> String {
        var sentences = ["Trust score \(trustScore)/100: \(riskLevel.rawValue) risk."]
        if findings.isEmpty {
            sentences.append("We found no manipulative design on this \(siteType.rawValue) page.")
        } else {
            var types: [String] = []
            for finding in findings.sorted(by: { Self.rank($0.severity) > Self.rank($1.severity) }) where !types.contains(Self.name(finding.patternType)) {
                types.append(Self.name(finding.patternType))
            }
            let listed = types.prefix(3).joined(separator: ", ")
            let more = types.count > 3 ? " and \(types.count - 3) more" : ""
            sentences.append("We found \(findings.count) dark pattern\(findings.count == 1 ? "" : "s") on this \(siteType.rawValue) page: \(listed)\(more).")
            if let worst = findings.max(by: { (Self.rank($0.severity), $0.confidence) < (Self.rank($1.severity), $1.confidence) }) {
                sentences.append("For example: \"\(worst.evidence.clipped(to: 120))\".")
            }
        }
        let failed = security.tests.filter { !$0.pass }.count
        sentences.append("Its security headers grade \(security.grade)" + (failed == 0 ? ", with every check passed." : " (\(failed) of \(security.tests.count) checks failed)."))
        if transparency.missing.isEmpty {
            sentences.append("It names its company and links a privacy policy, terms and contact details.")
        } else {
            sentences.append("It does not show \(transparency.missing.joined(separator: ", ")).")
        }
        return sentences.joined(separator: " ")
    }

    private func expertNarrative(url: String) -> String {
        let w = Self.weights
        var lines: [String] = []
        lines.append("Verdict for \(url): trust \(trustScore)/100, \(riskLevel.rawValue) risk, site type \(siteType.rawValue).")
        lines.append("")
        lines.append("Score: trust = \(w.darkPatterns) × dark patterns \(darkPatternScore) + \(w.security) × security \(securityScore) + \(w.transparency) × transparency \(transparency.score) + \(w.hygiene) × hygiene \(hygiene.score).")
        switch riskLevel {
        case .critical: lines.append("Risk is critical because the trust score is below 30.")
        case .high where trustScore >= 50: lines.append("Risk is high despite the score because of \(seriousFindings.count) high-severity finding(s) the detectors are sure of.")
        case .high: lines.append("Risk is high because the trust score is below 50.")
        case .medium: lines.append(findings.isEmpty ? "Risk is medium because the trust score is below 75." : "Risk is medium: the score is at least 50 and no finding is both severe and certain.")
        case .low: lines.append("Risk is low: no dark patterns and a trust score of at least 75.")
        }
        lines.append("")
        if findings.isEmpty {
            lines.append("Dark patterns: none found. Every detector ran on the page as rendered.")
        } else {
            lines.append("Dark patterns (\(findings.count)), each costing severity weight × confidence:")
            for finding in findings {
                let cost = (Self.severityWeights[finding.severity] ?? 0) * finding.confidence
                lines.append("- \(finding.category.rawValue) / \(Self.name(finding.patternType)), \(finding.severity.rawValue) severity, confidence \(String(format: "%.2f", finding.confidence)) (−\(String(format: "%.1f", cost))): \"\(finding.evidence.clipped(to: 200))\"" + (finding.location.map { " — \($0)" } ?? ""))
            }
        }
        lines.append("")
        lines.append("Security (HTTP Observatory rules): score \(security.score), grade \(security.grade).")
        for test in security.tests where !test.pass || test.modifier != 0 {
            lines.append("- \(test.name): \(test.result) (\(test.modifier >= 0 ? "+" : "")\(test.modifier)). \(test.reason)")
        }
        lines.append("")
        lines.append("Transparency \(transparency.score)/100: privacy policy \(Self.yesNo(transparency.privacyPolicy)), terms \(Self.yesNo(transparency.terms)), contact \(Self.yesNo(transparency.contact)), company details \(Self.yesNo(transparency.companyDetails)).")
        lines.append("Hygiene \(hygiene.score)/100" + (hygiene.problems.isEmpty ? ": no problems." : ": " + hygiene.problems.joined(separator: "; ") + "."))
        return lines.joined(separator: "\n")
    }

    private static func rank(_ severity: Severity) -> Int {
        switch severity {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    private static func yesNo(_ value: Bool) -> String { value ? "found" : "missing" }
}
