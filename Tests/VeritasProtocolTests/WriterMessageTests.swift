import Foundation
import Testing
import VeritasProtocol

@Suite("Runners endpoint: writer → runner")
struct WriterMessageTests {
    static let messages: [WriterMessage] = [
        .welcome(WriterWelcome(writerID: Fixtures.writerID)),
        .welcome(WriterWelcome(writerID: Fixtures.writerID, heartbeatIntervalMilliseconds: 250, heartbeatTimeoutMilliseconds: 1_000)),
        .job(AuditJob(
            auditID: Fixtures.auditID, url: "https://shop.example.com/", tier: .deep, verdictMode: .expert, attempt: 2,
            createdAt: Fixtures.time)),
        .ack(eventIDs: [Fixtures.eventID]),
        .ack(eventIDs: (0..<ProtocolLimits.maxAckBatch).map { _ in EventID.generate() }),
        .reject(eventID: Fixtures.eventID, error: .badRequest("field 'payload.tier' must be one of quick, standard, deep")),
        .reject(eventID: nil, error: .tooLarge("runner message header is 2000000 bytes")),
        .heartbeat(writerID: Fixtures.writerID),
        .error(ProtocolError(.badRequest, "field 'capacity' must be an integer between 1 and 256; got 0")),
    ]

    @Test(arguments: messages)
    func messagesRoundTrip(_ message: WriterMessage) throws {
        let encoded = message.encode()
        #expect(try WriterMessage.decode(encoded) == message)
        #expect(try WriterMessage.decode(frames: [encoded]) == message)
        #expect(encoded.count <= ProtocolLimits.maxWriterMessageBytes)
    }

    @Test func wireShapes() throws {
        let welcome = try JSONValue.decode(WriterMessage.welcome(WriterWelcome(writerID: Fixtures.writerID)).encode())
        #expect(welcome == [
            "type": "welcome", "protocol": 1, "writer_id": "writer-a", "heartbeat_interval_ms": 1000, "heartbeat_timeout_ms": 5000,
        ])
        let reject = try JSONValue.decode(WriterMessage.reject(eventID: nil, error: .badRequest("x")).encode())
        #expect(reject == ["type": "reject", "event_id": .null, "error": ["code": "bad_request", "message": "x"]])
        let ack = try JSONValue.decode(WriterMessage.ack(eventIDs: [Fixtures.eventID]).encode())
        #expect(ack == ["type": "ack", "event_ids": [.string(Fixtures.eventID.rawValue)]])
    }

    @Test(arguments: [
        (#"{"type":"ack","event_ids":[]}"#, "field 'event_ids' must have at least 1 item"),
        (#"{"type":"ack"}"#, "field 'event_ids' is required"),
        (#"{"type":"ack","event_ids":["0192f7a4-3b1d-7000-8000-00000000000e","x"]}"#, "invalid event_ids[1]"),
        (#"{"type":"welcome","protocol":2,"writer_id":"w","heartbeat_interval_ms":1000,"heartbeat_timeout_ms":5000}"#, "field 'protocol' is 2"),
        (#"{"type":"welcome","protocol":1,"writer_id":"w","heartbeat_interval_ms":0,"heartbeat_timeout_ms":5000}"#, "field 'heartbeat_interval_ms' must be an integer between 1 and 3600000; got 0"),
        (#"{"type":"welcome","protocol":1,"writer_id":"w","heartbeat_interval_ms":1000}"#, "field 'heartbeat_timeout_ms' is required"),
        (#"{"type":"welcome","protocol":1,"writer_id":"w/x","heartbeat_interval_ms":1000,"heartbeat_timeout_ms":5000}"#, "invalid writer_id"),
        (#"{"type":"job","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","url":"gopher://x","tier":"quick","verdict_mode":"simple","attempt":1,"created_at":"2026-11-26T15:08:43.123Z"}"#, "field 'url' must use the http or https scheme"),
        (#"{"type":"job","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","url":"https://x","tier":"quick","verdict_mode":"simple","attempt":0,"created_at":"2026-11-26T15:08:43.123Z"}"#, "field 'attempt' must be an integer between 1 and 1000; got 0"),
        (#"{"type":"job","url":"https://x","tier":"quick","verdict_mode":"simple","attempt":1,"created_at":"2026-11-26T15:08:43.123Z"}"#, "field 'audit_id' is required"),
        (#"{"type":"reject","event_id":"0192f7a4-3b1d-7000-8000-00000000000e"}"#, "field 'error' is required"),
        (#"{"type":"reject","event_id":"nope","error":{"code":"bad_request","message":"m"}}"#, "invalid event_id"),
        (#"{"type":"error","error":{"code":"bad_request"}}"#, "field 'error.message' is required"),
        (#"{"type":"error","error":{"code":5,"message":"m"}}"#, "field 'error.code' must be a string"),
        (#"{"type":"heartbeat"}"#, "field 'writer_id' is required"),
        (#"{"type":"shutdown"}"#, "field 'type' must be one of welcome, job, ack, reject, heartbeat, error; got 'shutdown'"),
        (#"true"#, "writer message must be a JSON object; got boolean"),
    ])
    func invalidMessages(_ json: String, _ fragment: String) {
        expectProtocolError(.badRequest, mentioning: fragment) { _ = try WriterMessage.decode(frame(json)) }
    }

    @Test func ackBatchIsBounded() {
        let ids = (0...ProtocolLimits.maxAckBatch).map { _ in JSONValue.string(EventID.generate().rawValue) }
        let json: JSONValue = ["type": "ack", "event_ids": .array(ids)]
        expectProtocolError(.badRequest, mentioning: "field 'event_ids' must have at most 1024 items; got 1025") {
            _ = try WriterMessage.decode(json.encoded())
        }
    }

    @Test func unknownErrorCodesBecomeInternal() throws {
        let message = try WriterMessage.decode(frame(#"{"type":"error","error":{"code":"rate_limited","message":"slow down"}}"#))
        #expect(message == .error(ProtocolError(.internal, "slow down")))
    }

    @Test func frameCountAndSizeAreEnforced() {
        let frameData = WriterMessage.heartbeat(writerID: Fixtures.writerID).encode()
        expectProtocolError(.badRequest, mentioning: "a writer message must have 1 frame; got 2") {
            _ = try WriterMessage.decode(frames: [frameData, frameData])
        }
        expectProtocolError(.badRequest, mentioning: "got 0") { _ = try WriterMessage.decode(frames: []) }
        expectProtocolError(.tooLarge, mentioning: "writer message") {
            _ = try WriterMessage.decode(Data(repeating: UInt8(ascii: " "), count: ProtocolLimits.maxWriterMessageBytes + 1))
        }
    }
}
