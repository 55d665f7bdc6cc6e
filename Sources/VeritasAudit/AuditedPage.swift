import Foundation
import VeritasHTML
import VeritasProtocol

/// A page as the detectors see it: the document as a person sees it in the browser a couple of
/// seconds after it loaded (after scripts ran, when the engine could render it), and, when
/// available, the rendering taken a moment before, so that elements that change on their own (a
/// ticking countdown) can be told from static text.
public struct AuditedPage: Sendable {
    /// The page's URL, after redirects.
    public let url: URL?
    /// The document: rendered by the browser when ``isRendered``, else the raw HTML as served.
    public let document: HTMLDocument
    /// The same page rendered a moment before ``document`` (at least a second earlier), or `nil`
    /// when it was not rendered twice.
    public let earlierDocument: HTMLDocument?
    /// Whether ``document`` is the DOM after scripts ran (`false`: raw HTML only, so patterns that
    /// scripts create are invisible).
    public let isRendered: Bool

    let blocks: [TextBlock]
    /// The whole visible text, and lower-cased, for page-level questions ("is this a
    /// checkout?", "is there company information?"); built once, several signals read it.
    let visibleText: String
    let lowercasedText: String
    /// The wording model's reading of each block, by block position.
    let wording: [BlockWording?]
    /// Whether the page sells or asks for money: a price, or a control to buy, book, order,
    /// subscribe or donate. Sales pressure needs a sale: "only 3 left" in a recipe or a stock
    /// report is information.
    let sells: Bool

    /// - Parameters:
    ///   - url: The page's final URL.
    ///   - document: The rendered (or raw) document: the latest rendering, which the detectors read.
    ///   - earlierDocument: A rendering a moment before `document`, for the countdown detector.
    ///   - isRendered: Whether `document` is a rendering after scripts.
    ///   - wordingModel: The model that reads every block's wording.
    public init(url: URL?, document: HTMLDocument, earlierDocument: HTMLDocument? = nil, isRendered: Bool,
                wordingModel: WordingModel = .bundled) {
        self.url = url
        self.document = document
        self.earlierDocument = earlierDocument
        self.isRendered = isRendered
        blocks = TextBlock.blocks(of: document)
        visibleText = document.visibleText
        lowercasedText = visibleText.lowercased()
        wording = BlockWording.classify(blocks, model: wordingModel)
        sells = CommonPatterns.price.occurs(in: visibleText)
            || blocks.contains { block in
                block.text.count <= 60 && (block.role == .button || block.role == .link || block.tags.last == "button")
                    && CommonPatterns.purchaseAction.occurs(in: block.text)
            }
    }

    /// The wording of `block` when the model calls it a dark pattern of one of `types`.
    func darkWording(of block: TextBlock, as types: Set<DarkPatternType>) -> BlockWording? {
        guard let wording = wording[block.position], let type = wording.prediction.type, types.contains(type) else { return nil }
        return wording
    }


    /// The blocks whose elements all sit inside the element `container`.
    func blocks(inside container: Int) -> [TextBlock] {
        blocks.filter { $0.first.ancestorIndices.contains(container) }
    }

    /// The price in the cell beside `block` (the next block, when it is short, as in a
    /// `<td>Service fee</td><td>$4.50</td>` row), or `nil`.
    func priceBeside(_ block: TextBlock) -> String? {
        guard blocks.indices.contains(block.position + 1) else { return nil }
        return Self.shortPrice(blocks[block.position + 1])
    }

    /// The first price standing alone in a later cell of `block`'s own table row (a cart's price
    /// column, past the line's note and quantity), or `nil` outside a table.
    func priceInRow(of block: TextBlock) -> String? {
        guard let row = block.tableRows.first else { return nil }
        return blocks(inside: row).lazy.filter { $0.position > block.position }.compactMap(Self.shortPrice).first
    }

    /// The first price standing alone in a later element of `block`'s own line: a cart line built
    /// of `<div>`s or `<span>`s puts the amount in an element of its own, past a note or a
    /// "Remove" control ("Shipping Insurance · Remove Insurance · £2.49 · Covers loss in the
    /// post"). Read in the container just around the line, over the next few blocks, and never
    /// past the next choice (another option's label and what follows it are another line).
    func priceLater(inLineOf block: TextBlock) -> String? {
        guard let container = block.ancestorIndices.dropFirst().first else { return nil }
        let inside = blocks(inside: container)
        guard inside.count < blocks.count else { return nil }
        // Plain text only: a "Continue – £14.00" button is not the line's amount.
        let price = { (segment: TextSegment) in segment.role == .none ? Self.shortTextPrice(segment.text) : nil }
        for other in inside.lazy.filter({ $0.position > block.position }).prefix(Self.maxLineBlocks) {
            switch other.role {
            case .checkbox, .radio, .option: return nil
            default: if let amount = other.segments.lazy.compactMap(price).first { return amount }
            }
        }
        return nil
    }

    /// How many blocks after an add-on's label its own line may run to (a note, a control, the amount).
    static let maxLineBlocks = 4

    /// The price a short block (a price cell, an amount line) holds, or `nil`.
    static func shortPrice(_ block: TextBlock) -> String? {
        shortTextPrice(block.text)
    }

    /// The price a short text (at most 24 characters: a price cell, an amount) holds, or `nil`.
    static func shortTextPrice(_ text: String) -> String? {
        text.count <= 24 ? CommonPatterns.price.firstMatch(in: text) : nil
    }

    /// The smallest container around `block` (up to `levels` ancestors up) holding a block that
    /// satisfies `predicate`, and those blocks.
    /// - Parameter withinWidget: stop below a container that holds every block of the page
    ///   (`<body>`, an app's root `<div>`): that is the page, not the block's own widget, so a
    ///   sticky bar's clock is not read with a workshop's opening hours in the article below.
    /// - Parameter includingOwnElement: search the block's own element first: the container of
    ///   inline content (a `<form>` holding bare `<label>`s is the block element of each label).
    /// - Parameter stoppingBelow: a container for which this holds (given the blocks inside) is
    ///   neither searched nor climbed past: the product's buy box around an add-on's box.
    func neighbours(of block: TextBlock, levels: Int = 5, withinWidget: Bool = false, includingOwnElement: Bool = false,
                    stoppingBelow: (([TextBlock]) -> Bool)? = nil, where predicate: (TextBlock) -> Bool) -> [TextBlock] {
        // `neighbours(ofElement:)` starts above the element it is given: given a placeholder first,
        // it starts at the block's own element.
        let ancestors = includingOwnElement ? [-1] + block.ancestorIndices : block.ancestorIndices
        return neighbours(ofElement: ancestors, levels: levels, withinWidget: withinWidget, stoppingBelow: stoppingBelow) {
            $0.position != block.position && predicate($0)
        }
    }

    /// Whether the widget around `block` (up to `levels` containers up, below the whole page)
    /// holds another block that `offers`. A block whose first container holding anything else is
    /// the whole page (a bare landing page, a bar straight under `<body>`) is one widget with the
    /// page: it offers what the page ``sells``. The containers are walked once.
    /// - Parameter stoppingAtMainColumn: the page's main column (``isMainColumn(_:)``) counts as
    ///   the whole page: a council's bin-day clock is not about the garden-waste subscription
    ///   further down its `<main>`.
    func widgetOffers(around block: TextBlock, levels: Int, stoppingAtMainColumn: Bool = false,
                      where offers: (TextBlock) -> Bool) -> Bool {
        var level = 0
        var shared = false
        for container in block.ancestorIndices.dropFirst() {
            let inside = blocks(inside: container)
            if inside.count == blocks.count || (stoppingAtMainColumn && isMainColumn(inside)) { return shared ? false : sells }
            if inside.count > 1 { shared = true }
            if level < levels, inside.contains(where: { $0.position != block.position && offers($0) }) { return true }
            level += 1
            if shared && level >= levels { return false }
        }
        return shared ? false : sells
    }

    /// ``neighbours(of:levels:withinWidget:where:)`` of an element that is not a text block (a
    /// progress bar), given as its `ancestorIndices` (the element first). With
    /// `stoppingAtHeading`, the walk does not climb past a container with its own heading: that
    /// box is the element's section.
    func neighbours(ofElement ancestors: [Int], levels: Int, withinWidget: Bool, stoppingAtHeading: Bool = false,
                    stoppingBelow: (([TextBlock]) -> Bool)? = nil, where predicate: (TextBlock) -> Bool) -> [TextBlock] {
        for container in ancestors.dropFirst().prefix(levels) {
            let inside = blocks(inside: container)
            if withinWidget && inside.count == blocks.count { break }
            if let stoppingBelow, stoppingBelow(inside) { break }
            let found = inside.filter(predicate)
            if !found.isEmpty { return found }
            if stoppingAtHeading && inside.contains(where: \.isHeading) { break }
        }
        return []
    }

    /// Whether a container holding `inside` is the page's main column rather than a widget in
    /// it: more than ``maxWidgetLines`` lines and half the page's or more (a small page's boxes
    /// all hold half of it, so size alone does not make a main column).
    func isMainColumn(_ inside: [TextBlock]) -> Bool {
        inside.count > Self.maxWidgetLines && inside.count * 2 >= blocks.count
    }

    /// Lines a box may hold and still be one widget whatever the page's size (``isMainColumn(_:)``).
    static let maxWidgetLines = 12

    /// The blocks a heading heads: those after it up to the next heading, at most
    /// ``sectionLength`` (a title's section is its first few lines, not the rest of the page).
    func section(headedBy heading: TextBlock) -> ArraySlice<TextBlock> {
        let rest = blocks[(heading.position + 1)...].prefix(Self.sectionLength)
        return rest.prefix { !$0.isHeading }
    }

    /// Lines read as a heading's section (``section(headedBy:)``).
    static let sectionLength = 6
}
