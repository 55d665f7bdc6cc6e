import Foundation

/// A point in time with millisecond precision, written on the wire as RFC 3339 UTC with exactly
/// three fraction digits: `2026-11-26T15:08:43.123Z`.
///
/// Stored as an `Int64` of milliseconds since the Unix epoch so comparisons and arithmetic are
/// integer operations. Formatting and parsing are hand-written because `ISO8601DateFormatter` is
/// far too slow for the writer's ingest path, and because the parser must throw a clear
/// ``ProtocolError`` rather than return `nil`. Values are clamped to years 0000...9999 so every
/// timestamp formats to a valid RFC 3339 string.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z; negative before it.
    public let millisecondsSinceEpoch: Int64

    /// `0000-01-01T00:00:00.000Z`, the earliest representable instant.
    public static let minimumMilliseconds: Int64 = -62_167_219_200_000
    /// `9999-12-31T23:59:59.999Z`, the latest representable instant.
    public static let maximumMilliseconds: Int64 = 253_402_300_799_999

    private static let millisecondsPerDay: Int64 = 86_400_000

    /// Wraps a millisecond count, clamped to years 0000...9999.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = min(max(millisecondsSinceEpoch, Self.minimumMilliseconds), Self.maximumMilliseconds)
    }

    /// Converts a `Date`, truncating to the millisecond (NaN and infinities clamp to the range ends).
    public init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let clamped = milliseconds.isNaN
            ? 0 : min(max(milliseconds, Double(Self.minimumMilliseconds)), Double(Self.maximumMilliseconds))
        self.init(millisecondsSinceEpoch: Int64(clamped))
    }

    /// The current wall-clock time.
    public static var now: Timestamp { Timestamp(Date()) }

    /// The same instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    /// This instant moved by `milliseconds` (saturating at the range ends, never trapping);
    /// handy for deadlines such as "silent for 5 000 ms".
    public func adding(milliseconds: Int64) -> Timestamp {
        let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(milliseconds)
        return Timestamp(millisecondsSinceEpoch: overflow ? (milliseconds > 0 ? .max : .min) : sum)
    }

    /// Milliseconds from `other` to `self` (positive when `self` is later).
    public func milliseconds(since other: Timestamp) -> Int64 {
        millisecondsSinceEpoch - other.millisecondsSinceEpoch  // both within ±2.6e14: cannot overflow
    }

    /// Earlier instants sort first.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    // MARK: Formatting

    /// The wire form, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public var description: String {
        let days = Self.floorDivide(millisecondsSinceEpoch, Self.millisecondsPerDay)
        let millisecondOfDay = millisecondsSinceEpoch - days * Self.millisecondsPerDay
        let (year, month, day) = Self.civilDate(fromDays: days)
        let secondOfDay = millisecondOfDay / 1000
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, at offset: Int, digits: Int) {
            var rest = value
            for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
        put(year, at: 0, digits: 4)
        bytes[4] = UInt8(ascii: "-")
        put(month, at: 5, digits: 2)
        bytes[7] = UInt8(ascii: "-")
        put(day, at: 8, digits: 2)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, at: 11, digits: 2)
        bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 14, digits: 2)
        bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 17, digits: 2)
        bytes[19] = UInt8(ascii: ".")
        put(millisecondOfDay % 1000, at: 20, digits: 3)
        bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Parsing

    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an optional `.` with 1 to 9 fraction digits
    /// (truncated to milliseconds), then `Z` or `±hh:mm`. `t`/`z` are accepted as RFC 3339 allows.
    /// Leap seconds (`:60`) are refused. Throws `bad_request` naming `timestamp`.
    public init(_ text: String) throws(ProtocolError) {
        try self.init(text, field: "timestamp")
    }

    init(_ text: String, field: String) throws(ProtocolError) {
        guard text.utf8.count <= 40, let milliseconds = Self.parse(Array(text.utf8)) else {
            throw .badRequest(
                "invalid \(field): expected an RFC 3339 timestamp like 2026-11-26T15:08:43.123Z; got \(TextRules.quote(text))")
        }
        millisecondsSinceEpoch = milliseconds
    }

    private static func parse(_ bytes: [UInt8]) -> Int64? {
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func expect(_ allowed: UInt8...) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")),
            let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t")),
            let hour = number(2), expect(UInt8(ascii: ":")),
            let minute = number(2), expect(UInt8(ascii: ":")),
            let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }

        var fractionMilliseconds: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if digits < 3 { fractionMilliseconds = fractionMilliseconds * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard (1...9).contains(digits) else { return nil }
            var scale = digits
            while scale < 3 {
                fractionMilliseconds *= 10
                scale += 1
            }
        }

        var offsetMinutes: Int64 = 0
        if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            offsetMinutes = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHour = number(2), expect(UInt8(ascii: ":")), let offsetMinute = number(2),
                offsetHour < 24, offsetMinute < 60
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let local = days * millisecondsPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + fractionMilliseconds
        let utc = local - offsetMinutes * 60_000
        guard utc >= minimumMilliseconds, utc <= maximumMilliseconds else { return nil }
        return utc
    }

    // MARK: Calendar arithmetic (proleptic Gregorian, after H. Hinnant's "chrono-compatible
    // low-level date algorithms"; all intermediate values stay far inside Int64)

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor < 0) ? quotient - 1 : quotient
    }

    private static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
