/// A selector of the CSS subset: compound selectors made of an optional tag (or `*`), `#id`,
/// `.class` and attribute (`[open]`, `[aria-hidden="false"]`, `[data-state^=op i]`) parts,
/// joined by descendant (space) or child (`>`) combinators.
///
/// Attribute parts are in the subset because shops show their toasts, drawers and pop-ups with
/// them (`buyer-toast[open]{display:block}` over `buyer-toast{display:none}`): without them such
/// a widget would read as hidden though a visitor sees it.
///
/// Pseudo-classes, pseudo-elements, sibling combinators, namespaces and escapes are outside the
/// subset: `init(parsing:)` returns `nil` and the rule is ignored, which is the conservative
/// choice (a `:hover` or `::before` rule does not style the text at rest).
struct CSSSelector: Sendable, Equatable {
    struct Compound: Sendable, Equatable {
        /// Lower-cased tag name; `nil` for `*` or no tag.
        var tag: String?
        var id: String?
        var classes: [String] = []
        var attributes: [AttributeTest] = []

        func matches(_ element: ElementFacts) -> Bool {
            if let tag, tag != element.tag { return false }
            if let id, id != element.id { return false }
            return classes.allSatisfy(element.classes.contains) && attributes.allSatisfy { $0.matches(element.attributes) }
        }
    }

    /// One attribute part: `[name]`, or `[name OP value]` with OP one of `=`, `~=`, `|=`, `^=`,
    /// `$=`, `*=`, and an optional ` i` for a case-insensitive value.
    struct AttributeTest: Sendable, Equatable {
        enum Operator: String, Sendable {
            case present = ""
            case equals = "="
            case includesWord = "~="
            case dashPrefix = "|="
            case prefix = "^="
            case suffix = "$="
            case substring = "*="
        }
        /// Lower-cased: HTML attribute names are case-insensitive.
        var name: String
        var match: Operator
        var value: String
        var ignoresCase: Bool

        func matches(_ attributes: [String: String]) -> Bool {
            guard var actual = attributes[name] else { return false }
            var expected = value
            if ignoresCase {
                actual = actual.lowercased()
                expected = expected.lowercased()
            }
            switch match {
            case .present: return true
            case .equals: return actual == expected
            case .includesWord: return !expected.isEmpty && actual.split(whereSeparator: \.isWhitespace).contains { $0 == expected }
            case .dashPrefix: return actual == expected || actual.hasPrefix(expected + "-")
            case .prefix: return !expected.isEmpty && actual.hasPrefix(expected)
            case .suffix: return !expected.isEmpty && actual.hasSuffix(expected)
            case .substring: return !expected.isEmpty && actual.contains(expected)
            }
        }
    }

    enum Combinator: Sendable, Equatable {
        case descendant
        case child
    }

    /// Left to right; `combinators[i]` joins `compounds[i]` and `compounds[i + 1]`.
    private(set) var compounds: [Compound]
    private(set) var combinators: [Combinator]

    /// CSS specificity packed as ids·10⁶ + classes·10³ + tags, so plain comparison orders it.
    var specificity: Int {
        compounds.reduce(0) { sum, compound in
            sum + (compound.id == nil ? 0 : 1_000_000) + (compound.classes.count + compound.attributes.count) * 1_000 + (compound.tag == nil ? 0 : 1)
        }
    }

    /// The rightmost compound, the one that must match the element itself.
    var subject: Compound { compounds[compounds.count - 1] }

    init?(parsing text: String) {
        var compounds: [Compound] = []
        var combinators: [Combinator] = []
        var current: Compound?
        var pending: Combinator?
        var characters = Array(text.trimmingCharacters(in: .whitespacesAndNewlines))[...]

        func isNameCharacter(_ character: Character) -> Bool {
            character.isLetter || character.isNumber || character == "-" || character == "_" || !character.isASCII
        }
        func readName() -> String? {
            let name = characters.prefix(while: isNameCharacter)
            characters = characters.dropFirst(name.count)
            return name.isEmpty ? nil : String(name)
        }
        func skipWhitespace() {
            characters = characters.drop(while: \.isWhitespace)
        }
        // The part after "[": name, then an operator and a value (quoted or a name), then "]".
        func readAttributeTest() -> AttributeTest? {
            skipWhitespace()
            guard let name = readName() else { return nil }
            skipWhitespace()
            if characters.first == "]" {
                characters = characters.dropFirst()
                return AttributeTest(name: name.lowercased(), match: .present, value: "", ignoresCase: false)
            }
            let symbol = characters.first == "=" ? "=" : String(characters.prefix(2))
            guard let match = AttributeTest.Operator(rawValue: symbol), match != .present else { return nil }
            characters = characters.dropFirst(symbol.count)
            skipWhitespace()
            let value: String
            if let quote = characters.first, quote == "\"" || quote == "'" {
                characters = characters.dropFirst()
                guard let end = characters.firstIndex(of: quote) else { return nil }
                value = String(characters[..<end])
                characters = characters[characters.index(after: end)...]
            } else {
                guard let name = readName() else { return nil }
                value = name
            }
            skipWhitespace()
            var ignoresCase = false
            if let flag = characters.first, flag == "i" || flag == "I" || flag == "s" || flag == "S" {
                ignoresCase = flag == "i" || flag == "I"
                characters = characters.dropFirst()
                skipWhitespace()
            }
            guard characters.first == "]" else { return nil }
            characters = characters.dropFirst()
            return AttributeTest(name: name.lowercased(), match: match, value: value, ignoresCase: ignoresCase)
        }
        // Closes the compound being read; a combinator must sit between two compounds.
        func finishCompound() -> Bool {
            guard let compound = current else { return true }
            if !compounds.isEmpty {
                combinators.append(pending ?? .descendant)
            } else if pending != nil {
                return false
            }
            compounds.append(compound)
            current = nil
            pending = nil
            return true
        }

        while let character = characters.first {
            if character.isWhitespace {
                characters = characters.dropFirst()
                guard finishCompound() else { return nil }
                if pending == nil, !compounds.isEmpty { pending = .descendant }
            } else if character == ">" {
                characters = characters.dropFirst()
                guard finishCompound(), !compounds.isEmpty else { return nil }
                pending = .child
            } else if character == "." || character == "#" {
                characters = characters.dropFirst()
                guard let name = readName() else { return nil }
                var compound = current ?? Compound()
                if character == "." {
                    compound.classes.append(name)
                } else {
                    guard compound.id == nil || compound.id == name else { return nil }
                    compound.id = name
                }
                current = compound
            } else if character == "[" {
                characters = characters.dropFirst()
                guard let test = readAttributeTest() else { return nil }
                var compound = current ?? Compound()
                compound.attributes.append(test)
                current = compound
            } else if character == "*", current == nil {
                characters = characters.dropFirst()
                current = Compound()
            } else if current == nil, isNameCharacter(character), let name = readName() {
                current = Compound(tag: name.lowercased())
            } else {
                // Pseudo-classes, +, ~, |, escapes: outside the subset.
                return nil
            }
        }
        // A trailing ">" leaves a combinator without a right-hand side.
        guard finishCompound(), !compounds.isEmpty, pending == nil || pending == .descendant else { return nil }
        self.compounds = compounds
        self.combinators = combinators
    }

    /// Whether the element at `index` matches, walking ancestors through `facts[i].parent`.
    func matches(_ index: Int, in facts: [ElementFacts]) -> Bool {
        matches(compound: compounds.count - 1, element: index, in: facts)
    }

    private func matches(compound position: Int, element index: Int, in facts: [ElementFacts]) -> Bool {
        guard compounds[position].matches(facts[index]) else { return false }
        if position == 0 { return true }
        switch combinators[position - 1] {
        case .child:
            guard let parent = facts[index].parent else { return false }
            return matches(compound: position - 1, element: parent, in: facts)
        case .descendant:
            var ancestor = facts[index].parent
            while let candidate = ancestor {
                if matches(compound: position - 1, element: candidate, in: facts) { return true }
                ancestor = facts[candidate].parent
            }
            return false
        }
    }
}
