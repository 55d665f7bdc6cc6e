import Foundation
import Testing
@testable import VeritasProtocol

@Suite("Identifiers")
struct IdentifierTests {
    @Test func canonicalAuditIDIsAcceptedAndUppercaseIsNormalised() throws {
        let lower = try AuditID("0192f7a4-3b1c-7d2e-8f00-0123456789ab")
        let upper = try AuditID("0192F7A4-3B1C-7D2E-8F00-0123456789AB")
        #expect(lower == upper)
        #expect(upper.rawValue == "0192f7a4-3b1c-7d2e-8f00-0123456789ab")
        #expect(upper.description == upper.rawValue)
        #expect(Set([lower, upper]).count == 1)
    }

    static let hostile = [
        "../../etc", "%2e%2e", "", "..", "/", "0192f7a4-3b1c-7d2e-8f00-0123456789a",  // 35
        "0192f7a4-3b1c-7d2e-8f00-0123456789abc",  // 37
        "0192f7a4-3b1c-7d2e-8f00-0123456789ag",  // non-hex
        "0192f7a43b1c-7d2e-8f00-0123456789ab-",  // hyphen misplaced
        "0192f7a4_3b1c_7d2e_8f00_0123456789ab",
        " 0192f7a4-3b1c-7d2e-8f00-0123456789a",
        "0192f7a4-3b1c-7d2e-8f00-0123456789a\u{0}",
        "０１９２f7a4-3b1c-7d2e-8f00-0123456789ab",  // fullwidth digits
        "0192f7a4-3b1c-7d2e-8f00-01234567é9ab",
        "0192f7a4-3b1c-7d2e-8f00-0123456789ab/..",
        "{0192f7a4-3b1c-7d2e-8f00-0123456789ab}",
        "urn:uuid:0192f7a4-3b1c-7d2e-8f00-0123456789ab",
    ]

    @Test(arguments: hostile)
    func hostileAuditIDsAreRejected(_ text: String) {
        expectProtocolError(.badRequest, mentioning: "invalid audit_id") { _ = try AuditID(text) }
        expectProtocolError(.badRequest, mentioning: "invalid event_id") { _ = try EventID(text) }
    }

    @Test func hostileIDInAQueryNamesTheField() {
        expectProtocolError(.badRequest, mentioning: "audit_id", "../../etc") {
            _ = try QueryEnvelope.decode(frame(#"{"op":"status","audit_id":"../../etc"}"#))
        }
    }

    @Test func generatedIDsAreVersion7AndPathSafe() throws {
        var seen = Set<AuditID>()
        for _ in 0..<1000 {
            let id = AuditID.generate()
            let bytes = Array(id.rawValue.utf8)
            #expect(bytes.count == 36)
            #expect(bytes[14] == UInt8(ascii: "7"))  // version
            #expect("89ab".utf8.contains(bytes[19]))  // variant 10xx
            #expect(bytes.allSatisfy { "0123456789abcdef-".utf8.contains($0) })
            #expect(try AuditID(id.rawValue) == id)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
        #expect(EventID.generate() != EventID.generate())
    }

    @Test func generatedIDsCarryTheirCreationTime() throws {
        let before = Timestamp.now
        let id = EventID.generate()
        let after = Timestamp.now
        let embedded = try #require(id.embeddedTimestamp)
        #expect(embedded >= before && embedded <= after)
        // A v4 UUID has no embedded time.
        #expect(try AuditID("550e8400-e29b-41d4-a716-446655440000").embeddedTimestamp == nil)
    }

    @Test func idsGeneratedLaterSortLater() throws {
        let base: Int64 = 1_795_705_723_123
        let ids = try (0..<100).map { offset in try AuditID(CanonicalUUID.generateV7(milliseconds: base + Int64(offset))) }
        #expect(ids == ids.sorted())
        #expect(ids[0].embeddedTimestamp == Timestamp(millisecondsSinceEpoch: base))
        #expect(ids[0].rawValue.hasPrefix("01a21866-d8f3-7"))  // 48-bit big-endian milliseconds, then version 7
    }

    @Test(arguments: ["a", "runner-1", "A.b_c-9", "host.example.com", String(repeating: "r", count: 64), "_", "-"])
    func validRunnerIDs(_ text: String) throws {
        #expect(try RunnerID(text).rawValue == text)
    }

    @Test(arguments: [
        "", ".hidden", "..", ".", "a/b", "a b", "a\u{0}", String(repeating: "r", count: 65), "rünner", "a:b", "a\\b", "a\n",
    ])
    func invalidRunnerIDs(_ text: String) {
        expectProtocolError(.badRequest, mentioning: "invalid runner_id") { _ = try RunnerID(text) }
    }
}
