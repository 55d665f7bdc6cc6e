import Foundation
import VeritasProtocol

/// A rule that reports the page's own words as a dark pattern of one ``type``: wording and
/// structure decide together.
///
/// A block is a candidate when its text (outside quotation marks) matches the hand-written
/// ``pattern``, or when the ``WordingModel`` calls it a dark pattern of this type and it carries
/// the type's ``cue`` (the model reads wording as it appears on shops, where any figure is usually
/// a pressure; the cue keeps "© 2026" from being a countdown). A candidate is reported unless
/// structure says otherwise: it is quoted (`<blockquote>`, `<code>`, ...), too long to be a
/// message, in a table when ``skipsTables`` (a stock list states facts), matches ``unless``
/// (a specific date), or the page sells nothing when ``needsSale`` ("only 3 left" in a recipe is
/// not a sales pressure).
///
/// The detectors whose signal is a sentence rather than a structure (limited-time messages,
/// activity notifications, low stock, high demand, forced enrollment) are one of these each.
struct WordingRule: Sendable {
    var type: DarkPatternType
    var severity: Severity
    var confidence: Double
    var pattern: TextPattern
    /// Words the model's candidates of this type must contain (`nil`: the model is not asked).
    var cue: TextPattern?
    /// Blocks longer than this are articles, not messages.
    var maxLength = 300
    /// Figures in a table state facts (a stock list, a room capacity); they do not press.
    var skipsTables = false
    /// Only a page that sells or asks for money is pressed by this wording.
    var needsSale = true
    /// The claim is about something on sale here: the block names the goods or the cart, or its
    /// widget (a few containers up, never the whole page) holds a price or a buy button. dev.tsv's
    /// demand claims sit on a product card or in a cart ("HIGH DEMAND", "Items in your cart are
    /// selling fast"); a news headline's "Iron ore in high demand" or a clinic's "High demand
    /// today" has nothing to sell beside it, even on a page with a shop elsewhere.
    ///
    /// Its value is the wording that names the goods in the claim itself (`nil`: no such gate).
    var needsOfferNearby: TextPattern?
    /// Wording that defuses the match when found in the same block (a specific date).
    var unless: TextPattern?
    /// Wording that defuses the match when found in its widget (the block and up to
    /// ``offerWidgetLevels`` containers up, never the whole page): a stock figure beside the
    /// shop's own reorder point is the seller's inventory, not a message to a buyer.
    var unlessInWidget: TextPattern?
    /// Wording that presses whatever the structure says: a match that has it is reported beside an
    /// ``unlessPlain`` and in a table, when it is an element of its own inside a cell ("Only 4
    /// copies left" under a cart line, "Sat 9 Jan · Only a few left" on a date chip), not a cell's
    /// figure.
    var pressing: TextPattern?
    /// Wording in the seller's own voice that presses even as a cell's whole text ("We only have
    /// 5 left!" in a dates table's places column), where a plain figure there states a fact.
    var sellerSpeaks: TextPattern?
    /// Like ``unless``, but only for a match without ``pressing`` wording (a dated list states
    /// figures; "only a few left" beside a date still presses).
    var unlessPlain: TextPattern?
    /// Wording that defuses the match when found in the sentence that holds it (not elsewhere in
    /// the block): the writer's own account in the first person ("Only 3 miles left when I woke
    /// up", "I need to hurry, five days to the border"), beside a seller's line in the same
    /// paragraph that still counts.
    var unlessInSentence: TextPattern?
    /// A claim of this type is a message: the sentence that holds it is at most this long
    /// (`nil`: any length). A longer sentence around the words is prose that tells something
    /// ("Our phone lines are in high demand this week: the average wait was 18 minutes on …").
    var maxClaimSentenceLength: Int?
    /// The hand-written pattern also reads the block with the time caption beside it in its card
    /// (``withCaption(_:of:among:)``): a toast's "about 2 hours ago" is often an element of its own.
    var readsCaption = false
    /// A heading with this wording is a title (a sermon series called "Limited Time", a chapter
    /// "Last chance"), unless it or the section it heads speaks of an offer in these words
    /// (`nil`: headings are read like any block). A shop's "Limited Time!" heads its prices.
    var titleNeedsOffer: TextPattern?
    /// What the location says about the match, given the matched words.
    var describe: @Sendable (String) -> String

    /// Model candidates are messages: at most this long (a paragraph that mentions a purchase is
    /// an article, and the model was trained on shop lines, not prose).
    static let maxModelLength = 160

    /// A model candidate alone (no hand-written pattern agreeing) needs this calibrated probability:
    /// on a page, every block is asked, so the bar is higher than the model's own 0.5.
    static let minimumModelProbability = 0.85

    /// A model candidate alone also needs the model to be this sure of the type: a line it calls
    /// dark but cannot place (a shipping note at type p=0.39, a lottery headline at 0.49 among
    /// eleven types) is not evidence of any one pattern.
    static let minimumModelTypeProbability = 0.5

    /// Model candidates need at least this many words: a two-word label ("Most popular",
    /// "United States") is too little wording to judge; the hand-written patterns cover the short
    /// real ones ("In demand").
    static let minimumModelWords = 3

    func findings(on page: AuditedPage) -> [Finding] {
        guard !needsSale || page.sells else { return [] }
        // Found once: a block's caption is then looked up among a few lines, not the whole page
        // (the caption is read for every block the pattern misses).
        let captions = readsCaption || cue != nil ? Self.captionLines(on: page) : []
        // Likewise the rows the visitor picks, found once rather than per table cell.
        let optionRows = skipsTables ? Self.optionRows(on: page) : []
        return page.blocks.compactMap { block in
            let presses = pressing?.occurs(in: block.unquotedText) ?? false
            // A figure in a column is the cell's own text; a message placed in a cart line is an
            // element of its own inside the cell.
            let isCellFigure = block.isInTable && ["td", "th"].contains(block.tags.last ?? "")
                && !(sellerSpeaks?.occurs(in: block.unquotedText) ?? false) && !Self.isAvailabilityCell(block, on: page)
            guard !block.isQuotation, block.text.count <= maxLength, !Self.puzzleClue.occurs(in: block.text), !(skipsTables && block.isInTable) || (presses && !isCellFigure) || Self.isInOptionRow(block, among: optionRows),
                  !(unless?.occurs(in: block.text) ?? false), presses || !(unlessPlain?.occurs(in: block.text) ?? false) else { return nil }
            var phrase = pattern.firstMatch(in: block.unquotedText).flatMap {
                isMessage(block.unquotedText, holding: pattern) && !saysOtherwise(block.unquotedText, holding: pattern) ? $0 : nil
            }
            if phrase == nil, readsCaption {
                let captioned = Self.withCaption(block.unquotedText, of: block, among: captions)
                phrase = captioned == block.unquotedText ? nil : pattern.firstMatch(in: captioned)
            }
            let wording = page.wording[block.position]
            let probability = wording?.prediction.probability
            var learned: BlockWording?
            // The page's title (<h1>) says what the page is about: a news headline ("$1.2 million
            // ticket sold in Pontiac is still unclaimed") is not a message to the shopper, however
            // the model reads its words; the hand-written patterns still read titles.
            if let cue, !block.tags.contains("h1"), let candidate = page.darkWording(of: block, as: [type]),
               candidate.text.count <= Self.maxModelLength, candidate.prediction.probability >= Self.minimumModelProbability,
               candidate.text.split(separator: " ").count >= Self.minimumModelWords,
               candidate.prediction.typeProbability >= Self.minimumModelTypeProbability,
               cue.occurs(in: TextBlock.unquoted(candidate.text)) || cue.occurs(in: Self.withCaption(candidate.text, of: block, among: captions)),
               !(unless?.occurs(in: candidate.text) ?? false), isMessage(TextBlock.unquoted(candidate.text), holding: cue),
               !saysOtherwise(TextBlock.unquoted(candidate.text), holding: cue) {
                learned = candidate
            }
            if let offer = titleNeedsOffer, phrase != nil || learned != nil, block.isHeading,
               !offer.occurs(in: block.text), !page.section(headedBy: block).contains(where: { offer.occurs(in: $0.text) }) {
                return nil
            }
            if let goods = needsOfferNearby, phrase != nil || learned != nil, !Self.isAboutOffer(block, naming: goods, on: page) { return nil }
            if let unlessInWidget, phrase != nil || learned != nil,
               unlessInWidget.occurs(in: block.text) || !page.neighbours(of: block, levels: Self.offerWidgetLevels, withinWidget: true, where: { unlessInWidget.occurs(in: $0.text) }).isEmpty
                // A cell's widget is its whole table: the column headings ("On hand") say what
                // every row's figures are, however far the heading row is from the cell.
                || block.table.map({ table in page.blocks(inside: table).contains { unlessInWidget.occurs(in: $0.text) } }) == true {
                return nil
            }
            if let phrase {
                // The pattern and the model agree: as sure as the surer of the two. The pattern
                // alone: its own confidence, lowered when the model reads the words as ordinary.
                let sure = probability.map { $0 >= 0.5 ? max(confidence, min($0, 0.95)) : confidence * (0.8 + 0.2 * $0) } ?? confidence
                let modelNote = probability.map { String(format: "; wording model p=%.2f", $0) } ?? ""
                return Finding(patternType: type, severity: severity, confidence: Self.rounded(sure), evidence: block.text,
                               location: block.location(describe(phrase) + modelNote))
            }
            guard let learned else { return nil }
            let evidence = learned.text.count <= ProtocolLimits.maxEvidenceLength ? learned.text : block.text
            return Finding(
                patternType: type, severity: severity, confidence: Self.rounded(min(learned.prediction.probability, 0.95) * 0.9),
                evidence: evidence,
                location: block.location(String(format: "worded as %@ (wording model p=%.2f, type p=%.2f)",
                                                type.rawValue.replacingOccurrences(of: "_", with: " "),
                                                learned.prediction.probability, learned.prediction.typeProbability)))
        }
    }

    /// Whether the first sentence of `text` that holds `words` is short enough to be a message
    /// (see ``maxClaimSentenceLength``). Words that only match across a sentence break are judged
    /// by the whole text.
    func isMessage(_ text: String, holding words: TextPattern) -> Bool {
        guard let limit = maxClaimSentenceLength else { return true }
        return text.sentence(holding: words).count <= limit
    }

    /// Whether the first sentence of `text` that holds `words` has ``unlessInSentence`` wording.
    func saysOtherwise(_ text: String, holding words: TextPattern) -> Bool {
        guard let unlessInSentence else { return false }
        return unlessInSentence.occurs(in: text.sentence(holding: words))
    }

    /// Whether `block` names what the visitor buys (`goods`), or sits in a widget with a price or
    /// a buy button (``needsOfferNearby``), below the page's main column: a parking line's widget is
    /// not the permit shop further down the page.
    static func isAboutOffer(_ block: TextBlock, naming goods: TextPattern, on page: AuditedPage) -> Bool {
        let offers = { (text: String) in
            CommonPatterns.price.occurs(in: text) || CommonPatterns.purchaseAction.occurs(in: text)
        }
        if goods.occurs(in: block.text) || offers(block.text) { return true }
        return page.widgetOffers(around: block, levels: offerWidgetLevels, stoppingAtMainColumn: true) { offers($0.text) }
    }

    /// What a claim about the goods names: the item, the product, the cart or the order.
    static let goods = TextPattern(#"\b(items?|products?|carts?|baskets?|bags?|orders?|this (style|size|colou?r|model|one))\b"#)
    /// Containers above a claim searched for its offer: a badge's card, a cart line's cart.
    static let offerWidgetLevels = 3

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// Whether `block` is the value of an "Availability" row in a product's facts table
    /// (`<tr><th>Availability</th><td>In stock, only 1 products left</td></tr>`): the shop's
    /// status line for the product on sale, not a figure in a list of stock.
    static func isAvailabilityCell(_ block: TextBlock, on page: AuditedPage) -> Bool {
        guard block.position > 0, block.ancestorIndices.count > 1 else { return false }
        let header = page.blocks[block.position - 1]
        return header.ancestorIndices.dropFirst().first == block.ancestorIndices[1]
            && ["th", "td"].contains(header.tags.last ?? "") && availabilityLabel.occurs(in: header.text)
    }

    /// Whether `block` sits in a table row the visitor picks (the row holds a radio button or a
    /// checkbox: a size, a date, a ticket type): its words are a message about what is on offer,
    /// like a product card's, not a figure in a list of stock.
    static func isInOptionRow(_ block: TextBlock, among optionRows: Set<Int>) -> Bool {
        guard let row = block.tableRows.first else { return false }
        return optionRows.contains(row)
    }

    /// Every `<tr>` holding a block with a radio button or a checkbox, as element indices.
    static func optionRows(on page: AuditedPage) -> Set<Int> {
        var rows: Set<Int> = []
        for block in page.blocks {
            switch block.role {
            case .radio, .checkbox: rows.formUnion(block.tableRows)
            default: break
            }
        }
        return rows
    }

    /// A facts table's availability row header.
    static let availabilityLabel = TextPattern(#"^\W*(availability|stock( status)?|in stock\?|disponibilidad|disponibilité|verfügbarkeit|disponibilità|beschikbaarheid|dostępność)\W*$"#)

    /// The candidate with the time caption beside it in its card (its parent element): a toast's
    /// name and product line ("Laurie in Urraween, Queensland bought …") and its time ("about 20
    /// minutes ago") are often elements of their own. A short line that is nothing but a time ago
    /// joins; so does the line right after the candidate when it ends with one (the product and
    /// the time under "Jeremy in Stockton, United States purchased a"). What happened must be in
    /// the candidate itself.
    static func withCaption(_ text: String, of block: TextBlock, among lines: [CaptionLine]) -> String {
        guard let card = block.ancestorIndices.dropFirst().first else { return text }
        let captions = lines.filter { line in
            line.block.position != block.position && line.block.first.ancestorIndices.contains(card)
                && (line.saysOnlyWhen || line.block.position == block.position + 1)
        }
        guard !captions.isEmpty else { return text }
        return TextBlock.unquoted(([text] + captions.map(\.block.unquotedText)).joined(separator: " "))
    }

    /// A line of the page that can caption the line before it or its card: it ends with a time
    /// ago and is short enough; ``saysOnlyWhen`` when it is nothing but that time.
    struct CaptionLine {
        var block: TextBlock
        var saysOnlyWhen: Bool
    }

    /// The page's caption lines, in document order.
    static func captionLines(on page: AuditedPage) -> [CaptionLine] {
        page.blocks.compactMap { block in
            guard !block.isQuotation, block.text.count <= maxProductCaptionLength, endsWithTimeAgo.occurs(in: block.text) else { return nil }
            return CaptionLine(block: block, saysOnlyWhen: block.text.count <= maxCaptionLength && timeAgo.occurs(in: block.text))
        }
    }

    /// Longest line read as a caption of a neighbouring candidate.
    static let maxCaptionLength = 40
    /// Longest product-and-time line read as the caption of the line before it.
    static let maxProductCaptionLength = 100
    /// A line that ends with when: "Two-person backpacking kit (3 days) 12 minutes ago".
    static let endsWithTimeAgo = TextPattern(#"\b(about |around |over )?(\d+|a|an|one) (seconds?|mins?|minutes?|hours?|hrs?) ago\W*$|\b(just now|right now)\W*$"#)
    /// A caption that only says when: "about 20 minutes ago", "just now", "2 hours ago".
    static let timeAgo = TextPattern(#"^\W*(about |around |over )?(\d+|a|an|one) (seconds?|mins?|minutes?|hours?|hrs?) ago\W*$|^\W*(just now|right now)\W*$"#)

    /// A crossword clue ends with its answer's length, "(5)" or "(3,4)": wordplay, not a message,
    /// however salesy its words ("Only a few left, like the last biscuit (5)").
    static let puzzleClue = TextPattern(
        #"\(\d{1,2}([,-]\d{1,2})*\)\s*$"#
            // A word problem ends with what to work out: "… Only 3 notebooks are left after the
            // clearance, and they are sold for a total of $27. What is the list price of one
            // notebook?" A test's story, not a shop's message.
            + #"|[.!]\s+(what (is|was|are|were|will be)|how (many|much|long|far)|find|calculate|work out|which of the following)\b[^.!?]*\?\s*$"#)
}
