import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Volume, not cases (``BadInputTests`` checks each case's error code): seeded random hostile
/// input on all three endpoints of a real `veritas-writer` process, round after round. Every
/// message that can be answered is answered once; the rest are dropped and counted; the process's
/// memory stays flat; a real audit still goes through at the end.
///
/// `VERITAS_BARRAGE_ROUNDS` and `VERITAS_BARRAGE_SEED` make it longer or replay a run.
@Suite("Hostile input barrage (a real writer process)", .serialized, .timeLimit(.minutes(5)))
struct BarrageTests {
    /// The process's resident set, from /proc.
    static func residentBytes(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").compactMap { Int($0) }.first
            return digits.map { $0 * 1024 }
        }
        return nil
    }

    /// Random bytes, as a hostile peer would send them.
    static func junk(_ generator: inout SeededGenerator, maxCount: Int) -> Data {
        Data((0..<Int.random(in: 0...maxCount, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// One query message body each (after the REQ delimiter); every one must get exactly one reply.
    static func hostileQueries(_ generator: inout SeededGenerator, known: AuditID) -> [[Data]] {
        let templates: [String] = [
            #"{"op":"status","audit_id":"../../etc/passwd"}"#,
            #"{"op":"screenshot","audit_id":"\#(known)","index":-1}"#,
            #"{"op":"screenshot","audit_id":"\#(known)","index":"../../../etc/shadow"}"#,
            #"{"op":"list","limit":1e999}"#,
            #"{"op":"list","offset":-5}"#,
            #"{"op":"submit","url":"file:///etc/passwd"}"#,
            #"{"op":"submit","url":"javascript:alert(1)"}"#,
            #"{"op":"submit","url":"http://"}"#,
            #"{"op":"drop_table"}"#,
            #"{"op":["health"]}"#,
            #"{"op":"findings","audit_id":null}"#,
            #"{"op":"status","audit_id":"\#(known)","request_id":{"nested":true}}"#,
            #"{"op":"health""#,
            "{\"op\":\"health\",\"x\":\"\u{0000}\"}",
        ]
        var bodies: [[Data]] = []
        for template in templates { bodies.append([Data(template.utf8)]) }
        for _ in 0..<150 { bodies.append([junk(&generator, maxCount: 2048)]) }
        bodies.append([Data(repeating: UInt8(ascii: "["), count: Int.random(in: 33...200_000, using: &generator))])
        bodies.append([Data(repeating: UInt8(ascii: "x"), count: ProtocolLimits.maxQueryFrameBytes + Int.random(in: 1...100_000, using: &generator))])
        bodies.append([Data(#"{"op":"health"}"#.utf8), junk(&generator, maxCount: 64)])   // two body frames
        bodies.append([Data(), Data()])                                                  // empty frames
        // A valid request cut short at a random byte.
        let valid = Data(#"{"op":"status","audit_id":"\#(known)","request_id":"r1"}"#.utf8)
        for _ in 0..<10 { bodies.append([valid.prefix(Int.random(in: 0..<valid.count, using: &generator))]) }
        return bodies
    }

    /// Runner-endpoint messages, each answered with `error` or `reject`.
    static func hostileRunnerMessages(_ generator: inout SeededGenerator, known: AuditID) -> [[Data]] {
        let header: (String) -> Data = { Data($0.utf8) }
        var messages: [[Data]] = [
            [header(#"{"type":"hello","runner_id":"../../etc","capacity":1,"version":"x","active":[]}"#)],
            [header(#"{"type":"hello","runner_id":"r","capacity":"lots","version":"x","active":[]}"#)],
            [header(#"{"type":"event","event":"audit.progress","event_id":"../../etc/passwd","audit_id":"\#(known)","seq":1,"runner_id":"r","timestamp":"2026-11-26T10:00:00.000Z","payload":{"phase":"x","percent":1}}"#)],
            [header(#"{"type":"event","event":"audit.progress","event_id":"\#(EventID.generate())","audit_id":"\#(known)","seq":-1,"runner_id":"r","timestamp":"2026-11-26T10:00:00.000Z","payload":{"phase":"x","percent":1}}"#)],
            [header(#"{"type":"launch_missiles"}"#)],
            [header(#"{"type":"event"}"#)],
            [Data(repeating: UInt8(ascii: "{"), count: 50_000)],
            [junk(&generator, maxCount: 16), junk(&generator, maxCount: 16), junk(&generator, maxCount: 16), junk(&generator, maxCount: 16)],
        ]
        // A screenshot claiming to be a PNG: the real signature, then garbage.
        let corrupt = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + junk(&generator, maxCount: 4096)
        let screenshot = AuditEvent(
            auditID: known, seq: 2, runnerID: try! RunnerID("runner-hostile"),
            payload: .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png))
        var frames = RunnerMessage.event(screenshot).encodeFrames()
        frames[frames.count - 1] = corrupt
        messages.append(frames)
        messages.append([frames[0]])   // the header without its image frame
        for _ in 0..<100 { messages.append([junk(&generator, maxCount: 1024)]) }
        return messages
    }

    @Test("thousands of hostile messages on every endpoint: answered or dropped and counted, memory flat, still serving",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func barrage() async throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["VERITAS_BARRAGE_ROUNDS"].flatMap(Int.init) ?? 12
        let seed = environment["VERITAS_BARRAGE_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("barrage: seed \(seed) (VERITAS_BARRAGE_SEED=\(seed) replays it), \(rounds) rounds")
        var generator = SeededGenerator(seed: seed)

        try await TestBed.run { bed in
            let data = bed.root.appendingPathComponent("barrage-data", isDirectory: true)
            let writer = try ProcessTests.WriterProcess(
                arguments: ProcessTests.ephemeral + ["--data-dir", data.path], directory: bed.root,
                environment: ["VERITAS_LOG_FORMAT": "json"])
            defer { writer.kill() }
            let endpoints = try await writer.waitUntilReady()
            let client = try bed.client(endpoint: endpoints.queries)
            let known = try await client.submit(url: "https://barrage.example/").id

            let queries = try QueryDealer(endpoint: endpoints.queries)
            let runner = try FakeRunner(endpoint: endpoints.runners, runnerID: "runner-hostile")
            let context = try Context()
            let subscriber = try Socket(context, type: .xsub)
            try subscriber.set(.linger, .zero)
            try subscriber.connect(endpoints.feed)
            defer { subscriber.close() }

            var sent = (queries: 0, runner: 0, feed: 0)
            var feedJunk = 0
            var rssAfterWarmUp = 0
            var rssPeak = 0
            for round in 0..<rounds {
                // Queries: pipelined, then every reply collected; each is an error reply.
                let bodies = Self.hostileQueries(&generator, known: known)
                for body in bodies { try await queries.send([Data()] + body) }
                for index in bodies.indices {
                    let reply = try #require(await queries.receive(timeout: .seconds(10)), "query \(index) of round \(round) got no reply")
                    let envelope = try QueryReplyEnvelope.decode(frames: Array(reply.dropFirst())).envelope
                    guard case .failure = envelope.reply else { Issue.record("hostile query \(index) succeeded: \(envelope)"); continue }
                }
                sent.queries += bodies.count

                // Runners: each message answered with an error or a reject.
                let messages = Self.hostileRunnerMessages(&generator, known: known)
                let before = runner.snapshot
                for message in messages { try await runner.sendRaw(message) }
                let answered = await runner.poll(timeout: .seconds(10)) { state in
                    state.errors.count + state.rejects.count - before.errors.count - before.rejects.count >= messages.count ? true : nil
                }
                #expect(answered == true, "round \(round): \(messages.count) hostile runner messages, not all answered")
                #expect(runner.snapshot.ackCounts.isEmpty, "nothing hostile was acknowledged")
                sent.runner += messages.count

                // Feed: junk where (un)subscriptions belong, and a churn of random topics.
                for _ in 0..<100 {
                    var frame = Self.junk(&generator, maxCount: 36)
                    if frame.isEmpty || frame[0] <= 1 { frame.insert(0x07, at: 0) }
                    try subscriber.send([Frame(frame)])
                    let topic = Self.junk(&generator, maxCount: 36)
                    try subscriber.send([Frame([1] + topic)])
                    try subscriber.send([Frame([0] + topic)])
                    // Longer than any topic: discarded by the writer (libzmq still tracks it until
                    // the unsubscribe, as it does any subscription).
                    let long = (0..<200).map { _ in UInt8.random(in: 0x41...0x5A, using: &generator) }
                    try subscriber.send([Frame([1] + long)])
                    try subscriber.send([Frame([0] + long)])
                }
                sent.feed += 500
                feedJunk += 300

                let health = try await client.health()
                #expect(health.status == .ok)
                let rss = try #require(Self.residentBytes(of: writer.process.pid))
                rssPeak = max(rssPeak, rss)
                if round == 0 { rssAfterWarmUp = rss }
                print("barrage: round \(round + 1)/\(rounds): rss \(rss / 1024) KiB, error replies \(health.errorReplies), dropped \(health.droppedMessages)")
            }

            let health = try await client.health()
            #expect(health.errorReplies >= sent.queries + sent.runner, "every answered hostile message counted as an error reply")
            // The XSUB delivers each frame; the writer drops and counts every junk one.
            #expect(try await eventually { try await client.health().droppedMessages >= feedJunk }, "feed junk is dropped and counted")
            #expect(health.status == .ok)
            #expect(writer.process.isRunning)
            // Flat: after the first round warmed caches and buffers, later rounds add (almost) nothing.
            let growth = rssPeak - rssAfterWarmUp
            #expect(growth < 24 * 1024 * 1024, "resident memory grew by \(growth / 1024) KiB over \(rounds - 1) rounds")
            let files = fileTree(data.appendingPathComponent("screenshots"))
            #expect(files.isEmpty, "no file from a corrupt screenshot: \(files)")
            #expect(try await client.status(known).status == .queued, "hostile events changed nothing")

            // An oversized frame disconnects that peer only; the writer serves the next one.
            let giant = try QueryDealer(endpoint: endpoints.queries)
            try await giant.send([Data(), Data(count: 2 * 1024 * 1024)])
            #expect(await giant.receive(timeout: .milliseconds(500)) == nil, "no reply to a frame over ZMQ_MAXMSGSIZE")
            await giant.close()

            // Still a working writer: a real runner conversation completes an audit.
            let honest = try FakeRunner(endpoint: endpoints.runners, runnerID: "runner-honest")
            try await honest.connect()
            let job = try await honest.nextJob()
            #expect(job.auditID == known)
            try await honest.complete(job)
            #expect(try await client.status(known).status == .completed)
            print("barrage: \(sent.queries) queries, \(sent.runner) runner messages, \(sent.feed) feed frames; "
                + "rss after warm-up \(rssAfterWarmUp / 1024) KiB, peak \(rssPeak / 1024) KiB; "
                + "error replies \(health.errorReplies), dropped \(health.droppedMessages)")
            await honest.close()
            await runner.close()
            await queries.close()
        }
    }
}
