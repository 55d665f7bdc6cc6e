import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

/// `FeedWatcher` against a real writer's feed, and against a raw PUB for malformed input.
@Suite("FeedWatcher", .timeLimit(.minutes(1)))
struct FeedWatcherTests {
    @Test("a watcher of one audit gets that audit's events in order and none of another's")
    func followsOneAudit() async throws {
        try await withWriter { writer, client in
            let watched = try await client.submit(url: "https://watched.example/")
            let other = try await client.submit(url: "https://other.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello(capacity: 2)
            let jobs = [try await runner.nextJob(), try await runner.nextJob()]
            #expect(Set(jobs.map(\.auditID)) == [watched.id, other.id])
            for job in jobs {
                try await runner.send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
            }

            let watcher = try FeedWatcher(endpoint: writer.endpoints.feed, auditID: watched.id)
            // PUB/SUB drops what is published before the subscription reaches the writer: send
            // progress of the watched audit until one arrives.
            var synced = false
            for percent in 1...40 where !synced {
                try await runner.send(watched.id, .progress(ProgressEventPayload(phase: "sync", percent: Double(percent))))
                while let message = await watcher.next(timeout: .milliseconds(100)) {
                    #expect(message.auditID == watched.id)
                    synced = true
                }
            }
            #expect(synced)

            try await runner.send(other.id, .progress(ProgressEventPayload(phase: "fetch", percent: 10)))
            try await runner.send(other.id, Samples.completed)
            try await runner.send(watched.id, .progress(ProgressEventPayload(phase: "dark_patterns", percent: 75, message: "looking")))
            try await runner.send(watched.id, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png))
            try await runner.send(watched.id, Samples.completed)
            await runner.close()

            var received: [FeedMessage] = []
            for await message in watcher {
                received.append(message)
                if message.event == .completed { break }
            }
            #expect(received.allSatisfy { $0.auditID == watched.id })
            // A late echo of the sync progress is possible; everything else must be exactly this.
            received.removeAll { $0.payload?["phase"]?.stringValue == "sync" }
            #expect(received.map(\.event) == [.progress, .screenshot, .completed])
            #expect(received.map(\.status) == [.running, .running, .completed])
            #expect(received.first?.payload?["phase"]?.stringValue == "dark_patterns")
            #expect(received.first?.payload?["percent"]?.doubleValue == 75)
            #expect(received[1].payload?["label"]?.stringValue == "viewport")
            #expect(watcher.skippedMessages == 0)
            await watcher.close()
        }
    }

    @Test("a watcher of every audit sees writer-originated audit.queued")
    func followsEverything() async throws {
        try await withWriter { writer, client in
            let watcher = try FeedWatcher(endpoint: writer.endpoints.feed, auditID: nil)
            var ids: Set<AuditID> = []
            var queued: FeedMessage?
            for attempt in 1...40 where queued == nil {
                ids.insert(try await client.submit(url: "https://queued\(attempt).example/").id)
                queued = await watcher.next(timeout: .milliseconds(100))
            }
            let message = try #require(queued)
            #expect(message.event == .queued)
            #expect(message.status == .queued)
            #expect(ids.contains(message.auditID))
            #expect(message.payload?["url"]?.stringValue?.hasPrefix("https://queued") == true)
            await watcher.close()
        }
    }

    @Test("malformed feed messages are skipped and counted; valid ones still arrive")
    func skipsMalformed() async throws {
        let context = try Context()
        let publisher = try Socket(context, type: .pub)
        try publisher.bind("tcp://127.0.0.1:*")
        let endpoint = try #require(publisher.lastEndpoint)
        let loop = try SocketLoop(name: "test-pub")
        let pub = loop.register(publisher)
        let auditID = AuditID.generate()
        let watcher = try FeedWatcher(endpoint: endpoint, auditID: auditID)
        let topic = Frame(FeedMessage.topic(for: auditID))
        let valid = FeedMessage(event: .progress, auditID: auditID, status: .running, seq: 1, eventID: .generate(), timestamp: .now,
                                payload: ["phase": "fetch", "percent": 5])

        // Sync: publish until the subscription is live (PUB drops what comes before).
        var received: FeedMessage?
        for _ in 1...40 where received == nil {
            try await pub.send(valid.encodeFrames().map { Frame($0) })
            received = await watcher.next(timeout: .milliseconds(100))
        }
        #expect(received == valid)
        while await watcher.next(timeout: .milliseconds(50)) != nil {}
        let skippedBefore = watcher.skippedMessages

        var later = valid
        later.seq = 2
        try await pub.send([topic, Frame("{not json")])
        try await pub.send([topic])
        try await pub.send([topic, Frame(#"{"event":"audit.progress"}"#)])
        try await pub.send([Frame(FeedMessage.topic(for: auditID) + Data("x".utf8)), Frame(valid.encodeFrames()[1])])
        try await pub.send(later.encodeFrames().map { Frame($0) })
        #expect(await watcher.next(timeout: .seconds(2)) == later)
        #expect(watcher.skippedMessages - skippedBefore == 4)
        await watcher.close()
        await loop.shutdown()
    }
}
