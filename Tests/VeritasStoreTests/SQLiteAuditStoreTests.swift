import Foundation
import GRDB
import Testing
import VeritasProtocol
@testable import VeritasStore

/// What only the database store promises: durability across restarts, its schema and settings,
/// atomic batches, and claims that stay exclusive across several writers on one file.
@Suite("SQLiteAuditStore")
struct SQLiteAuditStoreTests {
    @Test func dataSurvivesARestart() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            let audit = makeAudit(createdAt: at(1))
            let waiting = makeAudit(createdAt: at(2))
            do {
                let store = try SQLiteAuditStore(path: path)
                try await store.enqueue(audit)
                try await store.enqueue(waiting)
                _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
                _ = try await store.apply([
                    event(audit.id, started(), at: at(10)),
                    event(audit.id, screenshot(audit.id, index: 0)),
                    event(audit.id, completed(), at: at(20)),
                ])
                try store.close()
            }

            let reopened = try SQLiteAuditStore(path: path)
            defer { try? reopened.close() }
            let stored = try #require(try await reopened.audit(audit.id))
            #expect(stored.status == .completed)
            #expect(stored.attempts == 1)
            #expect(stored.securityResults == verdict().securityResults)
            #expect(stored.signalScores == verdict().signalScores)
            #expect(try await reopened.findings(of: audit.id) == sampleFindings)
            #expect(try await reopened.screenshots(of: audit.id).count == 1)
            #expect(try await reopened.queueDepth() == 1)
            #expect(try await reopened.claimJobs(for: runnerA, writer: "w", limit: 5, leaseUntil: at(100)).map(\.auditID) == [waiting.id])
        }
    }

    @Test("a database of the version before finding boxes opens migrated: its findings read back whole, without a box")
    func findingsFromBeforeBoxesMigrate() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            let audit = makeAudit()
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let old = try DatabasePool(path: path)
                try SQLiteAuditStore.migrator.migrate(old, upTo: "v3: job hand-outs")
                try await old.write { db in
                    try db.execute(sql: "INSERT INTO audits (id, url, tier, verdict_mode, status, created_at) VALUES (?, ?, 'standard', 'simple', 'completed', '2026-11-26T15:08:43.123Z')",
                                   arguments: [audit.id.rawValue, audit.url])
                    try db.execute(sql: """
                        INSERT INTO audit_findings (audit_id, ordinal, category, pattern_type, severity, confidence, evidence, location)
                        VALUES (?, 0, 'scarcity', 'low_stock', 'medium', 0.5, 'Only 2 left', '#stock')
                        """, arguments: [audit.id.rawValue])
                }
                try old.close()
            }
            let store = try SQLiteAuditStore(path: path)
            defer { try? store.close() }
            let findings = try await store.findings(of: audit.id)
            #expect(findings == [Finding(patternType: .lowStock, severity: .medium, confidence: 0.5, evidence: "Only 2 left", location: "#stock")])
            #expect(findings.first?.box == nil)
        }
    }

    @Test func reopeningDoesNotMigrateAgain() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            let audit = makeAudit()
            let first = try SQLiteAuditStore(path: path)
            try await first.enqueue(audit)
            let second = try SQLiteAuditStore(path: path)
            defer { try? second.close() }
            try first.close()

            let migrations = try await second.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(migrations == SQLiteAuditStore.migrator.migrations)
            #expect(try await second.audit(audit.id)?.id == audit.id)
        }
    }

    @Test func writersStartingTogetherOnANewFileAllOpenIt() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            // Four writers race to create, switch to WAL and migrate the same new file.
            let stores = try await withThrowingTaskGroup(of: SQLiteAuditStore.self) { group in
                for _ in 0..<4 { group.addTask { try SQLiteAuditStore(path: path) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            defer { for store in stores { try? store.close() } }
            let audit = makeAudit()
            try await stores[0].enqueue(audit)
            for store in stores { #expect(try await store.audit(audit.id)?.id == audit.id) }
        }
    }

    /// Seen event ids survive too: a runner resending after the restart is deduplicated.
    @Test func deduplicatesAcrossARestart() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            let audit = makeAudit()
            let start = event(audit.id, started(), at: at(10))
            do {
                let store = try SQLiteAuditStore(path: path)
                try await store.enqueue(audit)
                #expect(try await store.apply([start]) == [.applied])
                try store.close()
            }
            let store = try SQLiteAuditStore(path: path)
            defer { try? store.close() }
            #expect(try await store.apply([start]) == [.duplicate])
        }
    }

    @Test func usesWALAndTheRequestedSynchronousMode() async throws {
        try await withTemporaryFolder { folder in
            let full = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? full.close() }
            let (journal, fullLevel, foreignKeys) = try await full.pool.write { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                    try Bool.fetchOne(db, sql: "PRAGMA foreign_keys")
                )
            }
            #expect(journal == "wal")
            #expect(fullLevel == 2)  // FULL
            #expect(foreignKeys == true)

            let normal = try SQLiteAuditStore(path: folder.appendingPathComponent("other.sqlite").path, synchronous: .normal)
            defer { try? normal.close() }
            #expect(try await normal.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 1)  // NORMAL
        }
    }

    @Test func twoWritersNeverClaimTheSameJob() async throws {
        try await withTemporaryFolder { folder in
            let path = databasePath(in: folder)
            let writers = [try SQLiteAuditStore(path: path), try SQLiteAuditStore(path: path)]
            defer { for writer in writers { try? writer.close() } }
            let audits = (0..<200).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await writers[0].enqueue(audit) }

            let claims = try await withThrowingTaskGroup(of: [AuditJob].self) { group in
                for (number, writer) in writers.enumerated() {
                    for task in 0..<4 {
                        group.addTask {
                            let runner = try RunnerID("runner-\(number)-\(task)")
                            var mine: [AuditJob] = []
                            var limit = 1 + task
                            while true {
                                let jobs = try await writer.claimJobs(for: runner, writer: "writer-\(number)", limit: limit, leaseUntil: at(1000))
                                if jobs.isEmpty { return mine }
                                mine += jobs
                                limit = limit % 5 + 1
                            }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == audits.count)
            #expect(Set(claims.map(\.auditID)) == Set(audits.map(\.id)))
            #expect(claims.allSatisfy { $0.attempt == 1 })
            #expect(try await writers[1].queueDepth() == 0)
            let attempts = try await writers[1].pool.read { try Int.fetchOne($0, sql: "SELECT SUM(attempts) FROM audits") }
            #expect(attempts == audits.count)
        }
    }

    @Test func appliesAThousandEventsInOneBatch() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let audits = (0..<10).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            let events = (0..<1000).map { number in
                event(audits[number % audits.count].id, progress(Double(number) / 10), seq: number, at: at(Int64(100 + number)))
            }

            let clock = ContinuousClock()
            let started = clock.now
            let outcomes = try await store.apply(events)
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("SQLiteAuditStore.apply: 1000 progress events (synchronous=FULL, debug build) in \(elapsed): \(Int(1000 / seconds)) events/s")

            #expect(outcomes == Array(repeating: .applied, count: 1000))
            let running = try await store.audits(status: .running, limit: 100, offset: 0)
            #expect(running.count == audits.count)
            // Each audit's first event started it.
            #expect(Set(running.compactMap(\.startedAt)) == Set((0..<10).map { at(Int64(100 + $0)) }))
            let recorded = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM processed_events") }
            #expect(recorded == 1000)
            #expect(try await store.apply(events) == Array(repeating: .duplicate, count: 1000))
        }
    }

    @Test func aFailingBatchAppliesNothing() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let known = makeAudit(createdAt: at(1))
            let poisoned = AuditID.generate()
            try await store.enqueue(known)
            try await store.pool.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER fail_on_poisoned BEFORE INSERT ON processed_events
                    WHEN NEW.audit_id = '\(poisoned.rawValue)'
                    BEGIN SELECT RAISE(ABORT, 'poisoned audit'); END
                    """)
            }
            let before = try await store.audit(known.id)
            let fresh = AuditID.generate()
            let batch = [
                event(known.id, started(), at: at(10)),
                event(fresh, failure("created by this batch"), at: at(11)),
                event(known.id, screenshot(known.id, index: 0)),
                event(known.id, completed(), at: at(12)),
                event(poisoned, progress(5), at: at(13)),
            ]

            await #expect(throws: DatabaseError.self) { try await store.apply(batch) }
            #expect(try await store.audit(known.id) == before)
            #expect(try await store.audit(fresh) == nil)
            #expect(try await store.findings(of: known.id).isEmpty)
            #expect(try await store.screenshots(of: known.id).isEmpty)
            #expect(try await store.queueDepth() == 1)
            let recorded = try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM processed_events") }
            #expect(recorded == 0)

            // Once the fault is gone the resent batch applies in full: nothing was marked as seen.
            try await store.pool.write { try $0.execute(sql: "DROP TRIGGER fail_on_poisoned") }
            #expect(try await store.apply(batch) == Array(repeating: .applied, count: batch.count))
            #expect(try await store.audit(known.id)?.status == .completed)
        }
    }

    @Test func aDamagedRowIsAClearError() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let audit = makeAudit()
            try await store.enqueue(audit)
            try await store.pool.write { try $0.execute(sql: "UPDATE audits SET tier = 'ludicrous'") }

            let error = try await #require(throws: AuditStoreError.self) { try await store.audit(audit.id) }
            #expect(error.code == .corruptRow)
            #expect(error.message.contains("audits.tier"))
            #expect(error.message.contains("ludicrous"))
        }
    }

    @Test func storesTimestampsAsSortableText() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let audit = makeAudit(createdAt: Timestamp(millisecondsSinceEpoch: 1_795_000_000_123))
            try await store.enqueue(audit)
            let stored = try await store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT created_at FROM audits")
            }
            #expect(stored == audit.createdAt.description)
            #expect(stored?.hasSuffix(".123Z") == true)
        }
    }
}

/// Bounding `processed_events`: what is forgotten, what is kept, and why a resend of a
/// forgotten event still changes nothing.
@Suite("SQLiteAuditStore: forgetting old event ids")
struct ProcessedEventsPruningTests {
    @Test("only ended audits' ids go, and only of audits that ended before the cutoff; a limit bounds one pass")
    func forgetsOnlyEndedBeforeCutoff() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let ended = makeAudit(), failed = makeAudit(), running = makeAudit(), recent = makeAudit()
            for audit in [ended, failed, running, recent] { try await store.enqueue(audit) }
            let later = Timestamp.now.adding(milliseconds: 3_600_000)
            _ = try await store.apply([
                event(ended.id, started(), seq: 1), event(ended.id, progress(50), seq: 2), event(ended.id, completed(), seq: 3, at: at(20)),
                event(failed.id, started(), seq: 1), event(failed.id, failure("no route"), seq: 2, at: at(20)),
                event(running.id, started(), seq: 1), event(running.id, progress(10), seq: 2),
                event(recent.id, started(), seq: 1), event(recent.id, completed(), seq: 2, at: later),
            ])
            func rows(_ audit: Audit) async throws -> Int {
                try await store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM processed_events WHERE audit_id = ?", arguments: [audit.id.rawValue]) ?? 0 }
            }
            let cutoff = Timestamp.now.adding(milliseconds: 1_000)
            #expect(try await store.forgetProcessedEvents(endedBefore: cutoff, limit: 2) == 2, "one pass deletes at most the limit")
            #expect(try await store.forgetProcessedEvents(endedBefore: cutoff, limit: 100) == 3)
            #expect(try await store.forgetProcessedEvents(endedBefore: cutoff, limit: 100) == 0)
            #expect(try await rows(ended) == 0)
            #expect(try await rows(failed) == 0)
            #expect(try await rows(running) == 2, "a running audit can still change: its ids stay")
            #expect(try await rows(recent) == 2, "ended after the cutoff: kept for the retention")
        }
    }

    @Test("a resend of a forgotten event is applied to an audit no event can change: nothing changes")
    func resendAfterForgettingChangesNothing() async throws {
        try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder))
            defer { try? store.close() }
            let audit = makeAudit()
            try await store.enqueue(audit)
            let sent = [
                event(audit.id, started(), seq: 1, at: at(10)), event(audit.id, progress(40), seq: 2, at: at(11)),
                event(audit.id, screenshot(audit.id, index: 0), seq: 3, at: at(12)), event(audit.id, completed(), seq: 4, at: at(20)),
            ]
            _ = try await store.apply(sent)
            let before = try #require(try await store.audit(audit.id))
            let findingsBefore = try await store.findings(of: audit.id)
            let screenshotsBefore = try await store.screenshots(of: audit.id)
            #expect(try await store.forgetProcessedEvents(endedBefore: Timestamp.now.adding(milliseconds: 1_000), limit: 100) == 4)

            // A runner that was away resends everything (a late `started` and `completed` too).
            _ = try await store.apply(sent)
            #expect(try await store.audit(audit.id) == before)
            #expect(try await store.findings(of: audit.id) == findingsBefore, "findings are not written twice")
            #expect(try await store.screenshots(of: audit.id) == screenshotsBefore)
        }
    }
}
