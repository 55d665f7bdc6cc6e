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

    /// Messages to the shopper, not quoted and not figures in a table (a trade stock list or a
    /// room-capacity table states facts, it does not press).
    private static func candidates(_ page: AuditedPage) -> [TextBlock] {
        page.blocks.filter { !$0.isQuotation && !$0.isInTable && $0.text.count <= 300 }
    }

    static func lowStock(_ page: AuditedPage) -> [Finding] {
        candidates(page).compactMap { block in
            guard let phrase = fewLeft.firstMatch(in: block.unquotedText) else { return nil }
            return Finding(
                patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: block.text,
                location: block.location("low-stock message \"\(phrase)\""))
        }
    }

    static func highDemand(_ page: AuditedPage) -> [Finding] {
        candidates(page).compactMap { block in
            guard let phrase = demand.firstMatch(in: block.unquotedText) else { return nil }
            return Finding(
                patternType: .highDemand, severity: .low, confidence: 0.75, evidence: block.text,
                location: block.location("high-demand claim \"\(phrase)\""))
        }
    }
}
