import Foundation
import Logging
import Metrics
import Synchronization
import Testing
import VeritasProtocol
import VeritasStore
import VeritasTestSupport
import ZeroMQ
@testable import VeritasWriter

/// Event ingest on its own, over a real SQLite file and screenshot folder, with the loop's side
/// played by the test: what is rejected, what one commit acknowledges (one `ack` per runner,
/// only after the commit), which audits it ends, and a stored screenshot's resend. The gateway's
/// socket-level behaviour is `EventIngestTests`'.
@Suite("EventIngest")
struct EventIngestUnitTests {
    final class Sent: Sendable {
        let messages = Mutex<[(message: WriterMessage, to: [UInt8])]>([])
    }

    struct Bench {
        let folder: TemporaryFolder
        let store: DurableStore
        let screenshots: ScreenshotFiles
        let sent = Sent()
        let ingest: EventIngest

        init(collectingLimit: Int = 100) throws {
            folder = try TemporaryFolder("event-ingest")
            let database = try SQLiteAuditStore(path: folder.url.appendingPathComponent("veritas.sqlite").path)
            store = DurableStore(memory: MemoryAuditStore(maxAudits: 100, evictsWaitingAudits: true), database: database)
            screenshots = ScreenshotFiles(dataDirectory: folder.url)
            let sent = self.sent
            ingest = EventIngest(
                store: store, screenshots: screenshots, state: WriterState(), metrics: WriterMetrics(factory: NOOPMetricsHandler.instance),
                logger: Logger(label: "test.ingest"), collectingLimit: collectingLimit,
                send: { message, routing in sent.messages.withLock { $0.append((message, routing.bytes)) } },
                wake: {}, isWatched: { _ in false }, publish: { _, _ in })
        }

        func submit() async throws -> AuditID {
            let audit = Audit(id: .generate(), url: "https://example.com/", createdAt: .now)
            try await store.enqueue(audit)
            return audit.id
        }

        /// Collects `events` from the runners named, commits them and waits for the acks.
        func commit(_ events: [(AuditEvent, String)]) async -> (ended: [AuditID]?, batch: EventIngest.Batch) {
            var batch = EventIngest.Batch()
            for (event, runner) in events {
                await ingest.collect(event, from: Frame(Array(runner.utf8)), session: nil, into: &batch)
            }
            let commit = ingest.startCommit(batch)
            let ended = await ingest.acknowledge(commit) { Frame($0) }
            return (ended, batch)
        }

        var acks: [(ids: [EventID], to: String)] {
            sent.messages.withLock { $0 }.compactMap { item in
                if case let .ack(ids) = item.message { (ids, String(decoding: item.to, as: UTF8.self)) } else { nil }
            }
        }
    }

    static let runnerA = try! RunnerID("runner-a")
    static let runnerB = try! RunnerID("runner-b")

    static func event(_ audit: AuditID, seq: Int, _ payload: EventPayload, runner: RunnerID = runnerA) -> AuditEvent {
        AuditEvent(auditID: audit, seq: seq, runnerID: runner, payload: payload)
    }

    static let started = EventPayload.started(StartedEventPayload(url: "https://example.com/", tier: .standard, verdictMode: .simple))
    static let completed = EventPayload.completed(CompletedEventPayload(
        trustScore: 70, riskLevel: .medium, narrative: "ok", signalScores: [:], siteType: .shop, securityResults: .object([:]),
        darkPatternSummary: DarkPatternSummary(findings: [])))

    @Test("one commit: one ack per runner after it, the audits it ended, and nothing stored for an unknown audit but a reject")
    func commitAcknowledgesPerRunner() async throws {
        let bench = try Bench()
        defer { bench.folder.remove() }
        let (a, b) = (try await bench.submit(), try await bench.submit())
        let bogus = AuditID.generate()
        let events = [
            (Self.event(a, seq: 1, Self.started), "runner-a"),
            (Self.event(a, seq: 2, Self.completed), "runner-a"),
            (Self.event(b, seq: 1, Self.started, runner: Self.runnerB), "runner-b"),
            (Self.event(bogus, seq: 1, Self.started), "runner-a"),
        ]
        let (ended, batch) = await bench.commit(events)
        #expect(batch.pending.count == 3, "the unknown audit's event is not collected")
        #expect(ended == [a])
        let acks = bench.acks.sorted { $0.to < $1.to }
        #expect(acks.map(\.to) == ["runner-a", "runner-b"])
        #expect(acks[0].ids == [events[0].0.eventID, events[1].0.eventID])
        #expect(acks[1].ids == [events[2].0.eventID])
        let rejects = bench.sent.messages.withLock { $0 }.filter { if case .reject = $0.message { true } else { false } }
        #expect(rejects.count == 1)
        #expect(try await bench.store.audit(a)?.status == .completed)
        #expect(try await bench.store.audit(b)?.status == .running)
    }

    @Test("a full batch leaves further events unread: no ack, no reject, the runner resends")
    func fullBatchDefers() async throws {
        let bench = try Bench(collectingLimit: 1)
        defer { bench.folder.remove() }
        let audit = try await bench.submit()
        var batch = EventIngest.Batch()
        for seq in 1...3 {
            await bench.ingest.collect(Self.event(audit, seq: seq, .progress(ProgressEventPayload(phase: "fetching", percent: 10))), from: Frame(Array("runner-a".utf8)), session: nil, into: &batch)
        }
        #expect(batch.pending.count == 1)
        #expect(bench.sent.messages.withLock { $0.isEmpty })
    }

    @Test("a stored screenshot's resend is only acknowledged: its file is not written again")
    func screenshotResendOnlyAcknowledged() async throws {
        let bench = try Bench()
        defer { bench.folder.remove() }
        let audit = try await bench.submit()
        let png = Samples.png
        let shot = Self.event(audit, seq: 1, .screenshot(ScreenshotEventPayload(index: 0, label: "viewport", contentType: .png, byteCount: png.count), bytes: png))
        _ = await bench.commit([(shot, "runner-a")])
        let stored = try #require(try await bench.store.screenshots(of: audit).first)
        let file = bench.folder.url.appendingPathComponent(stored.filePath)
        let written = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        try FileManager.default.setAttributes([.modificationDate: written.addingTimeInterval(-3600)], ofItemAtPath: file.path)

        let (ended, batch) = await bench.commit([(shot, "runner-a")])
        #expect(ended == [])
        #expect(batch.pending.count == 1 && batch.pending[0].event == nil, "collected as an ack only")
        #expect(bench.acks.count == 2)
        let after = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        // Set an hour back; a rewrite would bring it to now (file times keep less than a nanosecond).
        #expect(abs(after.timeIntervalSince(written.addingTimeInterval(-3600))) < 1, "the file was not rewritten")
    }
}
