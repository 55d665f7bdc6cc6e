import Foundation
import VeritasHTML

/// A line or paragraph as a person reads it: the visible segments that share a block-level
/// element, joined the way they show on screen, with the facts the detectors ask about.
struct TextBlock: Sendable {
    /// Position among the page's blocks.
    var position: Int
    /// The text, whitespace collapsed.
    var text: String
    /// The visible segments it is made of, in reading order.
    var segments: [TextSegment]
    /// `text` with each quoting element's text (``quotingTags``, illustrations) replaced by "…":
    /// the page's own words around a quotation ("use code: SAVE25" in a deal bar with a clock).
    var ownText: String
    /// In a table row that names a user-interface string by its message key
    /// (`level.bridge.collapse_warning`): a string catalogue, as a localisation platform or a
    /// design system's docs show it. The row's texts are the product's strings, shown for
    /// editing, not said to the visitor.
    var isInStringTable = false

    var first: TextSegment { segments[0] }
    /// The first interactive role among the segments (`.none` when there is none).
    var role: TextSegment.Role { segments.first { $0.role != .none }?.role ?? .none }
    var isInModal: Bool { segments.contains(where: \.isInModal) }
    /// A heading (`<h1>`–`<h6>` or `role="heading"`).
    var isHeading: Bool {
        if case .heading = role { return true }
        return false
    }
    /// The page's title as a heading: `<h1>`.
    var isPageTitle: Bool {
        if case .heading(level: 1) = role { return true }
        return false
    }
    /// `elementIndex` of the block element, then its ancestors.
    var ancestorIndices: [Int] {
        let path = first.ancestorIndices
        guard let start = path.firstIndex(of: first.blockIndex) else { return path }
        return Array(path[start...])
    }
    /// Tag names from the root down to the first segment's element.
    var tags: [Substring] { first.path.split(separator: ">") }

    /// Text quoted or shown as an example rather than said by the page: inside `<blockquote>`,
    /// `<q>`, `<code>`, `<pre>`, `<kbd>`, `<samp>` or `<cite>`, or drawn in an illustration
    /// (`role="img"`, e.g. an article's mock-up of another shop's warning).
    ///
    /// The block is a quotation when every segment with letters or figures is quoted; a block that
    /// only holds a quotation among its own words (a promo code in `<code>` beside a deal's clock)
    /// is read as ``ownText``.
    var isQuotation: Bool {
        let worded = segments.filter { $0.text.contains(where: { $0.isLetter || $0.isNumber }) }
        return !worded.isEmpty && (worded.allSatisfy(Self.isQuoted) || isInStringTable || Self.composedMessage.occurs(in: text))
    }

    /// The `<tr>` elements around the first segment, nearest first.
    var tableRows: [Int] { elements(tagged: "tr") }

    /// The nearest `<table>` around the first segment, as its element index, or `nil`.
    var table: Int? { elements(tagged: "table").first }

    /// The nearest element around the first segment (itself included) named one of `tags`, as
    /// its element index, or `nil`.
    func nearestElement(tagged tags: Set<Substring>) -> Int? {
        namedAncestors.first { tags.contains($0.name) }?.element
    }

    /// The elements named `tag` around the first segment (itself included), nearest first.
    private func elements(tagged tag: Substring) -> [Int] {
        namedAncestors.compactMap { $0.name == tag ? $0.element : nil }
    }

    /// The first segment's element and its ancestors, nearest first, each with its tag name.
    private var namedAncestors: some Sequence<(name: Substring, element: Int)> {
        zip(first.path.split(separator: ">").reversed(), first.ancestorIndices).lazy.map { (name: $0, element: $1) }
    }

    /// A message key as string files and translation tools name a UI string: dotted or
    /// underscored words with no spaces ("level.bridge.collapse_warning", "hud.lives.one",
    /// "CART_TIMER_LABEL"). One dot alone ("example.com", "v2.1") is not enough.
    private static let messageKey = TextPattern(#"^[A-Za-z][A-Za-z0-9-]*(([.][A-Za-z0-9-]+){2,}|([._][A-Za-z0-9-]+)*_[A-Za-z0-9-]+([._][A-Za-z0-9-]+)*)$"#)

    /// A line of an email shown as written, in a newsletter tool or a preview ("Subject: Hurry —
    /// the bake sale is this Saturday!"): the page shows the visitor's message, it does not say it.
    private static let composedMessage = TextPattern(#"^\W*(subject( line)?|preview text|preheader)\s*:"#)

    static func isQuoted(_ segment: TextSegment) -> Bool {
        segment.isInIllustration || segment.path.split(separator: ">").contains { quotingTags.contains($0) }
    }
    /// Inside a table cell.
    var isInTable: Bool { tags.contains("td") || tags.contains("th") }
    /// Every segment is tiny or low contrast: fine print, or an option made easy to overlook.
    var isFaint: Bool { segments.allSatisfy { $0.presentation.isTiny || $0.presentation.isLowContrast } }
    /// The smallest font size among the segments, in CSS pixels.
    var fontSize: Double { segments.map(\.presentation.fontSize).min() ?? 16 }
    /// The lowest contrast ratio among the segments.
    var contrast: Double { segments.map(\.presentation.contrastRatio).min() ?? 21 }
    /// The text without what it puts in quotation marks (“…”, ‘…’, "…"): a headline asking
    /// "Is that ‘only 2 left’ warning real?" quotes a pattern, it does not use one.
    var unquotedText: String { Self.unquoted(ownText) }

    /// `text` with what it puts in quotation marks replaced by "…".
    static func unquoted(_ text: String) -> String {
        guard text.contains(where: { "“‘\"".contains($0) }) else { return text }
        return quoted.replacingMatches(in: text, with: "…")
    }

    private static let quoted = TextPattern(#"“[^”]{1,300}”|‘[^’]{1,300}’|"[^"]{1,300}""#)

    /// Every class on the block's elements and their ancestors.
    var ancestorClasses: [String] { first.ancestorClasses }

    /// A short description of where the block is, for a finding's `location`: the nearest id,
    /// classes and element, plus what the text looks like when that matters.
    func location(_ detail: String? = nil) -> String {
        var parts: [String] = []
        if isInModal { parts.append("modal dialog") }
        let element = tags.last.map(String.init) ?? "text"
        var selector = "<\(element)>"
        if let id = first.nearestID { selector += " in #\(id)" }
        if let classes = first.nearestClasses.first { selector += " .\(classes)" }
        parts.append(selector)
        if let detail { parts.append(detail) }
        return String(parts.joined(separator: ", ").prefix(400))
    }

    private static let quotingTags: Set<Substring> = ["blockquote", "q", "code", "pre", "kbd", "samp", "cite"]

    /// Groups a document's visible segments into blocks.
    static func blocks(of document: HTMLDocument) -> [TextBlock] {
        var blocks: [TextBlock] = []
        for segment in document.segments where !segment.presentation.isHidden {
            // Adjacent labels or links in one block (a row of plan cards) are separate blocks.
            if var last = blocks.last, last.first.blockIndex == segment.blockIndex,
               last.segments.last?.roleElementIndex == segment.roleElementIndex {
                if !segment.continuesPreviousSegment || startsNewWord(after: last.text, segment.text) {
                    last.text += " "
                    last.ownText += " "
                }
                last.text += segment.text
                last.ownText += isQuoted(segment) ? "…" : segment.text
                last.segments.append(segment)
                blocks[blocks.count - 1] = last
            } else {
                blocks.append(TextBlock(position: blocks.count, text: segment.text, segments: [segment], ownText: isQuoted(segment) ? "…" : segment.text))
            }
        }
        // Only table rows can be a catalogue: the key is read in cells, not in every line.
        let stringRows = Set(blocks.filter { $0.isInTable && messageKey.occurs(in: $0.text) }.compactMap(\.tableRows.first))
        if !stringRows.isEmpty {
            for index in blocks.indices where blocks[index].tableRows.first.map(stringRows.contains) ?? false {
                blocks[index].isInStringTable = true
            }
        }
        return blocks
    }

    /// Two elements with no space between them in the markup, the second starting a capitalised
    /// word after a lower-case letter or digit ("<b>Sat 9 Jan</b><span>Only a few left</span>"),
    /// or a figure after a word ("<strong>… entire order</strong><span>09</span> Hours"): styled
    /// as separate lines or chips (CSS the parser does not apply), they read as two words, not
    /// "JanOnly" or "order09". A word split for styling ("<b>W</b>ord") goes on in lower case,
    /// and a figure after a symbol ("£" "60") or before a suffix ("2" "nd") stays joined.
    private static func startsNewWord(after text: String, _ next: String) -> Bool {
        guard let end = text.last, let start = next.first else { return false }
        // A clock's unit after its figure ("<span>0</span>Hours:") reads as on screen: "0Hours:".
        if end.isNumber, timeUnit.occurs(in: next) { return false }
        // And the next figure after a unit ("<span>00</span>Days<span>17</span>Hours"): "00Days17Hours".
        if start.isNumber, endsWithTimeUnit.occurs(in: text) { return false }
        if start.isNumber { return end.isLetter }
        guard start.isUppercase, end.isLowercase || end.isNumber else { return false }
        let second = next.dropFirst().first
        // A word in capitals after a word of two letters or more ("purchased" "ADV.2"), as a
        // toast sets product codes and badges; a single letter before capitals goes on ("e" "SIM").
        if let second, second.isUppercase, text.reversed().prefix(while: \.isLetter).count >= 2 { return true }
        return second.map { $0.isLowercase || $0 == " " } ?? false
    }

    /// A clock's unit word at the start of an element's text, and a figure and its unit at the end.
    private static let timeUnit = TextPattern(#"^(days?|hrs?|hours?|mins?|minutes?|secs?|seconds?)\b"#)
    private static let endsWithTimeUnit = TextPattern(#"\d\s?(days?|hrs?|hours?|mins?|minutes?|secs?|seconds?)$"#)
}
