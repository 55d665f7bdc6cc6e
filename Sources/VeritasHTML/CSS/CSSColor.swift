import Foundation

/// An sRGB colour with alpha, every channel in 0...1, as far as the CSS subset understands colours.
///
/// Parses hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`), `rgb()`/`rgba()` (comma or space syntax,
/// numbers or percentages), `hsl()`/`hsla()`, `transparent` and the common named colours. Anything
/// else (`color-mix()`, `var()`, system colours) is unknown and the caller keeps the inherited value.
struct CSSColor: Sendable, Equatable {
    var red: Double
    var green: Double
    var blue: Double
    var alpha: Double

    static let black = CSSColor(red: 0, green: 0, blue: 0, alpha: 1)
    static let white = CSSColor(red: 1, green: 1, blue: 1, alpha: 1)
    static let transparent = CSSColor(red: 0, green: 0, blue: 0, alpha: 0)
    /// The default colour of unvisited links in browsers' user-agent style sheets.
    static let link = CSSColor(red: 0, green: 0, blue: 0xEE / 255.0, alpha: 1)

    init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = Self.clamp(red)
        self.green = Self.clamp(green)
        self.blue = Self.clamp(blue)
        self.alpha = Self.clamp(alpha)
    }

    /// Parses a CSS colour value; `nil` when the value is not a colour this subset knows.
    init?(parsing text: String) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if value.hasPrefix("#") {
            guard let color = Self.hex(value.dropFirst()) else { return nil }
            self = color
        } else if let open = value.firstIndex(of: "("), value.hasSuffix(")") {
            let name = value[..<open].trimmingCharacters(in: .whitespaces)
            let arguments = Self.arguments(value[value.index(after: open)..<value.index(before: value.endIndex)])
            switch name {
            case "rgb", "rgba":
                guard let color = Self.rgb(arguments) else { return nil }
                self = color
            case "hsl", "hsla":
                guard let color = Self.hsl(arguments) else { return nil }
                self = color
            default:
                return nil
            }
        } else if value == "transparent" {
            self = .transparent
        } else if let hex = Self.named[value] {
            self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                      blue: Double(hex & 0xFF) / 255)
        } else {
            return nil
        }
    }

    /// This colour painted over `background` (source-over); opaque when the background is.
    func composited(over background: CSSColor) -> CSSColor {
        let outAlpha = alpha + background.alpha * (1 - alpha)
        guard outAlpha > 0 else { return .transparent }
        func mix(_ top: Double, _ bottom: Double) -> Double {
            (top * alpha + bottom * background.alpha * (1 - alpha)) / outAlpha
        }
        return CSSColor(red: mix(red, background.red), green: mix(green, background.green),
                        blue: mix(blue, background.blue), alpha: outAlpha)
    }

    /// WCAG 2.x relative luminance (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).
    var relativeLuminance: Double {
        func linear(_ channel: Double) -> Double {
            channel <= 0.04045 ? channel / 12.92 : pow((channel + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// WCAG 2.x contrast ratio between two opaque colours, 1...21.
    static func contrastRatio(_ first: CSSColor, _ second: CSSColor) -> Double {
        let a = first.relativeLuminance, b = second.relativeLuminance
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    // MARK: Parsing helpers

    private static func clamp(_ value: Double) -> Double { min(max(value.isNaN ? 0 : value, 0), 1) }

    private static func hex(_ digits: Substring) -> CSSColor? {
        guard digits.allSatisfy(\.isHexDigit) else { return nil }
        let nibbles = digits.compactMap { $0.hexDigitValue }.map(Double.init)
        switch nibbles.count {
        case 3, 4:
            return CSSColor(red: nibbles[0] * 17 / 255, green: nibbles[1] * 17 / 255, blue: nibbles[2] * 17 / 255,
                            alpha: nibbles.count == 4 ? nibbles[3] * 17 / 255 : 1)
        case 6, 8:
            func byte(_ index: Int) -> Double { (nibbles[index] * 16 + nibbles[index + 1]) / 255 }
            return CSSColor(red: byte(0), green: byte(2), blue: byte(4), alpha: nibbles.count == 8 ? byte(6) : 1)
        default:
            return nil
        }
    }

    /// Splits `a, b, c` or `a b c / d` into components; the alpha after `/` becomes the last one.
    private static func arguments(_ text: Substring) -> [String] {
        text.replacingOccurrences(of: "/", with: " ").replacingOccurrences(of: ",", with: " ")
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    }

    /// A number, or a percentage scaled so that 100% is `percentScale`.
    private static func number(_ text: String, percentScale: Double) -> Double? {
        if text.hasSuffix("%") { return Double(text.dropLast()).map { $0 / 100 * percentScale } }
        return Double(text)
    }

    private static func rgb(_ parts: [String]) -> CSSColor? {
        guard parts.count == 3 || parts.count == 4,
              let r = number(parts[0], percentScale: 255), let g = number(parts[1], percentScale: 255),
              let b = number(parts[2], percentScale: 255) else { return nil }
        let a = parts.count == 4 ? number(parts[3], percentScale: 1) : 1
        guard let alpha = a else { return nil }
        return CSSColor(red: r / 255, green: g / 255, blue: b / 255, alpha: alpha)
    }

    private static func hsl(_ parts: [String]) -> CSSColor? {
        guard parts.count == 3 || parts.count == 4,
              let hue = Double(parts[0].replacingOccurrences(of: "deg", with: "")),
              let s = number(parts[1], percentScale: 1), let l = number(parts[2], percentScale: 1) else { return nil }
        let a = parts.count == 4 ? number(parts[3], percentScale: 1) : 1
        guard let alpha = a else { return nil }
        // CSS Color 4, "Converting HSL colors to sRGB colors".
        func channel(_ n: Double) -> Double {
            let k = (n + hue / 30).truncatingRemainder(dividingBy: 12)
            let amount = s * min(l, 1 - l)
            return l - amount * max(-1, min(k - 3, 9 - k, 1))
        }
        return CSSColor(red: channel(0), green: channel(8), blue: channel(4), alpha: alpha)
    }

    /// The CSS basic colours plus the greys, pale tints and brand-ish names pages commonly use.
    private static let named: [String: UInt32] = [
        "black": 0x000000, "white": 0xFFFFFF, "red": 0xFF0000, "green": 0x008000, "blue": 0x0000FF,
        "yellow": 0xFFFF00, "orange": 0xFFA500, "purple": 0x800080, "gray": 0x808080, "grey": 0x808080,
        "silver": 0xC0C0C0, "maroon": 0x800000, "fuchsia": 0xFF00FF, "magenta": 0xFF00FF, "lime": 0x00FF00,
        "olive": 0x808000, "navy": 0x000080, "teal": 0x008080, "aqua": 0x00FFFF, "cyan": 0x00FFFF,
        "lightgray": 0xD3D3D3, "lightgrey": 0xD3D3D3, "darkgray": 0xA9A9A9, "darkgrey": 0xA9A9A9,
        "dimgray": 0x696969, "dimgrey": 0x696969, "gainsboro": 0xDCDCDC, "whitesmoke": 0xF5F5F5,
        "slategray": 0x708090, "slategrey": 0x708090, "lightslategray": 0x778899, "lightslategrey": 0x778899,
        "darkslategray": 0x2F4F4F, "darkslategrey": 0x2F4F4F, "snow": 0xFFFAFA, "ivory": 0xFFFFF0,
        "beige": 0xF5F5DC, "linen": 0xFAF0E6, "ghostwhite": 0xF8F8FF, "aliceblue": 0xF0F8FF,
        "mintcream": 0xF5FFFA, "honeydew": 0xF0FFF0, "azure": 0xF0FFFF, "seashell": 0xFFF5EE,
        "floralwhite": 0xFFFAF0, "oldlace": 0xFDF5E6, "lavender": 0xE6E6FA, "lightyellow": 0xFFFFE0,
        "lightblue": 0xADD8E6, "lightgreen": 0x90EE90, "pink": 0xFFC0CB, "lightpink": 0xFFB6C1,
        "darkred": 0x8B0000, "darkgreen": 0x006400, "darkblue": 0x00008B, "crimson": 0xDC143C,
        "tomato": 0xFF6347, "gold": 0xFFD700, "goldenrod": 0xDAA520, "indigo": 0x4B0082, "violet": 0xEE82EE,
        "brown": 0xA52A2A, "tan": 0xD2B48C, "khaki": 0xF0E68C, "coral": 0xFF7F50, "salmon": 0xFA8072,
        "skyblue": 0x87CEEB, "steelblue": 0x4682B4, "royalblue": 0x4169E1, "dodgerblue": 0x1E90FF,
        "seagreen": 0x2E8B57, "forestgreen": 0x228B22, "midnightblue": 0x191970, "chocolate": 0xD2691E,
        "firebrick": 0xB22222, "orangered": 0xFF4500, "darkorange": 0xFF8C00, "wheat": 0xF5DEB3,
    ]
}
