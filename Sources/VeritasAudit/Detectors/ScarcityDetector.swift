import Foundation
import VeritasProtocol

/// Scarcity: low-stock and high-demand messages.
enum ScarcityDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        lowStock(page) + highDemand(page)
    }

    /// "Only 2 left in stock", "Only 4 tickets left at this price", "Almost gone".
    private static let fewLeft = TextPattern(
        #"\bonly \d+ (\w+ ){0,3}(left|remaining)\b|\b\d+ (left|remaining) in stock\b|\blast \d+ (items?|pairs?|rooms?|seats?|tickets?|units?|spots?|places?)\b|\b(almost|nearly) (gone|sold out)\b|\blow (in )?stock\b|\bonly a (few|handful) left\b|\bfew (items |pieces |seats |rooms )?left\b"#)
    /// "In high demand", "Selling fast".
    private static let demand = TextPattern(
        #"\bhigh demand\b|\bselling (fast|quickly|out fast)\b|\bflying off\b|\bhot item\b|\b\d+ (people|others) have (this|it) in their (cart|basket|bag)\b|\btrending now\b|\bin demand\b"#)

    /// Messages to the shopper, not figures in a table (a trade stock list or a room-capacity table
    /// states facts, it does not press).
    static func lowStock(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .lowStock, severity: .medium, confidence: 0.8, pattern: fewLeft, skipsTables: true,
                    describe: { "low-stock message \"\($0)\"" }).findings(on: page)
    }

    static func highDemand(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .highDemand, severity: .low, confidence: 0.75, pattern: demand, skipsTables: true,
                    describe: { "high-demand claim \"\($0)\"" }).findings(on: page)
    }
}
