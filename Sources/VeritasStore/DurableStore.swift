import Synchronization
import VeritasProtocol

/// The writer's store with persistence on: the database, with the bounded memory store in front.
/// Every write goes to both; reads ask the database first. (``MemoryOnlyStore`` is the other
/// ``WriterStore``, for `USE_DB_PERSISTENCE=false`.)
///
/// - Writes: events are applied to memory first (so reads keep working whatever the database
///   does), then to the database. ``apply(_:)`` returns only once the database has committed;
///   if it throws, the caller must not acknowledge: the runner resends, and the database applies
///   the events for real once it works again.
/// - Reads: database first; memory for an audit it is ahead on (a failed commit) or when the
///   database cannot be read. Returned audits carry `source` so clients can tell.
/// - The job queue lives in the database (several writers share it); memory mirrors statuses.
/// - A failed database write marks the database `degraded` until a later write succeeds; a
///   failed screenshot file write (same disk) marks it `degraded` until a file write succeeds.
///   ``probeRecovery(alsoCheck:)`` tests both while degraded.
public final class DurableStore: WriterStore {
    /// The bounded memory store, always on.
    public let memory: MemoryAuditStore
    /// The database store.
    public let database: any AuditStore
    /// What failed last: database writes and screenshot files recover separately, so a
    /// committed batch does not hide a disk that cannot take files.
    private struct Failures {
        var database = false
        var files = false
        /// What the last failed database write said, for refusals while it fails.
        var lastDatabaseError = ""
    }

    private let failures = Mutex(Failures())
    /// Audits whose newest events memory applied but the database did not commit: memory is
    /// ahead on them until the runner's resend commits.
    private let ahead = Mutex(Set<AuditID>())

    public init(memory: MemoryAuditStore, database: any AuditStore) {
        self.memory = memory
        self.database = database
    }

    public var persistenceEnabled: Bool { true }
    public var submitSource: DataSource { .database }
    /// Every audit is in the database before any runner hears of it: an unknown id is bogus.
    public var acceptsEventsForUnknownAudits: Bool { false }

    /// `ok`, or `degraded` after a failed database or screenshot file write.
    public var databaseState: DatabaseState {
        failures.withLock { $0.database || $0.files } ? .degraded : .ok
    }

    // MARK: Writes

    public func enqueue(_ audit: Audit) async throws {
        try await enqueue(audit, before: nil)
    }

    /// Stores a submitted audit, or refuses within `limit`, never both: at once while database
    /// writes are failing (the writer probes every second, so this clears by itself), else when
    /// the database has not committed by the deadline (a lock held elsewhere). Throws
    /// ``AuditStoreError/Code/timedOut`` or the database's error; nothing is stored then.
    public func enqueue(_ audit: Audit, within limit: Duration) async throws {
        if let failure = failures.withLock({ $0.database ? $0.lastDatabaseError : nil }) {
            throw AuditStoreError(.timedOut, "the database is not taking writes now (\(failure)); nothing was stored")
        }
        let deadline = WriteDeadline(.now + limit)
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, any Error>, Never>) in
            let decision = FirstOutcome(continuation)
            let timer = Task {
                try? await Task.sleep(until: deadline.instant)
                if deadline.expire() { decision.resume(.failure(AuditStoreError.timedOut(audit.id))) }
            }
            Task {
                do {
                    try await self.enqueue(audit, before: deadline)
                    decision.resume(.success(()))
                } catch {
                    decision.resume(.failure(error))
                }
                timer.cancel()
            }
        }
        try outcome.get()
    }

    public func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws {
        // Durable first: a submit the database refused must not look accepted.
        let database = self.database
        try await recordingHealth { try await database.enqueue(audit, before: deadline) }
        // The database has it; memory is only in front of it, so a refusal there must not fail
        // the submit.
        try? await memory.enqueue(audit)
    }

    /// Events applied to memory between two yields to other tasks.
    static let memoryApplyChunk = 128

    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] {
        // Nothing to write proves nothing about the database: keep its health as it is.
        guard !events.isEmpty else { return [] }
        let database = self.database
        let audits = Set(events.map(\.auditID))
        await loadIntoMemory(audits.filter { !memory.holds($0) }, from: database)
        // In chunks, yielding between them: a batch of thousands of events would otherwise hold
        // a thread of the (two-thread) pool for milliseconds while queries wait for one.
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(events.endIndex, start + Self.memoryApplyChunk)
            _ = memory.apply(Array(events[start..<end]), unknownAudits: .skip)
            start = end
            if start < events.endIndex { await Task.yield() }
        }
        do {
            let outcomes = try await recordingHealth { try await database.apply(events) }
            // Whatever memory was ahead with for these audits was resent in this batch.
            ahead.withLock { $0.subtract(audits) }
            return outcomes
        } catch {
            ahead.withLock { ahead in ahead.formUnion(audits.filter(memory.holds)) }
            throw error
        }
    }

    /// Memory takes events only for audits it holds; an audit it lacks (the writer restarted,
    /// memory evicted it, another writer took its submit) is loaded from the database first, so
    /// memory never makes up a state it does not know. If the database cannot be read now,
    /// memory leaves those events out and the database alone decides.
    private func loadIntoMemory(_ audits: Set<AuditID>, from database: any AuditStore) async {
        guard !audits.isEmpty, let snapshots = try? await database.snapshots(of: Array(audits)) else { return }
        for snapshot in snapshots { memory.adopt(snapshot) }
    }

    // MARK: Reads: database first, memory where it is ahead or the database cannot answer

    /// Whether memory holds newer events of `id` than the database committed (a batch with them
    /// failed to commit and was not resent yet): then memory answers for it.
    private func isAhead(_ id: AuditID) -> Bool {
        ahead.withLock { $0.contains(id) } && memory.holds(id)
    }

    public func audit(_ id: AuditID) async throws -> Audit? {
        guard !isAhead(id) else { return try await memory.audit(id) }
        do {
            if let stored = try await database.audit(id) { return stored }
            // Persistence on: every audit is in the database before memory hears of it.
            return try await memory.audit(id)
        } catch {
            if let held = try await memory.audit(id) { return held }
            throw AuditStoreError.unreadable(id, error)
        }
    }

    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        guard let stored = try? await database.audits(status: status, limit: limit, offset: offset) else {
            return try await memory.audits(status: status, limit: limit, offset: offset)
        }
        // Audits memory is ahead on show memory's fresher state, in the database's order.
        var page: [Audit] = []
        for audit in stored {
            page.append(isAhead(audit.id) ? (try await memory.audit(audit.id)) ?? audit : audit)
        }
        return page
    }

    public func findings(of id: AuditID) async throws -> [Finding] {
        try await readSource(for: id).findings(of: id)
    }

    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] {
        try await readSource(for: id).screenshots(of: id)
    }

    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] {
        try await database.snapshots(of: ids)
    }

    /// Whether an audit with this id exists: `true` if memory or the database has it, `false` if
    /// neither does, `nil` if the database could not be read (and memory does not have it).
    public func knows(_ id: AuditID) async -> Bool? {
        if memory.holds(id) { return true }
        // While the database fails, asking it may take its whole timeout (a server that does not
        // answer), and the runner gateway asks for every event: "cannot say" at once, the commit
        // decides.
        if failures.withLock({ $0.database }) { return nil }
        do {
            return try await database.audit(id) != nil
        } catch {
            return nil
        }
    }

    /// Where an audit's details are read from: the store ``audit(_:)`` answers from (the details
    /// must agree with the audit they belong to). An audit neither knows reads as empty.
    public func readSource(for id: AuditID) async throws -> any AuditStore {
        guard !isAhead(id) else { return memory }
        do {
            return try await database.audit(id) != nil ? database : memory
        } catch {
            if memory.holds(id) { return memory }
            throw AuditStoreError.unreadable(id, error)
        }
    }

    /// Only the database can say an event is applied: memory takes every event first, including
    /// those of a batch whose commit then failed.
    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool {
        // Not while the database fails (it may not answer in time): the resend is then stored
        // again, which the database dedups by event id once it commits.
        if failures.withLock({ $0.database }) { return false }
        return (try? await database.isProcessed(event: event, of: audit)) ?? false
    }

    public func statusCounts() async throws -> AuditStatusCounts {
        try await statusCountsAndSource().counts
    }

    /// The database's counts, with the audits memory is ahead on counted at memory's status; or,
    /// when the database cannot be read, memory's own (only the audits it holds) and `source`
    /// `memory` to say so.
    public func statusCountsAndSource() async throws -> (counts: AuditStatusCounts, source: DataSource) {
        guard var counts = try? await database.statusCounts() else {
            return (try await memory.statusCounts(), .memory)
        }
        for id in ahead.withLock({ $0 }) {
            guard let fresh = try await memory.audit(id)?.status,
                  let durable = try? await database.audit(id)?.status, fresh != durable else { continue }
            counts[durable] -= 1
            counts[fresh] += 1
        }
        return (counts, .database)
    }

    // MARK: Job queue: the database's (memory mirrors the statuses it reads from)

    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        let queue = self.database
        return try await recordingHealth {
            try await queue.claimJobs(for: runner, writer: writer, limit: limit, leaseUntil: leaseUntil)
        }
    }

    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        let queue = self.database
        let reclaimed = try await recordingHealth {
            try await queue.reclaimJobs(for: runner, writer: writer, audits: audits, leaseUntil: leaseUntil)
        }
        // Memory mirrors the status (reads fall back to it); its own queue is unused here.
        _ = try? await memory.reclaimJobs(for: runner, writer: writer, audits: reclaimed, leaseUntil: leaseUntil)
        return reclaimed
    }

    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        let queue = self.database
        try await recordingHealth { try await queue.renewLeases(of: runner, holding: audits, until: until) }
    }

    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        let queue = self.database
        let outcome = try await recordingHealth {
            try await queue.requeueJobs(of: runner, claimedThrough: writer, only: only, maxAttempts: maxAttempts, reason: reason, now: now)
        }
        memory.mirror(outcome, reason: reason, now: now)
        return outcome
    }

    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        let queue = self.database
        let outcome = try await recordingHealth {
            try await queue.requeueExpiredLeases(now: now, maxAttempts: maxAttempts, reason: reason)
        }
        memory.mirror(outcome, reason: reason, now: now)
        return outcome
    }

    /// The database's queue depth; while the database cannot be read, memory's count of audits
    /// not yet finished (an upper bound), so `health` still answers.
    public func queueDepth() async throws -> Int {
        if let depth = try? await database.queueDepth() { return depth }
        return try await memory.queueDepth()
    }

    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int {
        try await database.forgetProcessedEvents(endedBefore: cutoff, limit: limit)
    }

    public func verifyWritable() async throws {
        try await database.verifyWritable()
    }

    // MARK: Health

    /// Records how a write that shares the database's fate but happens outside the store went:
    /// a screenshot file on the same disk. A failure keeps health `degraded` until a file write
    /// (or a probe) succeeds.
    public func recordFileWrite(succeeded: Bool) {
        failures.withLock { $0.files = !succeeded }
    }

    /// While degraded: commits a probe write to the database and runs `alsoCheck` (the
    /// screenshot folder); if both succeed the database is `ok` again. Returns whether it is.
    @discardableResult
    public func probeRecovery(alsoCheck: () async throws -> Void) async -> Bool {
        guard databaseState == .degraded else { return databaseState != .degraded }
        do {
            try await database.verifyWritable()
            failures.withLock { $0.database = false }
            try await alsoCheck()
            failures.withLock { $0.files = false }
            return true
        } catch {
            return false
        }
    }

    private func recordingHealth<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            failures.withLock { $0.database = false }
            return result
        } catch {
            // The caller logs the error; health only needs to know the database is failing. A
            // write that gave up at its own deadline says nothing about the database's health.
            if (error as? AuditStoreError)?.code != .timedOut {
                failures.withLock {
                    $0.database = true
                    $0.lastDatabaseError = "\(error)"
                }
            }
            throw error
        }
    }
}

/// Resumes a continuation with the first of several outcomes; later ones are ignored.
private final class FirstOutcome: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<Void, any Error>, Never>?>

    init(_ continuation: CheckedContinuation<Result<Void, any Error>, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ outcome: Result<Void, any Error>) {
        continuation.withLock { $0.take() }?.resume(returning: outcome)
    }
}
