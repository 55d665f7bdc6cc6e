import Foundation
import VeritasProtocol

/// A rule that reports the page's own words: every block whose text, outside quotation marks,
/// matches ``pattern``, unless the block is quoted (`<blockquote>`, `<code>`, ...), too long to be
/// a message, in a table when ``skipsTables``, or matches ``unless``.
///
/// The detectors whose signal is a sentence rather than a structure (limited-time messages,
/// activity notifications, low stock, high demand, forced enrollment) are one of these each.
struct WordingRule: Sendable {
    var type: DarkPatternType
    var severity: Severity
    var confidence: Double
    var pattern: TextPattern
    /// Blocks longer than this are articles, not messages.
    var maxLength = 300
    /// Figures in a table state facts (a stock list, a room capacity); they do not press.
    var skipsTables = false
    /// Wording that defuses the match when found in the same block (a specific date).
    var unless: TextPattern?
    /// What the location says about the match, given the matched words.
    var describe: @Sendable (String) -> String

    func findings(on page: AuditedPage) -> [Finding] {
        page.blocks.compactMap { block in
            guard !block.isQuotation, block.text.count <= maxLength, !(skipsTables && block.isInTable),
                  let phrase = pattern.firstMatch(in: block.unquotedText),
                  !(unless?.occurs(in: block.text) ?? false) else { return nil }
            return Finding(patternType: type, severity: severity, confidence: confidence, evidence: block.text,
                           location: block.location(describe(phrase)))
        }
    }
}
