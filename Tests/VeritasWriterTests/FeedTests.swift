import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// The feed (PUB): every applied event, topic = audit id, in order, with the status after it.
///
/// PUB/SUB drops whatever is published before a subscription reaches the publisher, so each
/// subscriber first syncs: it also subscribes to a probe audit's topic (after its real topics),
/// and the runner sends progress events for the probe until one arrives. Subscriptions travel in
/// order, so from then on the real topics are live too.
@Suite("Feed", .timeLimit(.minutes(1)))
struct FeedTests {
    /// Sends probe progress events until every subscriber has received one, then returns.
    private static func sync(_ subscribers: [FeedClient], probe: AuditID, runner: FakeRunner, seq: inout Int) async throws {
        var pending = subscribers.indices.map { $0 }
        let deadline = ContinuousClock.now + .seconds(4)
        while !pending.isEmpty {
            guard ContinuousClock.now < deadline else { throw HarnessError("feed subscriptions never became live") }
            seq += 1
            try await runner.sendAndAwaitAcks([runner.event(probe, seq: seq, Samples.progress(Double(seq % 100)))])
            var still: [Int] = []
            for index in pending {
                var got = false
                while let (_, message) = try await subscribers[index].next(timeout: .milliseconds(100)) {
                    if message.auditID == probe { got = true }
                }
                if !got { still.append(index) }
            }
            pending = still
        }
    }

    @Test("audit.queued on submit, then each applied event in order with its status; other topics see none of it")
    func feedFollowsOneAudit() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-feed")
            try await runner.connect(capacity: 1)
            let probe = try await seedHandedOutAudit(databasePath: writer.databasePath)
            var probeSeq = 0

            // The id of a submitted audit is only known once submitted, so audit.queued is watched
            // on the everything topic ("").
            let everything = try bed.feed(writer, topics: [FeedMessage.allAuditsTopic])
            try await Self.sync([everything], probe: probe, runner: runner, seq: &probeSeq)

            let audit = try await client.submit(url: "https://feed.example/", tier: .deep, verdictMode: .expert)
            let other = try await client.submit(url: "https://other.example/")
            let queued = try await everything.collect { $0.auditID == audit.id && $0.event == .queued }.last!
            #expect(queued.status == .queued)
            #expect(queued.seq == nil)
            #expect(queued.eventID == nil)
            #expect(queued.payload?["url"]?.stringValue == "https://feed.example/")
            #expect(queued.payload?["tier"]?.stringValue == "deep")
            #expect(queued.payload?["verdict_mode"]?.stringValue == "expert")

            let job = try await runner.nextJob()
            #expect(job.auditID == audit.id)

            let watcher = try bed.feed(writer, topics: [FeedMessage.topic(for: audit.id), FeedMessage.topic(for: probe)])
            let bystander = try bed.feed(writer, topics: [FeedMessage.topic(for: other.id), FeedMessage.topic(for: probe)])
            try await Self.sync([watcher, bystander], probe: probe, runner: runner, seq: &probeSeq)

            let events = [
                runner.started(job),
                runner.event(audit.id, seq: 2, Samples.progress(25, phase: "security")),
                runner.event(audit.id, seq: 3, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
                runner.event(audit.id, seq: 4, Samples.progress(90, phase: "dark_patterns")),
                runner.event(audit.id, seq: 5, Samples.completed()),
            ]
            for event in events { try await runner.sendAndAwaitAcks([event]) }
            // A duplicate is acknowledged but not applied, so not published again.
            try await runner.send(.event(events[1]))
            try await runner.awaitAcks([events[1].eventID], times: 2)

            let received = try await watcher.collect { $0.event == .completed }.filter { $0.auditID == audit.id }
            #expect(received.map(\.event) == [.started, .progress, .screenshot, .progress, .completed])
            #expect(received.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(received.map(\.eventID) == events.map(\.eventID))
            #expect(received.map(\.status) == [.running, .running, .running, .running, .completed])
            #expect(received[1].payload?["phase"]?.stringValue == "security")
            #expect(received[2].payload?["label"]?.stringValue == "viewport")
            #expect(received[2].payload?["byte_count"]?.doubleValue == Double(Samples.png.count))
            #expect(received[4].payload?["trust_score"]?.doubleValue == 72)

            // One more probe event: PUB keeps order per subscriber, so everything published for
            // the audit has reached both subscribers before it.
            probeSeq += 1
            try await runner.sendAndAwaitAcks([runner.event(probe, seq: probeSeq, Samples.progress(1))])
            let tail = try await watcher.collect { $0.auditID == probe }
            #expect(tail.allSatisfy { $0.auditID == probe }, "the duplicate was published again: \(tail.map(\.event))")
            let seenByBystander = try await bystander.collect { $0.auditID == probe && $0.seq == probeSeq }
            #expect(!seenByBystander.contains { $0.auditID == audit.id }, "a subscriber to another audit received this one's events")
            #expect(seenByBystander.allSatisfy { $0.auditID == probe })
        }
    }

    @Test("the topic frame is the audit id and a requeue is published as audit.requeued")
    func topicAndRequeue() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-feed-2")
            try await runner.connect(capacity: 1)
            let probe = try await seedHandedOutAudit(databasePath: writer.databasePath)
            var probeSeq = 0
            let audit = try await client.submit()
            let job = try await runner.nextJob()
            let watcher = try bed.feed(writer, topics: [FeedMessage.topic(for: audit.id), FeedMessage.topic(for: probe)])
            try await Self.sync([watcher], probe: probe, runner: runner, seq: &probeSeq)

            try await runner.send(.release(JobRelease(runnerID: runner.runnerID, auditID: job.auditID, reason: "test")))
            let deadline = ContinuousClock.now + .seconds(3)
            var requeued: (topic: Data, message: FeedMessage)?
            while requeued == nil, ContinuousClock.now < deadline {
                guard let next = try await watcher.next(timeout: deadline - ContinuousClock.now) else { break }
                if next.message.event == .requeued { requeued = next }
            }
            let (topic, message) = try #require(requeued)
            #expect(topic == Data(audit.id.rawValue.utf8))
            #expect(topic.count == 36)
            #expect(message.auditID == audit.id)
            #expect(message.status == .queued)
            #expect(message.seq == nil)
        }
    }
}
