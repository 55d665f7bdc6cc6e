import Logging
import Metrics
import Synchronization
import Testing
import VeritasProtocol
import VeritasStore
@testable import VeritasWriter

/// The job dispatcher on its own: claim rounds, requeues and the lease sweep against a real
/// (memory) store and a real worker, with the loop's side played by the test. Every wait is on
/// the dispatcher's own wake-up, never a sleep.
@Suite("JobDispatcher")
struct JobDispatcherTests {
    /// The dispatcher, its store, and what it woke and published.
    final class Recorder: Sendable {
        let published = Mutex<[FeedMessage]>([])
        let dispatchRequests = Atomic<Int>(0)
    }

    final class Bench: Sendable {
        let store = MemoryOnlyStore(memory: MemoryAuditStore(maxAudits: 100))
        let worker = StorageWorker()
        let recorded = Recorder()
        let wakes: AsyncStream<Void>
        private let wakeContinuation: AsyncStream<Void>.Continuation
        let dispatcher: JobDispatcher

        init(leaseMilliseconds: Int64 = 60_000, maxAttempts: Int = 3) {
            (wakes, wakeContinuation) = AsyncStream<Void>.makeStream()
            let (recorded, wake) = (self.recorded, wakeContinuation)
            dispatcher = JobDispatcher(
                store: store, worker: worker,
                settings: .init(writerID: "writer-test", leaseMilliseconds: leaseMilliseconds, maxAttempts: maxAttempts, sweepInterval: .zero),
                logger: Logger(label: "test.dispatcher"), metrics: WriterMetrics(factory: NOOPMetricsHandler.instance),
                publish: { _, message in recorded.published.withLock { $0.append(message()) } },
                wake: { wake.yield() }, requestDispatch: { recorded.dispatchRequests.add(1, ordering: .relaxed) })
        }

        /// Waits for the dispatcher's next wake-up (a round finished, jobs went back).
        func nextWake() async {
            var iterator = wakes.makeAsyncIterator()
            _ = await iterator.next()
        }

        func submit(_ count: Int) async throws -> [AuditID] {
            var ids: [AuditID] = []
            for index in 0..<count {
                let audit = Audit(id: .generate(), url: "https://example.com/\(index)", createdAt: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(index)))
                try await store.enqueue(audit)
                ids.append(audit.id)
            }
            return ids
        }
    }

    static let runnerA = try! RunnerID("runner-a")
    static let runnerB = try! RunnerID("runner-b")

    @Test("a claim round gives each wanting runner up to its free slots, oldest first; a round asked for meanwhile follows")
    func claimRounds() async throws {
        let bench = Bench()
        let ids = try await bench.submit(5)
        bench.dispatcher.claim(for: [(Array("a".utf8), Self.runnerA, 2), (Array("b".utf8), Self.runnerB, 2)])
        // A second round while the first runs is remembered, not started beside it.
        bench.dispatcher.claim(for: [(Array("a".utf8), Self.runnerA, 1)])
        await bench.nextWake()
        let claims = bench.dispatcher.finishedClaims()
        #expect(claims.map(\.runnerID) == [Self.runnerA, Self.runnerB])
        #expect(claims.flatMap(\.jobs).map(\.auditID) == Array(ids[0..<4]), "oldest first, no audit twice")
        #expect(claims.flatMap(\.jobs).allSatisfy { $0.attempt == 1 })
        #expect(bench.dispatcher.wantsAnotherRound)
        #expect(!bench.dispatcher.wantsAnotherRound, "asked once, answered once")

        bench.dispatcher.claim(for: [(Array("a".utf8), Self.runnerA, 3)])
        await bench.nextWake()
        #expect(bench.dispatcher.finishedClaims().flatMap(\.jobs).map(\.auditID) == [ids[4]], "the queue ran dry")
        await bench.worker.finish()
    }

    @Test("a requeue puts the runner's jobs back, publishes them as requeued and asks for a dispatch")
    func requeuePublishes() async throws {
        let bench = Bench()
        let ids = try await bench.submit(2)
        bench.dispatcher.claim(for: [(Array("a".utf8), Self.runnerA, 2)])
        await bench.nextWake()
        #expect(bench.dispatcher.finishedClaims().flatMap(\.jobs).count == 2)

        bench.dispatcher.requeue(runner: Self.runnerA, only: [ids[1]], reason: "runner-a handed the job back")
        await bench.nextWake()
        let messages = bench.recorded.published.withLock { $0 }
        #expect(messages.map(\.event) == [.requeued])
        #expect(messages.map(\.auditID) == [ids[1]])
        #expect(bench.recorded.dispatchRequests.load(ordering: .relaxed) == 1)
        #expect(try await bench.store.audit(ids[1])?.status == .queued)
        #expect(try await bench.store.queueDepth() == 1)
        await bench.worker.finish()
    }

    @Test("renewals keep a talking runner's jobs; the sweep recovers the lease nobody renews, and ends an audit out of attempts")
    func renewAndSweep() async throws {
        let bench = Bench(leaseMilliseconds: 60_000, maxAttempts: 1)
        let ids = try await bench.submit(2)
        bench.dispatcher.claim(for: [(Array("a".utf8), Self.runnerA, 1)])
        await bench.nextWake()
        #expect(bench.dispatcher.finishedClaims().flatMap(\.jobs).map(\.auditID) == [ids[0]])
        // runner-b (through another writer, say) holds a lease that has already ended, and had
        // started its audit: that attempt counts.
        let stale = try await bench.store.claimJobs(for: Self.runnerB, writer: "writer-gone", limit: 1, leaseUntil: Timestamp.now.adding(milliseconds: -1_000))
        #expect(stale.map(\.auditID) == [ids[1]])
        _ = try await bench.store.apply([StoredEvent(
            id: .generate(), auditID: ids[1], seq: 1, timestamp: .now, runnerID: Self.runnerB,
            change: .started(StartedEventPayload(url: "https://example.com/1", tier: .standard, verdictMode: .simple)))])

        bench.dispatcher.renewAndSweep(holders: [(Self.runnerA, [ids[0]])], now: .now)
        await bench.worker.finish()
        #expect(try await bench.store.audit(ids[1])?.status == .error, "out of attempts: ends in error")
        #expect(bench.recorded.published.withLock { $0.map(\.event) } == [.error])
        #expect(try await bench.store.queueDepth() == 0, "runner-a's renewed job was not requeued")
        #expect(try await bench.store.audit(ids[0])?.status == .queued, "still claimed by runner-a, not ended")
    }
}
