import Foundation

/// One `property: value` pair of the CSS subset, after shorthand expansion.
///
/// Only the properties the presentation flags need are kept: `display`, `visibility`, `opacity`,
/// `font-size` (also from the `font` shorthand), `color` and `background-color` (also from the
/// `background` shorthand). Everything else is dropped while parsing.
struct CSSDeclaration: Sendable, Equatable {
    /// Lower-cased property name.
    var property: String
    /// The value, trimmed, without `!important`.
    var value: String
    var isImportant: Bool

    static let keptProperties: Set<String> = [
        "display", "visibility", "opacity", "font-size", "color", "background-color",
    ]

    /// Parses a declaration block (the inside of `{...}` or a `style` attribute).
    static func parseBlock<S: StringProtocol>(_ block: S) -> [CSSDeclaration] {
        var result: [CSSDeclaration] = []
        for item in splitTopLevel(String(block), separator: ";") {
            guard let colon = item.firstIndex(of: ":") else { continue }
            let property = item[..<colon].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            var value = item[item.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            var important = false
            if let bang = value.lastIndex(of: "!"),
               value[value.index(after: bang)...].trimmingCharacters(in: .whitespaces).lowercased() == "important" {
                important = true
                value = value[..<bang].trimmingCharacters(in: .whitespaces)
            }
            guard !property.isEmpty, !value.isEmpty else { continue }
            for (name, expanded) in expand(property: property, value: value) {
                result.append(CSSDeclaration(property: name, value: expanded, isImportant: important))
            }
        }
        return result
    }

    /// Longhands for the shorthands the flags depend on; other kept properties pass through.
    private static func expand(property: String, value: String) -> [(String, String)] {
        switch property {
        case "background":
            if isGlobalKeyword(value) { return [("background-color", value)] }
            // The shorthand resets the colour: no colour token means transparent.
            let color = splitTopLevel(value, separator: " ").first { CSSColor(parsing: $0) != nil }
            return [("background-color", color ?? "transparent")]
        case "font":
            if isGlobalKeyword(value) { return [("font-size", value)] }
            for token in splitTopLevel(value, separator: " ") {
                let size = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
                if FontSize(parsing: size) != nil { return [("font-size", size)] }
            }
            return []
        default:
            return keptProperties.contains(property) ? [(property, value)] : []
        }
    }

    static func isGlobalKeyword(_ value: String) -> Bool {
        ["inherit", "initial", "unset", "revert", "revert-layer"].contains(value.lowercased())
    }

    /// Splits on `separator` outside parentheses and quotes, dropping empty pieces.
    static func splitTopLevel(_ text: String, separator: Character) -> [String] {
        var pieces: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0, character == separator || (separator == " " && character.isWhitespace) {
                if !current.isEmpty { pieces.append(current) }
                current = ""
                continue
            }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { pieces.append(current) }
        return pieces.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
