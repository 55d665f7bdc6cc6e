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
        // One line, one claim, as the real-world data labels its texts: a line that counts stock,
        // other people's activity or a clock is that pattern even when it also says "selling
        // fast" or "hurry" ("Low Stock – Selling Fast" is low stock, "Selling fast! Add to bag 7
        // times in the last 48 hours." activity); a decline that shames is confirmshaming even
        // when it is also drawn faint beside a prominent button.
        let all = Array(byDetector.joined())
        let countedLines = Set(all.filter { [.lowStock, .activityNotification, .countdownTimer].contains($0.patternType) }.map(\.evidence))
        let shamingDeclines = Set(all.filter { $0.patternType == .confirmshaming }.map(\.evidence))
        // An upsell's pitch is pressured selling even when it also says "limited time" ("LIMITED
        // TIME OFFER : Grab a Matching Pair & save up 60%!", as dev.tsv labels it).
        // A pitch quoted with its group ("LIMITED TIME OFFER : … › The pair (2 ties)") is each part.
        let pitches = Set(all.filter { $0.patternType == .pressuredSelling }.flatMap {
            [$0.evidence] + $0.evidence.components(separatedBy: MisdirectionDetector.quotedPartSeparator)
        })
        func restates(_ finding: Finding) -> Bool {
            switch finding.patternType {
            case .highDemand: countedLines.contains(finding.evidence)
            case .limitedTimeMessage: countedLines.contains(finding.evidence) || pitches.contains(finding.evidence)
            case .visualInterference: shamingDeclines.contains(finding.evidence)
            default: false
            }
        }
        for found in byDetector {
            var perType: [DarkPatternType: Int] = [:]
            var kept: [DarkPatternType: [String]] = [:]
            for var finding in found where !restates(finding) {
                guard perType[finding.patternType, default: 0] < maxFindingsPerType,
                      !(kept[finding.patternType] ?? []).contains(where: { Self.sameLine($0, finding.evidence) }) else { continue }
                kept[finding.patternType, default: []].append(finding.evidence)
                perType[finding.patternType, default: 0] += 1
                finding.evidence = finding.evidence.clipped(to: ProtocolLimits.maxEvidenceLength)
                finding.location = finding.location.map { String($0.prefix(ProtocolLimits.maxLocationLength)) }
                result.append(finding)
            }
        }
        return result
    }

    /// Whether two evidence strings of one type are one line of the page read twice: equal, or
    /// one inside the other (a buyer toast read from its name element, "Jeremy in Stockton,
    /// United States purchased a", and as the whole toast with the product and the time).
    static func sameLine(_ kept: String, _ other: String) -> Bool {
        guard kept != other else { return true }
        let (shorter, longer) = kept.count <= other.count ? (kept, other) : (other, kept)
        return shorter.count >= minimumRestatedLength && longer.localizedCaseInsensitiveContains(shorter)
    }

    /// Evidence shorter than this ("Remove", "Only 2 left") may stand in two different lines.
    static let minimumRestatedLength = 24
}
