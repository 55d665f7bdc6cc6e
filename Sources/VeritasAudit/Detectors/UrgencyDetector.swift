import Foundation
import VeritasHTML
import VeritasProtocol

/// Urgency: countdown timers and limited-time messages.
enum UrgencyDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        countdownTimers(page) + limitedTimeMessages(page)
    }

    // MARK: Countdown timer

    /// Clocks that count down between the two renderings of the page. A clock that does not change
    /// is a static time (an article quoting a timer, an opening hour); one that changes counts.
    /// Without a second rendering nothing is reported: the detector will not guess from wording.
    static func countdownTimers(_ page: AuditedPage) -> [Finding] {
        guard let laterDocument = page.laterDocument else { return [] }
        let laterClocks = clocks(in: TextBlock.blocks(of: laterDocument))
        var findings: [Finding] = []
        for (key, earlier) in clocks(in: page.blocks).sorted(by: { $0.key < $1.key }) {
            guard let later = laterClocks[key] else { continue }
            for (index, clock) in earlier.enumerated() where index < later.count && later[index].seconds < clock.seconds {
                findings.append(Finding(
                    patternType: .countdownTimer, severity: .medium, confidence: 0.9, evidence: clock.evidence,
                    location: clock.block.location("clock went from \(clock.text) to \(later[index].text) between two renderings")))
            }
        }
        return findings
    }

    private struct Clock {
        var block: TextBlock
        var text: String
        var seconds: Int
        /// What the clock is counting to: its block, or when that is long, the text just before
        /// the clock and the clock.
        var evidence: String
    }

    /// Clock-like segments keyed by their element path and nearest id, in document order.
    private static func clocks(in blocks: [TextBlock]) -> [String: [Clock]] {
        var result: [String: [Clock]] = [:]
        for block in blocks where !block.isQuotation {
            for (position, segment) in block.segments.enumerated() {
                guard let text = CommonPatterns.clock.firstMatch(in: segment.text), let seconds = seconds(in: text) else { continue }
                var evidence = block.text
                if evidence.count > 200 {
                    evidence = (position > 0 ? block.segments[position - 1].text + " " : "") + segment.text
                }
                if letters(in: evidence) < 3, block.position > 0 {
                    // The clock stands alone; its label is the line before.
                    evidence = blocks[block.position - 1].text.clipped(to: 200) + " " + evidence
                }
                result["\(segment.path)#\(segment.nearestID ?? "")", default: []].append(
                    Clock(block: block, text: text, seconds: seconds, evidence: evidence))
            }
        }
        return result
    }

    /// `02:14:55` → 8095, `14:59` → 899 (minutes and seconds), `1h 05m` → 3900.
    private static func seconds(in clock: String) -> Int? {
        let numbers = clock.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard !numbers.isEmpty else { return nil }
        if clock.contains(":") {
            return numbers.reduce(0) { $0 * 60 + $1 }
        }
        let scale = [3600, 60, 1]
        return zip(numbers, scale).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private static func letters(in text: String) -> Int { text.filter(\.isLetter).count }

    // MARK: Limited-time message

    /// Wording that presses without a deadline.
    private static let limitedTime = TextPattern(
        #"\blimited[- ]time\b|\bfor a limited time\b|\b(ends|ending|closes|expires|over) soon\b|\bhurry\b|\btoday only\b|\blast chance\b|\bwhile (stocks?|supplies) lasts?\b|\bdon'?t miss out\b|\bact (now|fast)\b|\bwon'?t last\b|\bbefore it'?s (gone|too late)\b|\bonly for a short time\b|\bnow or never\b"#)

    /// Limited-time wording in the page's own text (not quoted), with no specific date or
    /// deadline in the same block: "Limited time only!", "Hurry, free access ends soon!".
    static func limitedTimeMessages(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .limitedTimeMessage, severity: .medium, confidence: 0.75, pattern: limitedTime, maxLength: 400,
                    unless: CommonPatterns.specificDate, describe: { "\"\($0)\" with no end date" }).findings(on: page)
    }
}
