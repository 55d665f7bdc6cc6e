import VeritasProtocol

/// The store a writer serves from, chosen once at start-up: ``MemoryOnlyStore`` when
/// `USE_DB_PERSISTENCE=false`, else ``DurableStore`` (the database, with memory in front). The
/// writer's code asks it, never whether a database exists.
public protocol WriterStore: AuditStore {
    /// The bounded memory store (the only store, or the one in front of the database).
    var memory: MemoryAuditStore { get }
    /// Whether events are stored durably (the `USE_DB_PERSISTENCE` flag).
    var persistenceEnabled: Bool { get }
    /// `disabled`, `ok`, or `degraded` after a failed database or screenshot file write.
    var databaseState: DatabaseState { get }
    /// Where a new audit is answered from: `database` when stored durably.
    var submitSource: DataSource { get }

    /// Stores a submitted audit, or refuses within `limit`, never both.
    func enqueue(_ audit: Audit, within limit: Duration) async throws

    /// Whether an audit with this id exists: `true`, `false`, or `nil` when it cannot be said now
    /// (the database cannot be read).
    func knows(_ id: AuditID) async -> Bool?

    /// Whether a runner's event may name an audit this store does not know: only when memory is
    /// all there is (a restarted memory-only writer gets its audits back from the resends).
    var acceptsEventsForUnknownAudits: Bool { get }

    /// ``AuditStore/statusCounts()`` and where they came from.
    func statusCountsAndSource() async throws -> (counts: AuditStatusCounts, source: DataSource)

    /// Records how a screenshot file write (same disk as the database) went, for health.
    func recordFileWrite(succeeded: Bool)

    /// While degraded: a probe write, and `alsoCheck`; `true` once healthy again.
    @discardableResult
    func probeRecovery(alsoCheck: () async throws -> Void) async -> Bool
}

/// The writer's store with `USE_DB_PERSISTENCE=false`: memory is all there is. Nothing touches
/// SQLite; ``databaseState`` is `disabled`; an event for an audit memory does not hold creates it.
public final class MemoryOnlyStore: WriterStore {
    public let memory: MemoryAuditStore

    public init(memory: MemoryAuditStore) {
        self.memory = memory
    }

    public var persistenceEnabled: Bool { false }
    public var databaseState: DatabaseState { .disabled }
    public var submitSource: DataSource { .memory }
    public var acceptsEventsForUnknownAudits: Bool { true }

    public func enqueue(_ audit: Audit) async throws { try await memory.enqueue(audit) }
    public func enqueue(_ audit: Audit, within limit: Duration) async throws { try await memory.enqueue(audit) }
    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] { memory.apply(events, unknownAudits: .create) }
    public func audit(_ id: AuditID) async throws -> Audit? { try await memory.audit(id) }
    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        try await memory.audits(status: status, limit: limit, offset: offset)
    }
    public func findings(of id: AuditID) async throws -> [Finding] { try await memory.findings(of: id) }
    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] { try await memory.screenshots(of: id) }
    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] { try await memory.snapshots(of: ids) }
    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool { try await memory.isProcessed(event: event, of: audit) }
    public func statusCounts() async throws -> AuditStatusCounts { try await memory.statusCounts() }
    public func statusCountsAndSource() async throws -> (counts: AuditStatusCounts, source: DataSource) {
        (try await memory.statusCounts(), .memory)
    }
    public func knows(_ id: AuditID) async -> Bool? { memory.holds(id) }

    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        try await memory.claimJobs(for: runner, writer: writer, limit: limit, leaseUntil: leaseUntil)
    }
    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        try await memory.renewLeases(of: runner, holding: audits, until: until)
    }
    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        try await memory.requeueJobs(of: runner, claimedThrough: writer, only: only, maxAttempts: maxAttempts, reason: reason, now: now)
    }
    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        try await memory.requeueExpiredLeases(now: now, maxAttempts: maxAttempts, reason: reason)
    }
    public func queueDepth() async throws -> Int { try await memory.queueDepth() }
    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        try await memory.reclaimJobs(for: runner, writer: writer, audits: audits, leaseUntil: leaseUntil)
    }
    public func verifyWritable() async throws {}
    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int { 0 }

    /// Memory has no disk to be unhealthy about.
    public func recordFileWrite(succeeded: Bool) {}
    public func probeRecovery(alsoCheck: () async throws -> Void) async -> Bool { true }
}
