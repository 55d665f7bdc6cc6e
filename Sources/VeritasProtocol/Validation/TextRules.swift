/// Character-level rules shared by all text fields.
///
/// Lengths count Unicode scalars (what Python's `len(str)` counts), never grapheme clusters: a
/// cluster can hide an unbounded number of scalars, and integrators need to check limits cheaply.
enum TextRules {
    /// Which characters a text field may hold.
    enum Kind {
        /// No control characters at all (labels, ids, versions, locations).
        case singleLine
        /// Like ``singleLine`` but tab, line feed and carriage return are allowed (narratives, evidence, messages).
        case multiline
    }

    static func scalarCount(_ text: String) -> Int {
        text.unicodeScalars.count
    }

    /// Cuts `text` to at most `limit` scalars; never splits a scalar.
    static func truncated(_ text: String, toScalars limit: Int) -> String {
        var count = 0
        for index in text.unicodeScalars.indices {
            if count == limit { return String(text.unicodeScalars[..<index]) }
            count += 1
        }
        return text
    }

    /// Unicode general category Cc: C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The first control character that `kind` does not allow, if any.
    ///
    /// Scans UTF-8 bytes (every field passes through here, so it is hot): C0 controls and DEL are
    /// single bytes, C1 controls are `0xC2 0x80...0x9F`; no other sequence can encode a Cc scalar.
    static func forbiddenCharacter(in text: String, kind: Kind) -> Unicode.Scalar? {
        var text = text
        return text.withUTF8 { bytes -> Unicode.Scalar? in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x20 || byte == 0x7F {
                    let allowed = kind == .multiline && (byte == 0x0A || byte == 0x0D || byte == 0x09)
                    if !allowed { return Unicode.Scalar(byte) }
                } else if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                    return Unicode.Scalar(bytes[index + 1])
                }
                index += 1
            }
            return nil
        }
    }

    /// `true` for 1...`maxLength` characters from `[a-z0-9_]` (progress phases, signal names).
    static func isIdentifier(_ text: String, maxLength: Int) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// `true` for exactly 64 hex digits (a SHA-256 in hex), either case.
    static func isSHA256Hex(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == 64 && utf8.allSatisfy(isHexDigit)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }

    /// A value quoted for an error message: at most 64 scalars, controls shown as `\u{..}`, so a
    /// hostile value can neither flood nor forge log lines.
    static func quote(_ text: String) -> String {
        var result = "'"
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 64 {
                result += "…"
                break
            }
            if isControl(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result + "'"
    }

    /// A JSON value as shown after "got" in an error message.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): quote(text)
        case .number(let number): String(decoding: JSONValue.number(number).encoded(), as: UTF8.self)
        case .bool(let flag): flag ? "true" : "false"
        default: value.typeName
        }
    }
}
