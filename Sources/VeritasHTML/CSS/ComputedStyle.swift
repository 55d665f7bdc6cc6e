import Foundation

/// What the CSS subset says about one element after the cascade and inheritance: enough to tell
/// whether its text is hidden, tiny or faint.
///
/// The cascade follows CSS in miniature: user-agent defaults (the `hidden` attribute, a closed
/// `<dialog>`, link blue, `<small>`) lose to author rules, which lose to the `style` attribute;
/// `!important` lifts a declaration above all normal ones; among author rules higher specificity
/// wins, then the later rule. `color`, `visibility` and `font-size` inherit; `display: none`,
/// `aria-hidden` (on anything but a page region) and opacity apply to the whole subtree; the background is the element's own
/// colour composited over its parent's (white at the root).
struct ComputedStyle: Sendable {
    /// `display: none` (or `hidden`, or `aria-hidden="true"` but on a page region) on this element
    /// or an ancestor.
    var isRemoved = false
    var isVisibilityHidden = false
    /// Product of the opacities of the element and its ancestors.
    var opacity = 1.0
    var fontSize = FontSize.medium
    /// The nearest declared `font-size` was relative with a factor of at most 0.7.
    var hasSmallRelativeFontSize = false
    var color = CSSColor.black
    /// The opaque colour behind the element's text.
    var background = CSSColor.white

    /// Landmarks whose `aria-hidden` hides them from assistive technology only: modal scripts set
    /// it on the page's regions while a dialog is open (`<main class="page" aria-hidden="true">`
    /// behind a cart drawer), and the page stays in sight, dimmed.
    static let pageRegions: Set<String> = ["main", "header", "footer", "nav", "section", "article", "aside"]

    /// Computes every element's style; `facts` is in document order, so parents come first.
    static func resolve(_ facts: [ElementFacts], sheet: StyleSheet) -> [ComputedStyle] {
        var styles: [ComputedStyle] = []
        styles.reserveCapacity(facts.count)
        var rootFontSize = FontSize.medium
        for index in facts.indices {
            let parent = facts[index].parent.map { styles[$0] } ?? ComputedStyle()
            let style = compute(index, facts: facts, sheet: sheet, parent: parent, rootFontSize: rootFontSize)
            if facts[index].parent == nil, facts[index].tag == "html" { rootFontSize = style.fontSize }
            styles.append(style)
        }
        return styles
    }

    private static func compute(
        _ index: Int, facts: [ElementFacts], sheet: StyleSheet, parent: ComputedStyle, rootFontSize: Double
    ) -> ComputedStyle {
        let element = facts[index]
        let winners = cascade(index, facts: facts, sheet: sheet)
        var style = parent

        let hidesFromSight = element.isAriaHidden && !pageRegions.contains(element.tag)
        if hidesFromSight || winners["display"]?.value.lowercased() == "none" { style.isRemoved = true }

        switch winners["visibility"]?.value.lowercased() {
        case "hidden", "collapse": style.isVisibilityHidden = true
        case "visible", "initial": style.isVisibilityHidden = false
        default: break
        }

        if let opacity = winners["opacity"].flatMap({ Self.opacity($0.value) }) {
            style.opacity = parent.opacity * opacity
        }

        if let declared = winners["font-size"] {
            let value = declared.value.lowercased()
            if value == "initial" {
                style.fontSize = FontSize.medium
                style.hasSmallRelativeFontSize = false
            } else if let size = FontSize(parsing: value) {
                style.fontSize = size.resolved(parent: parent.fontSize, root: rootFontSize)
                // The author-written ratio rule only: user-agent steps like <small> count by size.
                style.hasSmallRelativeFontSize = declared.isAuthor && (size.relativeFactor.map { $0 <= TextSegment.Presentation.tinyRelativeFactor } ?? false)
            }
        }

        if let declared = winners["color"] {
            let value = declared.value.lowercased()
            if value == "initial" {
                style.color = .black
            } else if let color = CSSColor(parsing: value) {
                style.color = color
            }
        }

        if let declared = winners["background-color"] {
            let value = declared.value.lowercased()
            let own = value == "currentcolor" ? style.color : (CSSColor(parsing: value) ?? .transparent)
            style.background = own.composited(over: parent.background)
        }
        return style
    }

    /// A declaration that won the cascade for its property.
    private struct Winner {
        var value: String
        var isAuthor: Bool
        /// (important, origin, specificity, order), compared lexicographically.
        var rank: (Int, Int, Int, Int)
    }

    private static func cascade(_ index: Int, facts: [ElementFacts], sheet: StyleSheet) -> [String: Winner] {
        var winners: [String: Winner] = [:]
        func offer(_ declaration: CSSDeclaration, origin: Int, specificity: Int, order: Int) {
            let rank = (declaration.isImportant ? 1 : 0, origin, specificity, order)
            if let current = winners[declaration.property], current.rank >= rank { return }
            winners[declaration.property] = Winner(value: declaration.value, isAuthor: origin > 0, rank: rank)
        }
        let element = facts[index]
        for declaration in element.userAgentDeclarations {
            offer(declaration, origin: 0, specificity: 0, order: 0)
        }
        for rule in sheet.matchingRules(for: index, in: facts) {
            for declaration in rule.declarations {
                offer(declaration, origin: 1, specificity: rule.selector.specificity, order: rule.order)
            }
        }
        for (position, declaration) in element.inlineDeclarations.enumerated() {
            offer(declaration, origin: 2, specificity: 0, order: position)
        }
        // An explicit "inherit"/"unset" leaves the inherited value in place: treat as not declared.
        return winners.filter { !["inherit", "unset", "revert", "revert-layer"].contains($0.value.value.lowercased()) }
    }

    private static func opacity(_ text: String) -> Double? {
        let value = text.trimmingCharacters(in: .whitespaces)
        let number = value.hasSuffix("%") ? Double(value.dropLast()).map { $0 / 100 } : Double(value)
        return number.map { min(max($0, 0), 1) }
    }
}
