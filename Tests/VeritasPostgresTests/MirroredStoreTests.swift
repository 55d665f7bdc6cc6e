import Foundation
import Synchronization
import Testing
import VeritasPostgres
import VeritasProtocol
import VeritasStore
import VeritasTestSupport

/// The dual write's rules, store by store: the primary decides, the mirror follows, a failing
/// mirror never fails a write, and reads ask PostgreSQL first only where it is not behind.
@Suite("PostgreSQL: the dual write (MirroredStore)", .timeLimit(.minutes(2)))
struct MirroredStoreTests {
    @Test("writes reach both; reads ask the secondary first; a failing mirror fails no write and its audits are read from the primary")
    func mirrorRules() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let folder = try TemporaryFolder("mirror")
        defer { folder.remove() }
        let sqlite = try SQLiteAuditStore(path: folder.url.appendingPathComponent("veritas.sqlite").path, synchronous: .normal)
        let postgres = try await PostgresAuditStore.open(try PostgresSettings(url: database.url, operationTimeout: .seconds(2)))
        let failures = Mutex<[(String, [AuditID])]>([])
        let images = PostgresScreenshots(store: postgres)
        let mirrored = MirroredStore(primary: sqlite, secondary: postgres, readsSecondaryFirst: true, translate: images.located) { operation, audits, _ in
            failures.withLock { $0.append((operation, audits)) }
        }
        let runner = try RunnerID("mirror-runner")
        let first = Audit(id: .generate(), url: "https://one.example/", tier: .standard, verdictMode: .simple, createdAt: .now)
        try await mirrored.enqueue(first)
        #expect(try await postgres.audit(first.id) != nil, "a new audit is mirrored")
        let started = StoredEvent(id: .generate(), auditID: first.id, seq: 1, timestamp: .now, runnerID: runner,
                                  change: .started(StartedEventPayload(url: first.url, tier: .standard, verdictMode: .simple)))
        #expect(try await mirrored.apply([started]) == [.applied])
        #expect(try await postgres.audit(first.id)?.status == .running, "its events are mirrored")
        #expect(try await postgres.isProcessed(event: started.id, of: first.id))

        // Reads ask PostgreSQL first: a change made behind the mirror's back in SQLite is not seen.
        _ = try await sqlite.apply([StoredEvent(id: .generate(), auditID: first.id, seq: 2, timestamp: .now, runnerID: runner,
                                                change: .progress(ProgressEventPayload(phase: "fetch", percent: 30)))])
        #expect(try await mirrored.audit(first.id)?.progress == nil, "answered by PostgreSQL")
        #expect(try await mirrored.audits(status: nil, limit: 10, offset: 0).first?.progress?.percent == 30, "lists come from the truth")

        // An audit written before the mirror began: events stay in SQLite, reads fall back to it.
        let older = Audit(id: .generate(), url: "https://older.example/", tier: .standard, verdictMode: .simple, createdAt: .now)
        try await sqlite.enqueue(older)
        #expect(try await mirrored.apply([StoredEvent(id: .generate(), auditID: older.id, seq: 1, timestamp: .now, runnerID: runner,
                                                      change: .started(StartedEventPayload(url: older.url, tier: .standard, verdictMode: .simple)))]) == [.applied])
        #expect(try await postgres.audit(older.id) == nil, "left for the backfill")
        #expect(try await mirrored.audit(older.id)?.status == .running, "read from SQLite")
        #expect(mirrored.staleAudits.contains(older.id))

        // The mirror fails (its server connection is gone): writes still succeed on the truth.
        postgres.close()
        let ended = StoredEvent(id: .generate(), auditID: first.id, seq: 3, timestamp: .now, runnerID: runner,
                                change: .error(ErrorEventPayload(errorMessage: "unreachable")))
        #expect(try await mirrored.apply([ended]) == [.applied], "acknowledged on the primary's commit alone")
        #expect(try await sqlite.audit(first.id)?.status == .error)
        #expect(failures.withLock { $0.contains { $0.0 == "apply" && $0.1 == [first.id] } }, "the failed mirror write is reported")
        #expect(mirrored.staleAudits.contains(first.id))
        #expect(try await mirrored.audit(first.id)?.status == .error, "a stale audit is read from the truth")
        try sqlite.close()
    }
}
