import Synchronization

/// The canonical textual UUID shared by ``AuditID`` and ``EventID``: validation, normalisation
/// and UUIDv7 generation (RFC 9562), all on bytes, without regular expressions or `Foundation.UUID`.
enum CanonicalUUID {
    /// The lowercase canonical form of `text`, or `nil` unless it is exactly 36 ASCII characters
    /// in the 8-4-4-4-12 layout of hex digits.
    static func normalized(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        var lowered = [UInt8]()
        lowered.reserveCapacity(36)
        for (position, byte) in utf8.enumerated() {
            switch position {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return nil }
                lowered.append(byte)
            default:
                guard TextRules.isHexDigit(byte) else { return nil }
                // ASCII upper to lower: set bit 5 on letters only.
                lowered.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") ? byte | 0x20 : byte)
            }
        }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// A new UUIDv7: 48-bit big-endian Unix milliseconds, version 7, variant `10`, 74 bits that
    /// are random for the first id of a millisecond and counted up from there (RFC 9562 §6.2,
    /// method 2: monotonic random), so ids made by one process are strictly increasing. Audits
    /// submitted in the same millisecond are then listed and handed out in submission order.
    static func generateV7(milliseconds: Int64 = Timestamp.now.millisecondsSinceEpoch) -> String {
        let requested = UInt64(clamping: max(0, milliseconds)) & 0xFFFF_FFFF_FFFF
        let (unixMilliseconds, randomA, randomB) = lastV7.withLock { last -> (UInt64, UInt16, UInt64) in
            var generator = SystemRandomNumberGenerator()
            // Fresh random bits, leaving headroom so counting up rarely overflows.
            let fresh = (requested, UInt16.random(in: 0...0x7FF, using: &generator), generator.next() & 0x1FFF_FFFF_FFFF_FFFF)
            if requested > last.milliseconds {
                last = fresh
            } else if requested + 10_000 < last.milliseconds {
                // An explicitly older time, not a clock step back: embed it as asked.
                return fresh
            } else if last.randomB < 0x3FFF_FFFF_FFFF_FFFF {
                last.randomB += 1
            } else if last.randomA < 0xFFF {
                last.randomA += 1
                last.randomB = 0
            } else {
                // 74 bits exhausted within one millisecond: borrow the next millisecond.
                last = (last.milliseconds + 1, 0, 0)
            }
            return (last.milliseconds, last.randomA, last.randomB)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for position in 0..<6 {
            bytes[position] = UInt8(truncatingIfNeeded: unixMilliseconds >> (40 - 8 * UInt64(position)))
        }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: randomA >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: randomA)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: randomB >> 56)
        for position in 9..<16 {
            bytes[position] = UInt8(truncatingIfNeeded: randomB >> (8 * UInt64(15 - position)))
        }
        return format(bytes)
    }

    /// The last id generated: its milliseconds, 12-bit `rand_a` and 62-bit `rand_b`.
    private static let lastV7 = Mutex<(milliseconds: UInt64, randomA: UInt16, randomB: UInt64)>((0, 0, 0))

    /// The Unix milliseconds embedded in a version 7 UUID, or `nil` for other versions.
    static func v7Milliseconds(_ canonical: String) -> Int64? {
        let utf8 = Array(canonical.utf8)
        guard utf8.count == 36, utf8[14] == UInt8(ascii: "7") else { return nil }
        var value: Int64 = 0
        for byte in utf8[0..<8] + utf8[9..<13] {
            value = value << 4 | Int64(hexValue(byte))
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: 0
        }
    }

    private static func format(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (position, byte) in bytes.enumerated() {
            if position == 4 || position == 6 || position == 8 || position == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func invalid(_ field: String, _ text: String) -> ProtocolError {
        .badRequest(
            "invalid \(field): expected a canonical UUID (36 characters, 8-4-4-4-12 hex digits); got \(TextRules.quote(text))")
    }
}
