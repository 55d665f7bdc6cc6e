import Foundation
import Logging
import Metrics
import Testing
import VeritasProtocol
import VeritasStore
import VeritasTestSupport
@testable import VeritasWriter

/// The writer's timed store work on its own, over a real SQLite file: the recovery probe clears
/// a degraded state once storage takes writes, and old event ids are forgotten only when due.
@Suite("StorageMaintenance")
struct StorageMaintenanceTests {
    struct Bench {
        let folder: TemporaryFolder
        let database: SQLiteAuditStore
        let store: DurableStore
        let worker = StorageWorker()
        let maintenance: StorageMaintenance
        let start = ContinuousClock.now

        init(retentionMilliseconds: Int64) throws {
            folder = try TemporaryFolder("storage-maintenance")
            database = try SQLiteAuditStore(path: folder.url.appendingPathComponent("veritas.sqlite").path)
            store = DurableStore(memory: MemoryAuditStore(maxAudits: 100), database: database)
            maintenance = StorageMaintenance(
                store: store, screenshots: ScreenshotFiles(dataDirectory: folder.url), worker: worker, state: WriterState(),
                metrics: WriterMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "test.maintenance"),
                retentionMilliseconds: retentionMilliseconds, now: start)
        }

        func processedRows() throws -> Int {
            try DatabaseProbe.count(database.path, "processed_events")
        }
    }

    @Test("a degraded store is probed once a second and is ok again when the probe write succeeds")
    func probeClearsDegraded() async throws {
        let bench = try Bench(retentionMilliseconds: 0)
        defer { bench.folder.remove() }
        bench.store.recordFileWrite(succeeded: false)
        #expect(bench.store.databaseState == .degraded)
        bench.maintenance.run(now: bench.start + .milliseconds(500))
        await bench.worker.finish()
        #expect(bench.store.databaseState == .degraded, "not due yet: probed at most once a second")

        let bench2 = try Bench(retentionMilliseconds: 0)
        defer { bench2.folder.remove() }
        bench2.store.recordFileWrite(succeeded: false)
        bench2.maintenance.run(now: bench2.start + .seconds(1))
        await bench2.worker.finish()
        #expect(bench2.store.databaseState == .ok)
    }

    @Test("ended audits' event ids are forgotten when a pass is due, and only then; a retention of 0 keeps them")
    func forgetsOldEventIDs() async throws {
        for (retention, at, expectedRows) in [(Int64(1), Duration.milliseconds(500), 2), (Int64(1), .seconds(1), 0), (Int64(0), .seconds(3600), 2)] {
            let bench = try Bench(retentionMilliseconds: retention)
            defer { bench.folder.remove() }
            let audit = Audit(id: .generate(), url: "https://example.com/", createdAt: .now)
            try await bench.store.enqueue(audit)
            let runner = try RunnerID("runner-a")
            _ = try await bench.store.apply([
                StoredEvent(id: .generate(), auditID: audit.id, seq: 1, timestamp: .now, runnerID: runner,
                            change: .started(StartedEventPayload(url: audit.url, tier: .standard, verdictMode: .simple))),
                StoredEvent(id: .generate(), auditID: audit.id, seq: 2, timestamp: Timestamp.now.adding(milliseconds: -10), runnerID: runner,
                            change: .error(ErrorEventPayload(errorMessage: "no route to host"))),
            ])
            // Let the event ids' millisecond and the audit's end pass the 1 ms retention.
            let past = Timestamp.now.adding(milliseconds: 3)
            while Timestamp.now < past { await Task.yield() }
            bench.maintenance.run(now: bench.start + at)
            await bench.worker.finish()
            #expect(try bench.processedRows() == expectedRows, "retention \(retention) ms, pass at \(at)")
        }
    }
}
