/// A selector of the CSS subset: compound selectors made of an optional tag (or `*`), `#id` and
/// `.class` parts, joined by descendant (space) or child (`>`) combinators.
///
/// Attribute selectors, pseudo-classes, pseudo-elements, sibling combinators, namespaces and
/// escapes are outside the subset: `init(parsing:)` returns `nil` and the rule is ignored, which
/// is the conservative choice (a `:hover` or `::before` rule does not style the text at rest).
struct CSSSelector: Sendable, Equatable {
    struct Compound: Sendable, Equatable {
        /// Lower-cased tag name; `nil` for `*` or no tag.
        var tag: String?
        var id: String?
        var classes: [String] = []

        func matches(_ element: ElementFacts) -> Bool {
            if let tag, tag != element.tag { return false }
            if let id, id != element.id { return false }
            return classes.allSatisfy(element.classes.contains)
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
            sum + (compound.id == nil ? 0 : 1_000_000) + compound.classes.count * 1_000 + (compound.tag == nil ? 0 : 1)
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
            } else if character == "*", current == nil {
                characters = characters.dropFirst()
                current = Compound()
            } else if current == nil, isNameCharacter(character), let name = readName() {
                current = Compound(tag: name.lowercased())
            } else {
                // Attribute selectors, pseudo-classes, +, ~, |, escapes: outside the subset.
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
