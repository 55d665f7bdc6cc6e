import Synchronization
import VeritasProtocol

/// The database of a writer in the middle of a live migration between SQLite and PostgreSQL: every
/// write goes to the **primary** (the source of truth: a write is acknowledged when the primary has
/// committed it) and is then mirrored to the **secondary**, so the secondary is complete and current
/// once the audits written before the mirror began are backfilled (``DatabaseCopy``). Switching the
/// two (one setting, `persistence.backend`) makes the other one the truth; switching back is the
/// rollback, and nothing written meanwhile is missing from either.
///
/// - **Mirroring never fails a write.** A mirror write that fails is logged (``mirrorFailed``) and
///   its audits marked stale, so reads here stop trusting the secondary for them; verification finds
///   them and a backfill repairs them.
/// - **Events** are mirrored to audits the secondary holds; an audit it does not hold yet (written
///   before the mirror began) is left for the backfill, which copies it whole.
/// - **Job-queue changes** (claims, reclaims, requeues) are mirrored by copying the audits they
///   changed, so attempts, hand-outs and claims agree; lease renewals are repeated on the secondary.
/// - **Reads** of one audit ask the secondary first when ``readsSecondaryFirst`` (PostgreSQL while
///   SQLite is the truth, so the new database serves reads before it serves writes) and fall back to
///   the primary for audits it lacks or that are stale. Lists, counts and the job queue are the
///   primary's: until the backfill ends the secondary lacks older audits.
public final class MirroredStore: AuditStore {
    public let primary: any AuditCopying
    public let secondary: any AuditCopying
    /// Whether single-audit reads try the secondary first.
    public let readsSecondaryFirst: Bool
    /// The secondary's name for a screenshot record (its `file_path`): how its screenshot store
    /// keeps the image the primary's store saved.
    private let translate: @Sendable (ScreenshotInfo) -> ScreenshotInfo
    /// Told about every mirror write that failed (the writer logs and counts it).
    private let mirrorFailed: @Sendable (_ operation: String, _ audits: [AuditID], _ error: any Error) -> Void
    /// Audits whose copy in the secondary is known to be behind since this process started.
    private let stale = Mutex(Set<AuditID>())
    /// Audits the secondary is known to hold (they are never deleted), so each is looked up once.
    private let held = Mutex(Set<AuditID>())

    public init(
        primary: any AuditCopying, secondary: any AuditCopying, readsSecondaryFirst: Bool,
        translate: @escaping @Sendable (ScreenshotInfo) -> ScreenshotInfo,
        mirrorFailed: @escaping @Sendable (_ operation: String, _ audits: [AuditID], _ error: any Error) -> Void
    ) {
        self.primary = primary
        self.secondary = secondary
        self.readsSecondaryFirst = readsSecondaryFirst
        self.translate = translate
        self.mirrorFailed = mirrorFailed
    }

    /// Audits the secondary is behind on (since this process started).
    public var staleAudits: Set<AuditID> { stale.withLock { $0 } }

    // MARK: Writes: the primary, then the mirror

    public func enqueue(_ audit: Audit) async throws {
        try await enqueue(audit, before: nil)
    }

    public func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws {
        try await primary.enqueue(audit, before: deadline)
        await mirror("enqueue", [audit.id]) { try await self.secondary.enqueue(audit) }
        remember([audit.id])
    }

    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] {
        let outcomes = try await primary.apply(events)
        var mirrored: [StoredEvent] = []
        var missing: Set<AuditID> = []
        for id in Set(events.map(\.auditID)) where !(await secondaryHolds(id)) { missing.insert(id) }
        for event in events where !missing.contains(event.auditID) {
            var copy = event
            if case .screenshot(let info) = event.change { copy.change = .screenshot(translate(info)) }
            mirrored.append(copy)
        }
        if !missing.isEmpty { markStale(missing) }
        if !mirrored.isEmpty {
            await mirror("apply", Array(Set(mirrored.map(\.auditID)))) { _ = try await self.secondary.apply(mirrored) }
        }
        return outcomes
    }

    // MARK: Reads

    public func audit(_ id: AuditID) async throws -> Audit? {
        try await readSource(for: id).audit(id)
    }

    public func findings(of id: AuditID) async throws -> [Finding] {
        try await readSource(for: id).findings(of: id)
    }

    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] {
        try await readSource(for: id).screenshots(of: id)
    }

    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        try await primary.audits(status: status, limit: limit, offset: offset)
    }

    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] {
        try await primary.snapshots(of: ids)
    }

    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool {
        try await primary.isProcessed(event: event, of: audit)
    }

    public func statusCounts() async throws -> AuditStatusCounts {
        try await primary.statusCounts()
    }

    /// The store one audit's reads go to: the secondary first when it is read first, holds the
    /// audit and is not behind on it; otherwise the primary.
    private func readSource(for id: AuditID) async throws -> any AuditStore {
        guard readsSecondaryFirst, !stale.withLock({ $0.contains(id) }) else { return primary }
        if (try? await secondary.audit(id)) != nil { return secondary }
        return primary
    }

    // MARK: Job queue: the primary's, its changes copied to the secondary

    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        let jobs = try await primary.claimJobs(for: runner, writer: writer, limit: limit, leaseUntil: leaseUntil)
        await copyToSecondary(jobs.map(\.auditID), "claim")
        return jobs
    }

    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        let reclaimed = try await primary.reclaimJobs(for: runner, writer: writer, audits: audits, leaseUntil: leaseUntil)
        await copyToSecondary(reclaimed, "reclaim")
        return reclaimed
    }

    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        try await primary.renewLeases(of: runner, holding: audits, until: until)
        await mirror("renew leases", Array(audits)) { try await self.secondary.renewLeases(of: runner, holding: audits, until: until) }
    }

    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        let outcome = try await primary.requeueJobs(of: runner, claimedThrough: writer, only: only, maxAttempts: maxAttempts, reason: reason, now: now)
        await copyToSecondary(outcome.requeued + outcome.failed, "requeue")
        return outcome
    }

    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        let outcome = try await primary.requeueExpiredLeases(now: now, maxAttempts: maxAttempts, reason: reason)
        await copyToSecondary(outcome.requeued + outcome.failed, "requeue expired")
        return outcome
    }

    public func queueDepth() async throws -> Int {
        try await primary.queueDepth()
    }

    public func verifyWritable() async throws {
        try await primary.verifyWritable()
    }

    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int {
        let forgotten = try await primary.forgetProcessedEvents(endedBefore: cutoff, limit: limit)
        await mirror("forget event ids", []) { _ = try await self.secondary.forgetProcessedEvents(endedBefore: cutoff, limit: limit) }
        return forgotten
    }

    // MARK: Mirroring

    /// Copies the primary's records of `audits` to the secondary (screenshot rows as the
    /// secondary names them).
    private func copyToSecondary(_ audits: [AuditID], _ operation: String) async {
        for id in audits {
            await mirror(operation, [id]) {
                guard var record = try await self.primary.record(of: id) else { return }
                record.snapshot.screenshots = record.snapshot.screenshots.map(self.translate)
                try await self.secondary.replace(with: record)
                self.remember([id])
                self.stale.withLock { _ = $0.remove(id) }
            }
        }
    }

    private func mirror(_ operation: String, _ audits: [AuditID], _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            markStale(Set(audits))
            mirrorFailed(operation, audits, error)
        }
    }

    private func secondaryHolds(_ id: AuditID) async -> Bool {
        if held.withLock({ $0.contains(id) }) { return true }
        guard (try? await secondary.audit(id)) != nil else { return false }
        remember([id])
        return true
    }

    private func remember(_ ids: [AuditID]) {
        held.withLock { held in
            // Bounded: forgetting only costs one more lookup.
            if held.count > 100_000 { held.removeAll() }
            held.formUnion(ids)
        }
    }

    /// Marks audits whose copy in the secondary is behind (a mirror write of theirs failed elsewhere,
    /// such as a screenshot image): reads stop trusting the secondary for them.
    public func markStale(_ ids: Set<AuditID>) {
        stale.withLock { stale in
            if stale.count > 100_000 { stale.removeAll() }
            stale.formUnion(ids)
        }
    }
}
