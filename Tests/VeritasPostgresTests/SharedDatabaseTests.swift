import Foundation
import Testing
import VeritasPostgres
import VeritasProtocol
import VeritasStore
import VeritasTestSupport

/// Several stores (as several writers would hold) on one database at once: what SQLite's
/// single-host tests cannot show.
@Suite("PostgreSQL: several writers on one database", .timeLimit(.minutes(2)))
struct SharedDatabaseTests {
    @Test("writers claiming at once never hand out the same job twice, and together hand out every job")
    func concurrentClaimsAreDisjoint() async throws {
        try await withStores(3) { stores, _ in
            let submitted = try await enqueue(60, into: stores[0])
            let claims = try await withThrowingTaskGroup(of: [AuditID].self) { group in
                for (number, store) in stores.enumerated() {
                    group.addTask {
                        var mine: [AuditID] = []
                        while true {
                            let jobs = try await store.claimJobs(
                                for: try RunnerID("runner-\(number)"), writer: "writer-\(number)", limit: 3, leaseUntil: .now.adding(milliseconds: 60_000))
                            if jobs.isEmpty { return mine }
                            mine += jobs.map(\.auditID)
                        }
                    }
                }
                var all: [[AuditID]] = []
                for try await claimed in group { all.append(claimed) }
                return all
            }
            let everything = claims.flatMap { $0 }
            #expect(everything.count == submitted.count, "each job once: \(everything.count) claims for \(submitted.count) jobs")
            #expect(Set(everything) == Set(submitted))
            #expect(claims.filter { !$0.isEmpty }.count >= 2, "the writers really claimed side by side")
            #expect(try await stores[1].queueDepth() == 0)
            for id in submitted {
                #expect(try await stores[2].audit(id)?.attempts == 1, "one attempt each")
            }
        }
    }

    @Test("the same events sent to two writers at once are applied once: one applies each, the other answers duplicate")
    func concurrentApplyIsExactlyOnce() async throws {
        try await withStores(2) { stores, _ in
            let audits = try await enqueue(8, into: stores[0])
            let runner = try RunnerID("runner-x")
            var events: [StoredEvent] = []
            for id in audits {
                events.append(StoredEvent(id: .generate(), auditID: id, seq: 1, timestamp: .now, runnerID: runner,
                                          change: .started(StartedEventPayload(url: "https://example.com/", tier: .standard, verdictMode: .simple))))
                for percent in stride(from: 10.0, through: 90.0, by: 10.0) {
                    events.append(StoredEvent(id: .generate(), auditID: id, seq: Int(percent), timestamp: .now, runnerID: runner,
                                              change: .progress(ProgressEventPayload(phase: "fetch", percent: percent))))
                }
                events.append(StoredEvent(id: .generate(), auditID: id, seq: 100, timestamp: .now, runnerID: runner,
                                          change: .error(ErrorEventPayload(errorMessage: "unreachable"))))
            }
            // Each writer gets every event, in batches of different sizes, at the same time.
            async let first = apply(events, to: stores[0], batch: 7)
            async let second = apply(events.reversed(), to: stores[1], batch: 13)
            let (outcomesA, outcomesB) = try await (first, second)
            for event in events {
                let applied = [outcomesA[event.id], outcomesB[event.id]].filter { $0 == .applied }.count
                #expect(applied == 1, "event \(event.seq) of \(event.auditID) applied \(applied) times")
            }
            for id in audits {
                let audit = try #require(try await stores[1].audit(id))
                #expect(audit.status == .error)
                #expect(audit.errorMessage == "unreachable")
            }
            #expect(try await stores[0].queueDepth() == 0)
            #expect(try await stores[0].statusCounts()[.error] == audits.count)
        }
    }

    @Test("every writer sweeps expired leases, and each expired job is requeued by exactly one of them")
    func concurrentSweepsRequeueOnce() async throws {
        try await withStores(3) { stores, _ in
            let audits = try await enqueue(20, into: stores[0])
            let claimed = try await stores[0].claimJobs(for: try RunnerID("dead-runner"), writer: "dead-writer", limit: 20, leaseUntil: .now.adding(milliseconds: -1))
            #expect(claimed.count == audits.count)
            let outcomes = try await withThrowingTaskGroup(of: RequeueOutcome.self) { group in
                for store in stores {
                    group.addTask { try await store.requeueExpiredLeases(now: .now, maxAttempts: 3, reason: "lease expired") }
                }
                var all: [RequeueOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let requeued = outcomes.flatMap(\.requeued)
            #expect(requeued.count == audits.count, "requeued \(requeued.count) times for \(audits.count) jobs")
            #expect(Set(requeued) == Set(audits))
            #expect(try await stores[2].queueDepth() == audits.count)
        }
    }

    @Test("writers opening a new database together each migrate it once; a database newer than the writer is refused")
    func migrationsRunOnceAndNewerSchemasAreRefused() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let settings = try PostgresSettings(url: database.url)
        let stores = try await withThrowingTaskGroup(of: PostgresAuditStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresAuditStore.open(settings) } }
            var opened: [PostgresAuditStore] = []
            for try await store in group { opened.append(store) }
            return opened
        }
        defer { stores.forEach { $0.close() } }
        let versions = try database.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM veritas_schema_migrations")
        #expect(versions.trimmingCharacters(in: .whitespacesAndNewlines) == (1...PostgresAuditStore.schemaVersion).map(String.init).joined(separator: ","))

        try database.psql("INSERT INTO veritas_schema_migrations VALUES (999, 'from the future', 'now')")
        let refused = await #expect(throws: PostgresStoreError.self) { try await PostgresAuditStore.open(settings) }
        #expect(refused?.description.contains("newer than this writer") == true)
    }

    @Test("a server that cannot be reached fails the open with a readable error, not a hang")
    func unreachableServer() async throws {
        let cluster = try await SharedPostgres.shared.running()
        // A port next to the live server's: nothing listens there while the test runs.
        let settings = try PostgresSettings(url: "postgres://\(PostgresCluster.user)@127.0.0.1:\(cluster.port == 65_535 ? 1 : cluster.port + 1)/none?sslmode=disable", operationTimeout: .seconds(2))
        let started = ContinuousClock.now
        let error = await #expect(throws: (any Error).self) { try await PostgresAuditStore.open(settings) }
        #expect(ContinuousClock.now - started < .seconds(10), "answered at the operation timeout, not after the pool's own minute of retries")
        #expect(error.map { "\($0)" }?.contains("PostgreSQL") == true, "\(String(describing: error))")
    }

    // MARK: Helpers

    /// `count` stores on one fresh database.
    private func withStores(_ count: Int, _ body: ([PostgresAuditStore], TestDatabase) async throws -> Void) async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        var stores: [PostgresAuditStore] = []
        defer { stores.forEach { $0.close() } }
        for _ in 0..<count { stores.append(try await PostgresAuditStore.open(try PostgresSettings(url: database.url))) }
        try await body(stores, database)
    }

    private func enqueue(_ count: Int, into store: PostgresAuditStore) async throws -> [AuditID] {
        var ids: [AuditID] = []
        for number in 0..<count {
            let audit = Audit(id: .generate(), url: "https://example.com/\(number)", tier: .standard, verdictMode: .simple,
                              createdAt: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(number)))
            try await store.enqueue(audit)
            ids.append(audit.id)
        }
        return ids
    }

    private func apply(_ events: some Sequence<StoredEvent>, to store: PostgresAuditStore, batch: Int) async throws -> [EventID: EventOutcome] {
        let all = Array(events)
        var outcomes: [EventID: EventOutcome] = [:]
        var start = 0
        while start < all.count {
            let chunk = Array(all[start..<min(all.count, start + batch)])
            for (event, outcome) in zip(chunk, try await store.apply(chunk)) { outcomes[event.id] = outcome }
            start += chunk.count
        }
        return outcomes
    }
}
