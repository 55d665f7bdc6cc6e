import VeritasProtocol

/// Where audits live. Two implementations: ``MemoryAuditStore`` (bounded, always on) and
/// ``SQLiteAuditStore`` (GRDB, WAL; switched off by `USE_DB_PERSISTENCE=false`), composed by
/// ``DurableStore`` (the ``WriterStore`` with persistence on).
///
/// Contract shared by both implementations (``AuditStoreConformance`` tests both):
/// - ``apply(_:)`` is atomic per call: every event of the batch is applied, or (on throw)
///   none is. Events are applied with ``VeritasProtocol/Audit/apply(_:)``; an event id seen
///   before is a ``EventOutcome/duplicate`` and changes nothing.
/// - `completed` writes one finding per verdict finding (replacing none: a completed audit
///   is terminal, so a second `completed` for it is ignored); `screenshot` upserts the row
///   keyed by (audit id, index).
/// - Reads return `nil`/empty for unknown audits; `source` on returned audits is set by the
///   implementation (`.memory` or `.database`).
/// - The job queue hands out queued audits oldest first; a claim is atomic, so two writers
///   sharing one database never hand the same audit to two runners at once.
public protocol AuditStore: Sendable {
    // MARK: Audits and events

    /// Stores a new audit with status `queued` and puts it on the job queue.
    func enqueue(_ audit: Audit) async throws

    /// ``enqueue(_:)`` decided by `deadline`: committed before it or not at all
    /// (``WriteDeadline``), throwing ``AuditStoreError/Code/timedOut`` then. Stores that never
    /// wait (memory) just enqueue.
    func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws

    /// Applies `events` in one transaction; returns one outcome per event, in order.
    /// `completed` and `error` also take the audit off the job queue.
    func apply(_ events: [StoredEvent]) async throws -> [EventOutcome]

    /// The audit with `id`, or `nil`.
    func audit(_ id: AuditID) async throws -> Audit?

    /// Audits, newest first (by `created_at`, then id), optionally only those with `status`.
    func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit]

    /// The dark-pattern findings of an audit, in the order the runner reported them.
    func findings(of id: AuditID) async throws -> [Finding]

    /// The screenshots of an audit, by index.
    func screenshots(of id: AuditID) async throws -> [ScreenshotInfo]

    /// Each of `ids` the store holds, with its findings and screenshots, read together (one
    /// read transaction in SQLite): what memory loads before applying events to audits it lacks.
    func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot]

    /// Whether event `event` of audit `audit` was already applied: lets the writer skip the side
    /// effects of a resend before the batch reaches ``apply(_:)`` (rewriting a screenshot file).
    func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool

    /// How many audits are in each status.
    func statusCounts() async throws -> AuditStatusCounts

    // MARK: Job queue

    /// Claims up to `limit` queued jobs, oldest first, for `runner` (connected to `writer`),
    /// leased until `leaseUntil`. Each claim increments the audit's `attempts`.
    func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob]

    /// Extends the leases of the jobs `runner` holds (`audits`): it is alive and working on
    /// them. Other claims of the same runner id (jobs a crashed and restarted runner lost) are
    /// left to expire, so the lease sweep requeues them.
    func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws

    /// Puts the claimed jobs of `runner` back on the queue (it went silent or said bye), or,
    /// for jobs that already had `maxAttempts` attempts, ends their audit in `error` with
    /// `reason`. `only` restricts it to some audits (a runner handing one job back); `writer` to
    /// the claims made or last taken over through that writer: a runner that went silent on one
    /// writer may be working through another writer of the same database, which holds its claims.
    func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome

    /// Like ``requeueJobs(of:only:maxAttempts:reason:now:)`` for every claim whose lease ended
    /// before `now`, whoever holds it: recovers jobs of a writer that died.
    func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome

    /// Audits waiting for a runner.
    func queueDepth() async throws -> Int

    /// Claims for `runner` the jobs of `audits` that are back on the queue, without counting an
    /// attempt: a runner heard again after a silence says it is still running them, so they must
    /// not be handed to anyone as a new attempt. Jobs `runner` already holds get the new lease;
    /// jobs another runner holds are left alone. An audit that had started is `running` again.
    /// - Returns: the audits now claimed by `runner`.
    func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID]

    /// Commits a tiny write, like any other, to prove the store takes durable writes now; throws
    /// what a real write would. A writer whose database is degraded calls it periodically, so
    /// health recovers when the fault clears, without waiting for traffic.
    func verifyWritable() async throws

    /// Forgets the ids of applied events (at most `limit`) of audits that ended before `cutoff`,
    /// bounding what exactly-once keeps; returns how many went. A terminal audit changes under
    /// no event, so a resend of a forgotten id still has no effect. Memory returns 0: its ids go
    /// with the audit when it is evicted.
    func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int
}

extension AuditStore {
    public func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws {
        try await enqueue(audit)
    }

    /// ``requeueJobs(of:claimedThrough:only:maxAttempts:reason:now:)`` whichever writer holds the claims.
    public func requeueJobs(of runner: RunnerID, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp) async throws -> RequeueOutcome {
        try await requeueJobs(of: runner, claimedThrough: nil, only: only, maxAttempts: maxAttempts, reason: reason, now: now)
    }
}

/// What a requeue did.
public struct RequeueOutcome: Sendable, Equatable {
    /// Jobs back on the queue (their audits are `queued` again).
    public var requeued: [AuditID] = []
    /// Audits ended in `error` because they ran out of attempts.
    public var failed: [AuditID] = []

    public init(requeued: [AuditID] = [], failed: [AuditID] = []) {
        self.requeued = requeued
        self.failed = failed
    }
}

/// What happens to a claimed job being requeued: the one rule both stores apply.
///
/// A hand-out whose audit never started (still `queued`) gives its attempt back; an audit ends in
/// `error` after `maxAttempts` started attempts, or after `maxAttempts × handoutsPerAttempt`
/// hand-outs in all (what stops a job whose messages keep getting lost).
package enum RequeueDecision: Equatable {
    /// Back on the queue; `refundAttempt` when this hand-out never started.
    case requeue(refundAttempt: Bool)
    /// The audit ends in `error` with this message.
    case fail(message: String)

    package init(status: AuditStatus, attempts: Int, handouts: Int, maxAttempts: Int, reason: String) {
        let started = status != .queued
        if started && attempts >= maxAttempts {
            self = .fail(message: reason)
        } else if handouts >= maxAttempts * ProtocolDefaults.handoutsPerAttempt {
            self = .fail(message: "handed out \(handouts) times without starting; last: \(reason)")
        } else {
            self = .requeue(refundAttempt: !started)
        }
    }
}
