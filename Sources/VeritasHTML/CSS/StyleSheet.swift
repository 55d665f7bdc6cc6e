import Foundation

/// The author rules of a document's `<style>` elements, in document order, restricted to the
/// subset `CSSSelector` and `CSSDeclaration` describe.
///
/// At-rules are skipped whole (`@media` blocks included: the audit does not know the viewport),
/// and so are rules whose selector lies outside the subset. A comma list keeps the selectors it
/// understands. Rules are indexed by the id, first class or tag of their rightmost compound, so
/// finding an element's candidate rules does not scan the whole sheet.
struct StyleSheet: Sendable {
    struct Rule: Sendable {
        var selector: CSSSelector
        var declarations: [CSSDeclaration]
        /// Position in the sheet: among equal specificity, later rules win.
        var order: Int
    }

    private(set) var rules: [Rule] = []
    private var byID: [String: [Int]] = [:]
    private var byClass: [String: [Int]] = [:]
    private var byTag: [String: [Int]] = [:]
    private var universal: [Int] = []

    /// Appends the rules of one `<style>` element's text.
    mutating func append(css text: String) {
        let scalars = Array(Self.removingComments(text).unicodeScalars)
        var index = 0
        while index < scalars.count {
            let character = scalars[index]
            if character.properties.isWhitespace {
                index += 1
            } else if character == "@" {
                index = Self.endOfAtRule(scalars, from: index)
            } else if character == "}" {
                index += 1  // Stray closing brace from broken CSS.
            } else {
                guard let open = scalars[index...].firstIndex(of: "{") else { return }
                let close = Self.matchingBrace(scalars, open: open)
                let selectorText = String(String.UnicodeScalarView(scalars[index..<open]))
                let body = String(String.UnicodeScalarView(scalars[(open + 1)..<min(close, scalars.count)]))
                let declarations = CSSDeclaration.parseBlock(body)
                if !declarations.isEmpty {
                    for piece in CSSDeclaration.splitTopLevel(selectorText, separator: ",") {
                        if let selector = CSSSelector(parsing: piece) { add(selector, declarations) }
                    }
                }
                index = close + 1
            }
        }
    }

    /// Rules whose selector matches the element at `index`, in no particular order.
    func matchingRules(for index: Int, in facts: [ElementFacts]) -> [Rule] {
        let element = facts[index]
        var candidates = universal
        if let id = element.id { candidates += byID[id] ?? [] }
        for name in Set(element.classes) { candidates += byClass[name] ?? [] }
        candidates += byTag[element.tag] ?? []
        return candidates.lazy.map { self.rules[$0] }.filter { $0.selector.matches(index, in: facts) }
    }

    private mutating func add(_ selector: CSSSelector, _ declarations: [CSSDeclaration]) {
        let position = rules.count
        rules.append(Rule(selector: selector, declarations: declarations, order: position))
        let subject = selector.subject
        if let id = subject.id {
            byID[id, default: []].append(position)
        } else if let name = subject.classes.first {
            byClass[name, default: []].append(position)
        } else if let tag = subject.tag {
            byTag[tag, default: []].append(position)
        } else {
            universal.append(position)
        }
    }

    // MARK: Scanning

    /// Drops `/* ... */` comments and the legacy `<!--`/`-->` markers some pages wrap CSS in.
    private static func removingComments(_ text: String) -> String {
        func clean(_ css: String) -> String {
            css.replacingOccurrences(of: "<!--", with: " ").replacingOccurrences(of: "-->", with: " ")
        }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "/*") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "*/") else { return clean(output) }
            rest = rest[end.upperBound...]
        }
        return clean(output + rest)
    }

    /// Index just past an at-rule: its `;` or its balanced `{...}` block, whichever comes first.
    private static func endOfAtRule(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            if scalars[index] == ";" { return index + 1 }
            if scalars[index] == "{" { return matchingBrace(scalars, open: index) + 1 }
            index += 1
        }
        return index
    }

    /// Index of the `}` that closes the `{` at `open`, or the end when the sheet is truncated.
    private static func matchingBrace(_ scalars: [Unicode.Scalar], open: Int) -> Int {
        var depth = 0
        var index = open
        while index < scalars.count {
            if scalars[index] == "{" {
                depth += 1
            } else if scalars[index] == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return scalars.count
    }
}
