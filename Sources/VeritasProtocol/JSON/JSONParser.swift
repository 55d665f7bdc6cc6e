import Foundation

/// A strict RFC 8259 parser from UTF-8 bytes to ``JSONValue``.
///
/// Written here rather than using `JSONSerialization` or `JSONDecoder` because the contract needs
/// guarantees those do not give together: it never traps on any input, it throws only
/// ``ProtocolError``, it rejects invalid UTF-8, lone surrogates, non-finite numbers and duplicate
/// keys (two parsers reading different values from one message is a classic smuggling bug), and
/// it is fast enough for the writer's ingest path (no bridging through `NSNumber`).
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private var index = 0

    private init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses exactly one value surrounded by optional whitespace.
    static func parse(_ data: Data, maxDepth: Int) throws(ProtocolError) -> JSONValue {
        let result: Result<JSONValue, ProtocolError> = data.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw, maxDepth: maxDepth)
            return Result { () throws(ProtocolError) -> JSONValue in try parser.parseDocument() }
        }
        return try result.get()
    }

    private mutating func parseDocument() throws(ProtocolError) -> JSONValue {
        skipWhitespace()
        if index == bytes.count { throw malformed("empty input") }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index != bytes.count { throw malformed("unexpected data after the value at byte \(index)") }
        return value
    }

    private mutating func parseValue(depth: Int) throws(ProtocolError) -> JSONValue {
        guard index < bytes.count else { throw malformed("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected()
        }
    }

    private mutating func parseObject(depth: Int) throws(ProtocolError) -> JSONValue {
        if depth > maxDepth { throw JSONDepthScanner.depthError }
        index += 1  // {
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string key") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw unexpected(expecting: "':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if fields.updateValue(value, forKey: key) != nil {
                throw malformed("duplicate key \(TextRules.quote(key))")
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(fields)
            default: throw unexpected(expecting: "',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(ProtocolError) -> JSONValue {
        if depth > maxDepth { throw JSONDepthScanner.depthError }
        index += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw unexpected(expecting: "',' or ']'")
            }
        }
    }

    /// Reads a string starting at its opening quote. Strings without escapes (nearly all of them)
    /// are validated and copied in one step.
    private mutating func parseString() throws(ProtocolError) -> String {
        index += 1  // opening quote
        let start = index
        var isASCII = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                // ASCII needs no validation; the validating initializer is much slower.
                let text = isASCII ? String(decoding: raw, as: UTF8.self) : try makeString(raw)
                index += 1
                return text
            }
            if byte >= 0x80 { isASCII = false }
            if byte == UInt8(ascii: "\\") {
                var buffer = [UInt8](bytes[start..<index])
                return try parseEscapedString(into: &buffer)
            }
            if byte < 0x20 { throw malformed("control character in a string at byte \(index)") }
            index += 1
        }
        throw malformed("unterminated string")
    }

    private mutating func parseEscapedString(into buffer: inout [UInt8]) throws(ProtocolError) -> String {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw malformed("invalid UTF-8 in a string")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw malformed("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): appendUTF8(of: try parseUnicodeEscape(), to: &buffer)
                default: throw malformed("invalid escape in a string at byte \(index - 1)")
                }
            default:
                if byte < 0x20 { throw malformed("control character in a string at byte \(index)") }
                buffer.append(byte)
                index += 1
            }
        }
        throw malformed("unterminated string")
    }

    /// Reads the hex digits after `\u`, joining a surrogate pair into one scalar.
    private mutating func parseUnicodeEscape() throws(ProtocolError) -> Unicode.Scalar {
        let first = try parseHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw malformed("unpaired surrogate in a \\u escape") }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw malformed("unpaired surrogate in a \\u escape") }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw malformed("invalid \\u escape") }
            return scalar
        case 0xDC00...0xDFFF:
            throw malformed("unpaired surrogate in a \\u escape")
        default:
            guard let scalar = Unicode.Scalar(first) else { throw malformed("invalid \\u escape") }
            return scalar
        }
    }

    private mutating func parseHex4() throws(ProtocolError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw malformed("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw malformed("invalid hex digit in a \\u escape at byte \(index)")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func appendUTF8(of scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        if let encoded = UTF8.encode(scalar) { buffer.append(contentsOf: encoded) }
    }

    private func makeString(_ raw: UnsafeRawBufferPointer) throws(ProtocolError) -> String {
        guard let text = String(validating: raw, as: UTF8.self) else { throw malformed("invalid UTF-8 in a string") }
        return text
    }

    /// Reads a number per the RFC 8259 grammar. Short integers are converted directly; the rest go
    /// through the standard library's correctly rounded conversion. Non-finite results are refused.
    private mutating func parseNumber() throws(ProtocolError) -> Double {
        let start = index
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard let firstDigit = peek(), isDigit(firstDigit) else { throw unexpected(expecting: "a digit") }
        var integer: Int64 = 0
        var digits = 0
        if firstDigit == UInt8(ascii: "0") {
            index += 1
            digits = 1
        } else {
            while let byte = peek(), isDigit(byte) {
                if digits < 18 { integer = integer * 10 + Int64(byte - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
        }
        var isPlainInteger = digits <= 18
        if peek() == UInt8(ascii: ".") {
            isPlainInteger = false
            index += 1
            guard let byte = peek(), isDigit(byte) else { throw unexpected(expecting: "a digit after '.'") }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            isPlainInteger = false
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek(), isDigit(byte) else { throw unexpected(expecting: "a digit in the exponent") }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if isPlainInteger {
            let value = Double(integer)
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw malformed("number out of range at byte \(start)")
        }
        return value
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ProtocolError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw malformed("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
            return true
        }
        guard matches else { throw unexpected() }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func unexpected(expecting expected: String? = nil) -> ProtocolError {
        guard index < bytes.count else { return malformed("unexpected end of input") }
        let suffix = expected.map { ", expected \($0)" } ?? ""
        return malformed("unexpected character at byte \(index)\(suffix)")
    }

    private func malformed(_ detail: String) -> ProtocolError {
        .badRequest("malformed JSON: \(detail)")
    }
}
