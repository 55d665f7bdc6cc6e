import Foundation
import Testing
import VeritasProtocol

@Suite("Feed endpoint")
struct FeedMessageTests {
    static let messages: [FeedMessage] =
        [
            FeedMessage(event: .queued, auditID: Fixtures.auditID, status: .queued, timestamp: Fixtures.time,
                payload: ["url": "https://example.com", "tier": "standard", "verdict_mode": "simple"]),
            FeedMessage(event: .requeued, auditID: Fixtures.auditID, status: .queued, timestamp: Fixtures.time),
        ] + Fixtures.payloads.map { FeedMessage(applying: Fixtures.event($0, seq: 7), status: $0.name.impliedStatus) }

    @Test(arguments: messages)
    func messagesRoundTrip(_ message: FeedMessage) throws {
        let frames = message.encodeFrames()
        #expect(frames.count == 2)
        #expect(frames[0] == Data(message.auditID.rawValue.utf8))
        #expect(frames[0].count == 36)
        #expect(try FeedMessage.decode(frames: frames) == message)
    }

    @Test func screenshotsAreMetadataOnly() throws {
        let event = Fixtures.event(.screenshot(index: 1, label: "full", contentType: .png, image: Fixtures.image))
        let frames = FeedMessage(applying: event, status: .running).encodeFrames()
        #expect(frames[1].count < Fixtures.image.count)
        let json = try JSONValue.decode(frames[1])
        #expect(json["payload"] == ["index": 1, "label": "full", "content_type": "image/png", "byte_count": 300])
        #expect(json["event"] == "audit.screenshot")
        #expect(json["seq"] == 1)
        #expect(json["event_id"] == .string(Fixtures.eventID.rawValue))
    }

    @Test func writerEventsHaveExplicitNulls() throws {
        let frames = FeedMessage(event: .requeued, auditID: Fixtures.auditID, status: .queued, timestamp: Fixtures.time).encodeFrames()
        let json = try JSONValue.decode(frames[1])
        #expect(json["seq"] == .null)
        #expect(json["event_id"] == .null)
        #expect(json["payload"] == .null)
        #expect(FeedMessage.allAuditsTopic.isEmpty)
        #expect(FeedMessage.topic(for: Fixtures.auditID) == frames[0])
    }

    @Test func invalidFeedMessages() {
        let good = FeedMessage(event: .progress, auditID: Fixtures.auditID, status: .running, seq: 2, eventID: Fixtures.eventID,
            timestamp: Fixtures.time, payload: ["phase": "fetch", "percent": 10]).encodeFrames()
        expectProtocolError(.badRequest, mentioning: "2 frames", "got 1") { _ = try FeedMessage.decode(frames: [good[1]]) }
        expectProtocolError(.badRequest, mentioning: "got 3") { _ = try FeedMessage.decode(frames: good + [Data()]) }
        expectProtocolError(.badRequest, mentioning: "feed topic does not match field 'audit_id'") {
            _ = try FeedMessage.decode(frames: [FeedMessage.topic(for: Fixtures.otherAuditID), good[1]])
        }
        expectProtocolError(.badRequest, mentioning: "feed topic") { _ = try FeedMessage.decode(frames: [Data(), good[1]]) }
        let json = try! JSONValue.decode(good[1])
        let cases: [(String, JSONValue?, String)] = [
            ("event", "audit.paused", "field 'event' must be one of"),
            ("status", "paused", "field 'status' must be one of queued, running, completed, error; got 'paused'"),
            ("seq", 0, "field 'seq'"),
            ("event_id", "x", "invalid event_id"),
            ("timestamp", nil, "field 'timestamp' is required"),
            ("audit_id", nil, "field 'audit_id' is required"),
        ]
        for (key, value, fragment) in cases {
            expectProtocolError(.badRequest, mentioning: fragment) {
                _ = try FeedMessage.decode(frames: [good[0], json.setting(key, value).encoded()])
            }
        }
        var big = Data(#"{"pad":""#.utf8)
        big.append(Data(repeating: UInt8(ascii: "x"), count: ProtocolLimits.maxFeedFrameBytes))
        big.append(Data(#""}"#.utf8))
        expectProtocolError(.tooLarge, mentioning: "feed message") { _ = try FeedMessage.decode(frames: [good[0], big]) }
    }
}
