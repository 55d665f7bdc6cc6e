import Foundation
import VeritasProtocol

/// Finds dark patterns by phrases in the page text, in the taxonomy of Mathur et al., "Dark
/// Patterns at Scale" (2019). Case-insensitive; each match becomes a ``Finding`` with the text
/// around it as evidence. Simple by design: phrases give false positives a real classifier would
/// avoid, so confidences stay moderate.
enum DarkPatternScanner {
    struct Rule {
        let type: DarkPatternType
        let severity: Severity
        let confidence: Double
        let phrases: [String]
    }

    static let rules: [Rule] = [
        Rule(type: .countdownTimer, severity: .medium, confidence: 0.6, phrases: [
            "offer ends in", "sale ends in", "deal ends in", "ends in 0", "time left:", "countdown", "expires in",
        ]),
        Rule(type: .limitedTimeMessage, severity: .medium, confidence: 0.6, phrases: [
            "limited time", "limited-time", "today only", "last chance", "hurry", "while it lasts", "act now",
        ]),
        Rule(type: .lowStock, severity: .medium, confidence: 0.7, phrases: [
            "left in stock", "low stock", "almost gone", "only a few left", "few items left", "selling out",
        ]),
        Rule(type: .highDemand, severity: .low, confidence: 0.6, phrases: [
            "in high demand", "selling fast", "high demand",
        ]),
        Rule(type: .activityNotification, severity: .low, confidence: 0.6, phrases: [
            "people are viewing", "people are looking at", "are viewing this", "just bought", "just purchased",
            "recently purchased", "in their cart", "in their basket",
        ]),
        Rule(type: .confirmshaming, severity: .medium, confidence: 0.75, phrases: [
            "no thanks, i don't", "no thanks, i do not", "no thanks, i'd rather", "no, i don't want", "no, i do not want",
            "i don't want to save", "i prefer to pay full price", "i don't like saving", "i'd rather not save",
        ]),
        Rule(type: .hiddenSubscription, severity: .high, confidence: 0.5, phrases: [
            "automatically renews", "auto-renews", "will be charged monthly after",
        ]),
        Rule(type: .forcedEnrollment, severity: .medium, confidence: 0.5, phrases: [
            "you must create an account to", "registration required to continue",
        ]),
    ]

    /// At most this many findings per pattern type, so one repeated banner does not dominate.
    static let maxPerType = 3

    static func scan(_ page: PageText) -> [Finding] {
        var findings: [Finding] = []
        for rule in rules {
            var seen = Set<String>()
            var count = 0
            for phrase in rule.phrases where count < maxPerType {
                var searchRange = page.lowercased.startIndex..<page.lowercased.endIndex
                while count < maxPerType, let range = page.lowercased.range(of: phrase, range: searchRange) {
                    searchRange = range.upperBound..<page.lowercased.endIndex
                    let evidence = String(page.excerpt(around: range).prefix(ProtocolLimits.maxEvidenceLength))
                    guard !evidence.isEmpty, seen.insert(evidence).inserted else { continue }
                    findings.append(Finding(
                        patternType: rule.type, severity: rule.severity, confidence: rule.confidence,
                        evidence: evidence, location: "text: \"\(phrase)\""))
                    count += 1
                }
            }
        }
        return findings
    }
}
