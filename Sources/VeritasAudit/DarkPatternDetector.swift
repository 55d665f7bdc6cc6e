import Foundation
import VeritasProtocol

/// Finds dark patterns on an ``AuditedPage``, in the taxonomy of Mathur et al., "Dark Patterns at
/// Scale" (CSCW 2019): 15 types in 7 categories, one detector per category.
///
/// Detectors reason about structure, not only words: a checkbox that is checked with a price in
/// its label, a decline link whose wording shames, a clock that changes between two renderings,
/// fine print that states a recurring charge, a consent label with two negations, a pre-selected
/// option that is the most expensive of its group. Text that the page quotes (`<blockquote>`,
/// `<code>`, ...) is not the page speaking, and is ignored by the wording rules. `docs/AUDIT.md`
/// describes every rule, its severity and its confidence.
public enum DarkPatternDetector {
    /// At most this many findings of one type per page, so one repeated banner does not dominate.
    public static let maxFindingsPerType = 3

    /// Every finding on the page, ordered by category then type, at most
    /// ``maxFindingsPerType`` per type, evidence and location within the protocol's limits.
    public static func findings(on page: AuditedPage) -> [Finding] {
        let detectors: [(AuditedPage) -> [Finding]] = [
            SneakingDetector.findings, UrgencyDetector.findings, MisdirectionDetector.findings,
            SocialProofDetector.findings, ScarcityDetector.findings, ObstructionDetector.findings,
            ForcedActionDetector.findings,
        ]
        var result: [Finding] = []
        let byDetector = detectors.map { $0(page) }
        // One line, one claim: a line that counts stock or other people's activity is that
        // pattern even when it also says "selling fast", as the real-world data labels "Low Stock
        // – Selling Fast" (low stock) and "Selling fast! Add to bag 7 times in the last 48 hours."
        // (activity notification).
        let countedLines = Set(byDetector.joined().filter { $0.patternType == .lowStock || $0.patternType == .activityNotification }.map(\.evidence))
        for found in byDetector {
            var perType: [DarkPatternType: Int] = [:]
            var seen: Set<String> = []
            for var finding in found where !(finding.patternType == .highDemand && countedLines.contains(finding.evidence)) {
                guard perType[finding.patternType, default: 0] < maxFindingsPerType,
                      seen.insert("\(finding.patternType.rawValue)|\(finding.evidence)").inserted else { continue }
                perType[finding.patternType, default: 0] += 1
                finding.evidence = finding.evidence.clipped(to: ProtocolLimits.maxEvidenceLength)
                finding.location = finding.location.map { String($0.prefix(ProtocolLimits.maxLocationLength)) }
                result.append(finding)
            }
        }
        return result
    }
}
