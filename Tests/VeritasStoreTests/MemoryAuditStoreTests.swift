import Testing
import VeritasProtocol
import VeritasStore

/// The memory store's bound: it keeps active audits and the newest ones, and forgets the oldest
/// finished ones with everything stored for them.
@Suite("MemoryAuditStore")
struct MemoryAuditStoreTests {
    @Test func evictsTheOldestTerminalAuditsFirst() async throws {
        let store = MemoryAuditStore(maxAudits: 3)
        let audits = (0..<5).map { makeAudit(createdAt: at(Int64($0))) }
        let finishOldest = event(audits[0].id, completed())
        try await store.enqueue(audits[0])
        try await store.enqueue(audits[1])
        try await store.enqueue(audits[2])
        // Finished out of creation order: age, not completion time, decides.
        _ = try await store.apply([
            event(audits[2].id, screenshot(audits[2].id, index: 0)),
            event(audits[2].id, failure("boom")),
            finishOldest,
        ])
        #expect(store.count == 3)

        try await store.enqueue(audits[3])
        #expect(store.count == 3)
        #expect(try await store.audit(audits[0].id) == nil)
        #expect(try await store.findings(of: audits[0].id).isEmpty)
        #expect(try await store.audit(audits[2].id)?.status == .error)

        try await store.enqueue(audits[4])
        #expect(store.count == 3)
        #expect(try await store.audit(audits[2].id) == nil)
        #expect(try await store.screenshots(of: audits[2].id).isEmpty)
        #expect(Set(try await store.audits(status: nil, limit: 10, offset: 0).map(\.id)) == Set([1, 3, 4].map { audits[$0].id }))
        #expect(try await store.statusCounts() == AuditStatusCounts(queued: 3))

        // Its seen event ids went with it: a late repeat is applied again (to a placeholder,
        // itself the oldest finished audit, so evicted at once).
        #expect(try await store.apply([finishOldest]) == [.applied])
        #expect(store.count == 3)
    }

    @Test func neverEvictsQueuedOrRunningAudits() async throws {
        let store = MemoryAuditStore(maxAudits: 2)
        let audits = (0..<4).map { makeAudit(createdAt: at(Int64($0))) }
        for audit in audits { try await store.enqueue(audit) }
        _ = try await store.apply([event(audits[0].id, started())])

        // Everything is active: the store holds all four, over its bound.
        #expect(store.count == 4)
        #expect(try await store.queueDepth() == 4)
        #expect(try await store.statusCounts() == AuditStatusCounts(queued: 3, running: 1))

        // As audits finish, the store shrinks back to its bound, oldest finished first.
        _ = try await store.apply([event(audits[3].id, completed())])
        #expect(store.count == 3)
        #expect(try await store.audit(audits[3].id) == nil)
        _ = try await store.apply([event(audits[1].id, failure("boom")), event(audits[2].id, completed())])
        #expect(store.count == 2)
        #expect(try await store.audit(audits[0].id)?.status == .running)
        #expect(try await store.audit(audits[2].id)?.status == .completed)
        #expect(try await store.audit(audits[1].id) == nil)
    }

    @Test("in front of a database, the newest waiting audits are evicted beyond the bound; running ones never")
    func evictsWaitingAuditsWhenADatabaseHoldsThem() async throws {
        let store = MemoryAuditStore(maxAudits: 2, evictsWaitingAudits: true)
        let audits = (0..<5).map { makeAudit(createdAt: at(Int64($0))) }
        try await store.enqueue(audits[0])
        _ = try await store.apply([event(audits[0].id, started())])
        for audit in audits.dropFirst() { try await store.enqueue(audit) }

        #expect(store.count == 2, "the bound holds with a long queue")
        #expect(try await store.audit(audits[0].id)?.status == .running, "a running audit stays")
        #expect(try await store.audit(audits[1].id)?.status == .queued, "the oldest waiting audit, next to run, stays")
        for evicted in audits[2...] { #expect(!store.holds(evicted.id)) }

        // Running audits alone may still exceed the bound: they are never evicted.
        let running = MemoryAuditStore(maxAudits: 1, evictsWaitingAudits: true)
        for audit in audits[..<3] {
            try await running.enqueue(audit)
            _ = try await running.apply([event(audit.id, started())])
        }
        #expect(running.count == 3)
    }

    @Test func auditsEndedByTheWriterCanBeEvicted() async throws {
        let store = MemoryAuditStore(maxAudits: 1)
        let older = makeAudit(createdAt: at(1))
        let newer = makeAudit(createdAt: at(2))
        try await store.enqueue(older)
        try await store.enqueue(newer)
        _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(10))
        _ = try await store.apply([event(older.id, started())])   // a started attempt counts
        #expect(store.count == 2)

        let outcome = try await store.requeueExpiredLeases(now: at(20), maxAttempts: 1, reason: "lease expired")
        #expect(outcome == RequeueOutcome(failed: [older.id]))
        #expect(store.count == 1)
        #expect(try await store.audit(older.id) == nil)
        #expect(try await store.audit(newer.id)?.status == .queued)
    }

    @Test("in front of a database, memory leaves out events for audits it does not hold, and adopts the database's")
    func skipsUnknownAuditsAndAdoptsSnapshots() async throws {
        let store = MemoryAuditStore(maxAudits: 10)
        var stored = makeAudit(createdAt: at(1))
        let late = event(stored.id, progress(90))
        #expect(store.apply([late], unknownAudits: .skip) == [.skipped])
        #expect(store.holds(stored.id) == false, "no placeholder made up from an event")

        stored.status = .completed
        stored.trustScore = 64
        store.adopt(AuditSnapshot(audit: stored, findings: sampleFindings, screenshots: []))
        #expect(store.apply([late], unknownAudits: .skip) == [.applied])
        let held = try #require(try await store.audit(stored.id))
        #expect(held.status == .completed, "a progress event after completed changes nothing")
        #expect(held.url == stored.url)
        #expect(held.trustScore == 64)
        #expect(try await store.findings(of: stored.id) == sampleFindings)

        // Adopting again never replaces what memory holds: memory is at least as fresh.
        var older = stored
        older.status = .running
        store.adopt(AuditSnapshot(audit: older, findings: [], screenshots: []))
        #expect(try await store.audit(stored.id)?.status == .completed)
        #expect(try await store.statusCounts() == AuditStatusCounts(completed: 1))
    }
}
