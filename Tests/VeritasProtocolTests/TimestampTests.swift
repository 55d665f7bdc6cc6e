import Foundation
import Testing
import VeritasProtocol

@Suite("Timestamps")
struct TimestampTests {
    @Test func formatsRFC3339UTCWithMilliseconds() {
        #expect(Fixtures.time.description == "2026-11-26T15:08:43.123Z")
        #expect(Timestamp(millisecondsSinceEpoch: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_709_251_199_999).description == "2024-02-29T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: -62_135_596_800_000).description == "0001-01-01T00:00:00.000Z")
    }

    @Test func clampsToYearsZeroToNineThousandNineHundredNinetyNine() {
        #expect(Timestamp(millisecondsSinceEpoch: .max).description == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: .min).description == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: .max).adding(milliseconds: .max) == Timestamp(millisecondsSinceEpoch: .max))
        #expect(Timestamp(millisecondsSinceEpoch: .min).adding(milliseconds: .min) == Timestamp(millisecondsSinceEpoch: .min))
        #expect(Timestamp(Date(timeIntervalSince1970: .infinity)).millisecondsSinceEpoch == Timestamp.maximumMilliseconds)
        #expect(Timestamp(Date(timeIntervalSince1970: .nan)).millisecondsSinceEpoch == 0)
    }

    @Test(arguments: [
        ("2026-11-26T15:08:43.123Z", 1_795_705_723_123),
        ("2026-11-26t15:08:43.123z", 1_795_705_723_123),
        ("2026-11-26T16:08:43.123+01:00", 1_795_705_723_123),
        ("2026-11-26T10:38:43.123-04:30", 1_795_705_723_123),
        ("2026-11-26T15:08:43Z", 1_795_705_723_000),
        ("2026-11-26T15:08:43.1Z", 1_795_705_723_100),
        ("2026-11-26T15:08:43.12Z", 1_795_705_723_120),
        ("2026-11-26T15:08:43.123456789Z", 1_795_705_723_123),
        ("2026-11-26T15:08:43.999999999Z", 1_795_705_723_999),
        ("2026-11-26T15:08:43.000+00:00", 1_795_705_723_000),
        ("2026-11-26T15:08:43.000-00:00", 1_795_705_723_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59.999Z", 1_709_251_199_999),
    ] as [(String, Int64)])
    func parsesRFC3339(_ text: String, _ expected: Int64) throws {
        #expect(try Timestamp(text).millisecondsSinceEpoch == expected)
    }

    @Test(arguments: [
        "", "2026-11-26", "2026-11-26T15:08:43", "2026-11-26 15:08:43Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T15:60:00Z",
        "2026-11-26T15:08:60Z", "2026-11-26T15:08:43.Z", "2026-11-26T15:08:43.1234567890Z", "2026-11-26T15:08:43+1:00",
        "2026-11-26T15:08:43+01:60", "2026-11-26T15:08:43+24:00", "2026-11-26T15:08:43+0100", "2026-11-26T15:08:43ZZ",
        "2026-11-26T15:08:43.123Z ", " 2026-11-26T15:08:43.123Z", "２０２６-11-26T15:08:43Z", "26-11-26T15:08:43Z",
        "+2026-11-26T15:08:43Z", "2026-11-26T15:08:43.-1Z", "0000-01-01T00:00:00+00:01", "1776-07-04T12:00:00.123Z\u{0}",
        "9999-12-31T23:59:59.999-00:01", String(repeating: "2", count: 10_000), "NaN", "2026-11-26T15:08:43,123Z",
    ])
    func rejectsEverythingElse(_ text: String) {
        expectProtocolError(.badRequest, mentioning: "invalid timestamp", "RFC 3339") { _ = try Timestamp(text) }
    }

    @Test func leapYearsFollowTheGregorianRules() throws {
        #expect(throws: Never.self) { try Timestamp("2000-02-29T00:00:00Z") }
        #expect(throws: Never.self) { try Timestamp("2024-02-29T00:00:00Z") }
        #expect(throws: ProtocolError.self) { try Timestamp("1900-02-29T00:00:00Z") }
    }

    @Test func formattingAgreesWithFoundationsCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            // 1900...2200, where Foundation's calendar is unambiguous.
            let milliseconds = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &generator)
            let stamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: stamp.date)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0,
                Int(((milliseconds % 1000) + 1000) % 1000))
            #expect(stamp.description == expected)
            #expect(try Timestamp(stamp.description) == stamp)
        }
    }

    @Test func roundTripsAcrossTheWholeRange() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<5_000 {
            let milliseconds = Int64.random(
                in: Timestamp.minimumMilliseconds...Timestamp.maximumMilliseconds, using: &generator)
            let stamp = Timestamp(millisecondsSinceEpoch: milliseconds)
            #expect(try Timestamp(stamp.description) == stamp)
        }
    }

    @Test func orderingArithmeticAndNow() {
        let later = Fixtures.time.adding(milliseconds: 5_000)
        #expect(Fixtures.time < later)
        #expect(later.milliseconds(since: Fixtures.time) == 5_000)
        let now = Timestamp.now
        #expect(abs(now.date.timeIntervalSinceNow) < 5)
        #expect(Timestamp(now.date) == now)
    }

    @Test func fieldNameAppearsInMessages() {
        expectProtocolError(.badRequest, mentioning: "invalid created_at") {
            _ = try WriterMessage.decode(frame("""
                {"type":"job","audit_id":"\(Fixtures.auditID)","url":"https://a.example","tier":"quick",
                 "verdict_mode":"simple","attempt":1,"created_at":"2026-11-26"}
                """))
        }
    }
}
