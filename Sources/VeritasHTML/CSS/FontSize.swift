import Foundation

/// A `font-size` value: absolute (resolved to CSS pixels) or relative to the parent or root size.
enum FontSize: Sendable, Equatable {
    /// An absolute size in CSS pixels (`px`, `pt`, `pc`, `in`, `cm`, `mm`, absolute keywords).
    case pixels(Double)
    /// A multiple of the parent's size (`em`, `%`, `ex` as half an em, `smaller`, `larger`).
    case parentRelative(Double)
    /// A multiple of the root element's size (`rem`).
    case rootRelative(Double)

    /// Browsers' default medium size.
    static let medium = 16.0

    init?(parsing text: String) {
        let value = text.trimmingCharacters(in: .whitespaces).lowercased()
        let keywords: [String: FontSize] = [
            "xx-small": .pixels(9), "x-small": .pixels(10), "small": .pixels(13), "medium": .pixels(16),
            "large": .pixels(18), "x-large": .pixels(24), "xx-large": .pixels(32), "xxx-large": .pixels(48),
            "smaller": .parentRelative(1 / 1.2), "larger": .parentRelative(1.2),
        ]
        if let keyword = keywords[value] {
            self = keyword
            return
        }
        // Longest suffixes first so "rem" is not read as "em".
        let units: [(String, (Double) -> FontSize)] = [
            ("rem", { .rootRelative($0) }), ("px", { .pixels($0) }), ("pt", { .pixels($0 * 4 / 3) }),
            ("pc", { .pixels($0 * 16) }), ("in", { .pixels($0 * 96) }), ("cm", { .pixels($0 * 96 / 2.54) }),
            ("mm", { .pixels($0 * 96 / 25.4) }), ("em", { .parentRelative($0) }), ("ex", { .parentRelative($0 / 2) }),
            ("%", { .parentRelative($0 / 100) }),
        ]
        for (unit, make) in units where value.hasSuffix(unit) {
            guard let number = Double(value.dropLast(unit.count)), number >= 0, number.isFinite else { return nil }
            self = make(number)
            return
        }
        // A unitless zero is a valid length; other unitless numbers are not.
        if value == "0" {
            self = .pixels(0)
            return
        }
        return nil
    }

    /// The size in CSS pixels given the parent's and the root's computed sizes.
    func resolved(parent: Double, root: Double) -> Double {
        switch self {
        case .pixels(let pixels): pixels
        case .parentRelative(let factor): parent * factor
        case .rootRelative(let factor): root * factor
        }
    }

    /// The multiplier of a relative value (`em`, `rem`, `%`, `ex`, `smaller`, `larger`); `nil` for
    /// absolute sizes.
    var relativeFactor: Double? {
        switch self {
        case .pixels: nil
        case .parentRelative(let factor), .rootRelative(let factor): factor
        }
    }
}
