import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// Malformed and hostile frames on both request endpoints: each gets a clear error (or is
/// dropped where libzmq drops it), and the writer keeps serving.
@Suite("Bad input", .timeLimit(.minutes(1)))
struct BadInputTests {
    /// After a barrage: health is ok and a whole audit still goes through.
    /// `runner` is a connected runner with a free slot, or `nil` for a new one.
    private static func expectStillServing(_ bed: TestBed, _ writer: WriterHarness, runner existing: FakeRunner? = nil) async throws {
        let client = try bed.client(writer)
        let health = try await client.health()
        #expect(health.status == .ok)
        #expect(health.database == .ok)
        let audit = try await client.submit(url: "https://after.example/")
        let runner: FakeRunner
        if let existing {
            runner = existing
        } else {
            runner = try bed.runner(writer, "runner-after")
            try await runner.connect()
        }
        let job = try await runner.nextJob()
        #expect(job.auditID == audit.id)
        try await runner.complete(job)
        #expect(try await client.status(audit.id).status == .completed)
    }

    @Test("queries endpoint: every malformed request gets an error reply with the right code")
    func queryBarrage() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)

            let cases: [(name: String, frames: [Data], code: ErrorCode)] = [
                ("malformed JSON", [Data(#"{"op":"#.utf8)], .badRequest),
                ("trailing garbage", [Data(#"{"op":"health"} x"#.utf8)], .badRequest),
                ("array", [Data("[1,2,3]".utf8)], .badRequest),
                ("string", [Data(#""health""#.utf8)], .badRequest),
                ("number", [Data("42".utf8)], .badRequest),
                ("null", [Data("null".utf8)], .badRequest),
                ("empty object", [Data("{}".utf8)], .badRequest),
                ("unknown op", [Data(#"{"op":"delete"}"#.utf8)], .unsupportedOp),
                ("op not a string", [Data(#"{"op":42}"#.utf8)], .badRequest),
                ("op null", [Data(#"{"op":null}"#.utf8)], .badRequest),
                ("audit_id a number", [Data(#"{"op":"status","audit_id":42}"#.utf8)], .badRequest),
                ("limit a string", [Data(#"{"op":"list","limit":"ten"}"#.utf8)], .badRequest),
                ("index a float", [Data(#"{"op":"screenshot","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","index":0.5}"#.utf8)], .badRequest),
                ("duplicate key", [Data(#"{"op":"health","op":"status"}"#.utf8)], .badRequest),
                ("byte-order mark", [Data([0xEF, 0xBB, 0xBF]) + Data(#"{"op":"health"}"#.utf8)], .badRequest),
                ("NaN", [Data(#"{"op":"list","limit":NaN}"#.utf8)], .badRequest),
                ("1e999", [Data(#"{"op":"list","limit":1e999}"#.utf8)], .badRequest),
                ("100 KiB frame", [Data(#"{"op":"health","pad":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 100 * 1024) + Data(#""}"#.utf8)], .tooLarge),
                ("two body frames", [Data(#"{"op":"health"}"#.utf8), Data(#"{"op":"health"}"#.utf8)], .badRequest),
                ("empty frame", [Data()], .badRequest),
                ("'[' x 100000", [Data(repeating: UInt8(ascii: "["), count: 100_000)], .tooLarge),
                ("'[' x 40 (too deep)", [Data(repeating: UInt8(ascii: "["), count: 40)], .badRequest),
                ("deep object", [Data((String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40)).utf8)], .badRequest),
                ("invalid UTF-8", [Data([0x7B, 0x22, 0x6F, 0x70, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D])], .badRequest),
                ("overlong UTF-8", [Data(#"{"op":"#.utf8) + Data([0x22, 0xC0, 0xAF, 0x22, 0x7D])], .badRequest),
                ("encoded surrogate", [Data(#"{"op":"#.utf8) + Data([0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D])], .badRequest),
                ("unpaired escape", [Data(#"{"op":"\uD800"}"#.utf8)], .badRequest),
                ("control character", [Data("{\"op\":\"hea\u{01}lth\"}".utf8)], .badRequest),
            ]
            for (name, frames, code) in cases {
                let error = try await client.error(forFrames: frames)
                #expect(error.code == code, "\(name): \(error)")
                #expect(!error.message.isEmpty, "\(name)")
            }
            let malformed = try await client.error(for: #"{"op":"#)
            #expect(malformed.message.hasPrefix("malformed JSON"))

            // Random bytes from a seeded generator.
            var generator = SeededGenerator(seed: 2026)
            for round in 0..<25 {
                let length = Int.random(in: 1...3_000, using: &generator)
                let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let error = try await client.error(forFrames: [bytes])
                #expect(error.code == .badRequest, "random frame \(round) (\(length) bytes): \(error)")
            }

            // A DEALER that sends only the delimiter, or a delimiter and two bodies.
            let dealer = try bed.dealer(writer)
            for frames in [[Data()], [Data(), Data(#"{"op":"health"}"#.utf8), Data("{}".utf8)]] {
                try await dealer.send(frames)
                let reply = try #require(await dealer.receive())
                let (envelope, _) = try QueryReplyEnvelope.decode(frames: Array(reply.dropFirst()))
                guard case let .failure(error) = envelope.reply else { Issue.record("expected an error for \(frames.count) frames"); continue }
                #expect(error.code == .badRequest)
            }

            // Over libzmq's maximum message size the connection is dropped instead; either way
            // the writer keeps serving.
            let huge = try bed.dealer(writer)
            try await huge.send([Data(), Data(repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024)])
            if let reply = await huge.receive(timeout: .seconds(1)) {
                let (envelope, _) = try QueryReplyEnvelope.decode(frames: Array(reply.dropFirst()))
                guard case let .failure(error) = envelope.reply else { Issue.record("a 2 MiB request was answered with success"); return }
                #expect(error.code == .tooLarge)
            }

            try await Self.expectStillServing(bed, writer)
        }
    }

    @Test("runners endpoint: junk gets error or reject (with the event id when readable); the writer keeps serving")
    func runnerBarrage() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let raw = try bed.rawRunnerSocket(writer, routingID: "raw-junk")
            let runner = try bed.runner(writer, "runner-junk")
            try await runner.connect()

            // Unreadable headers: error (or reject with a null event id).
            var generator = SeededGenerator(seed: 99)
            var junk: [(String, [Data])] = []
            for round in 0..<15 {
                let length = Int.random(in: 1...2_000, using: &generator)
                junk.append(("random \(round)", [Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })]))
            }
            junk += [
                ("empty frame", [Data()]),
                ("array", [Data("[1]".utf8)]),
                ("unknown type", [Data(#"{"type":"dance","runner_id":"raw-junk"}"#.utf8)]),
                ("no type", [Data(#"{"runner_id":"raw-junk"}"#.utf8)]),
                ("hello with 3 frames", [Data(#"{"type":"hello","protocol":1,"runner_id":"raw-junk","capacity":1,"active":[],"version":"t"}"#.utf8), Data("x".utf8), Data("y".utf8)]),
                ("hello protocol 2", [Data(#"{"type":"hello","protocol":2,"runner_id":"raw-junk","capacity":1,"active":[],"version":"t"}"#.utf8)]),
                ("hello capacity 0", [Data(#"{"type":"hello","protocol":1,"runner_id":"raw-junk","capacity":0,"active":[],"version":"t"}"#.utf8)]),
                ("heartbeat with a traversal id in active", [Data(#"{"type":"heartbeat","runner_id":"raw-junk","capacity":1,"active":["../../etc"]}"#.utf8)]),
                ("release of a traversal id", [Data(#"{"type":"release","runner_id":"raw-junk","audit_id":"../../etc"}"#.utf8)]),
                ("runner id with a slash", [Data(#"{"type":"bye","runner_id":"../etc"}"#.utf8)]),
                ("event with a traversal event_id", [Data(#"{"type":"event","event_id":"../../etc","audit_id":"../../etc","seq":1,"event":"audit.progress","timestamp":"2026-11-26T15:08:43.123Z","runner_id":"raw-junk","payload":{"phase":"x","percent":1}}"#.utf8)]),
                ("deep JSON", [Data(repeating: UInt8(ascii: "["), count: 1_000)]),
            ]
            for (name, frames) in junk {
                try await raw.sendRaw(frames)
                let error = try await raw.awaitErrorOrAnonymousReject()
                #expect(error.code == .badRequest, "\(name): \(error)")
            }

            // Readable event ids: reject carrying that id.
            let template = runner.event(AuditID.generate(), seq: 1, Samples.progress(10))
            func header(_ change: (inout [String: JSONValue]) -> Void) -> (EventID, Data) {
                var fields = template.headerJSON
                let id = EventID.generate()
                fields["event_id"] = .string(id.rawValue)
                change(&fields)
                return (id, JSONValue.frame(fields))
            }
            let screenshotHeader = runner.event(AuditID.generate(), seq: 1, .screenshot(index: 0, label: "v", contentType: .png, image: Samples.png)).headerJSON
            var rejects: [(String, EventID, [Data])] = []
            do {
                let (id, frame) = header { _ in }
                rejects.append(("progress with 3 frames", id, [frame, Data("a".utf8), Data("b".utf8)]))
            }
            do {
                let (id, frame) = header { _ in }
                rejects.append(("progress with 4 frames", id, [frame, Data(), Data(), Data()]))
            }
            do {
                var fields = screenshotHeader
                let screenshotID = EventID.generate()
                fields["event_id"] = .string(screenshotID.rawValue)
                rejects.append(("screenshot header without its image (truncated multipart)", screenshotID, [JSONValue.frame(fields)]))
            }
            do {
                var fields = screenshotHeader
                let screenshotID = EventID.generate()
                fields["event_id"] = .string(screenshotID.rawValue)
                rejects.append(("screenshot with byte_count != image size", screenshotID, [JSONValue.frame(fields), Samples.png + Data([0])]))
            }
            do {
                let (id, frame) = header { $0["audit_id"] = .string("../../etc") }
                rejects.append(("traversal audit_id", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["audit_id"] = .string("..%2F..%2Fetc%2Fpasswd-000000000000") }
                rejects.append(("encoded traversal audit_id", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["event"] = .string("audit.queued") }
                rejects.append(("feed-only event name", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["event"] = .string("audit.exploded") }
                rejects.append(("unknown event name", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["payload"] = .object(["phase": .string("fetch"), "percent": .number(150)]) }
                rejects.append(("percent 150", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["seq"] = .number(0) }
                rejects.append(("seq 0", id, [frame]))
            }
            do {
                let (id, frame) = header { $0["timestamp"] = .string("yesterday") }
                rejects.append(("bad timestamp", id, [frame]))
            }
            for (name, id, frames) in rejects {
                try await runner.sendRaw(frames)
                let error = try await runner.awaitReject(of: id)
                #expect(error.code == .badRequest, "\(name): \(error)")
                #expect(runner.ackCount(id) == 0, "\(name) must not be acknowledged")
            }

            // A header over 1 MiB: too_large, or libzmq drops the connection.
            let big = try bed.rawRunnerSocket(writer, routingID: "raw-big")
            var fields = template.headerJSON
            fields["payload"] = .object(["phase": .string("fetch"), "percent": .number(1), "message": .string(String(repeating: "x", count: ProtocolLimits.maxRunnerHeaderBytes))])
            try await big.sendRaw([JSONValue.frame(fields)])
            if let error = await big.poll(timeout: .seconds(1), { state -> ProtocolError? in
                state.errors.first ?? state.rejects.first?.error
            }) {
                #expect(error.code == .tooLarge)
            }

            // More frames than the writer reads: dropped (no reply path is owed), not fatal.
            try await raw.sendRaw(Array(repeating: Data("{}".utf8), count: 12))

            // Nothing was stored from all that.
            #expect(try DatabaseProbe.count(writer.databasePath, "processed_events") == 0)
            #expect(try DatabaseProbe.count(writer.databasePath, "audits") == 0)
            #expect(fileTree(writer.dataDirectory.appendingPathComponent("screenshots")).isEmpty)

            // The barrage's own runner is still connected, with its slot free: it gets the job.
            try await Self.expectStillServing(bed, writer, runner: runner)
        }
    }
}
