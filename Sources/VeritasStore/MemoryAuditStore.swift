import Synchronization
import VeritasProtocol

/// The in-memory ``AuditStore``: always on, bounded, and the only store when
/// `USE_DB_PERSISTENCE=false`.
///
/// Every method does its work synchronously under one lock (a `Mutex`), so a call is atomic and
/// cheap; the methods are `async` only to fit the protocol.
///
/// **The bound.** Once it holds more than `maxAudits` audits, the store evicts the oldest
/// (by `created_at`, then id) audits in a terminal status (`completed` or `error`), together with
/// their findings, screenshots and seen event ids. Running audits are never evicted, and queued
/// ones only when ``evictsWaitingAudits`` (in front of a database, which holds them: the newest
/// waiting audits go first, and an audit's first event loads it back). Alone, memory may be the
/// only place that knows an audit, so when more than `maxAudits` audits are active at once it
/// holds all of them and exceeds the bound until some finish.
///
/// Evicting an audit also forgets the event ids seen for it: a late repeat of one of its events
/// creates a fresh placeholder audit here (the database, read first, still has the real one).
///
/// ```swift
/// let memory = MemoryAuditStore(maxAudits: 10_000)
/// try await memory.enqueue(Audit(id: .generate(), url: "https://example.com", createdAt: .now))
/// ```
public final class MemoryAuditStore: AuditStore {
    /// How many audits the store aims to hold at most (see the bound above).
    public let maxAudits: Int
    /// Whether audits waiting in the queue may be evicted too: only where a database holds them.
    public let evictsWaitingAudits: Bool
    private let state: Mutex<State>

    /// A store that holds at most `maxAudits` audits (≥ 1) beyond those still active, or beyond
    /// those running when `evictsWaitingAudits` (a database holds the queue: a long queue must
    /// not grow the writer's memory, measured at ~1.6 KiB per waiting audit).
    public init(maxAudits: Int, evictsWaitingAudits: Bool = false) {
        precondition(maxAudits >= 1, "MemoryAuditStore needs room for at least one audit")
        self.maxAudits = maxAudits
        self.evictsWaitingAudits = evictsWaitingAudits
        state = Mutex(State(evictsWaitingAudits: evictsWaitingAudits))
    }

    /// How many audits the store holds now, for `health`.
    public var count: Int {
        state.withLock { $0.entries.count }
    }

    // MARK: Audits and events

    public func enqueue(_ audit: Audit) async throws {
        try state.withLock { state in
            guard state.entries[audit.id] == nil else { throw AuditStoreError.auditExists(audit.id) }
            var queued = audit
            queued.status = .queued
            queued.attempts = 0
            state.entries[audit.id] = Entry(audit: queued)
            state.jobs[audit.id] = Job(age: AuditAge(queued))
            state.queue.insertSorted(AuditAge(queued))
            state.evict(toFit: maxAudits)
        }
    }

    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] {
        apply(events, unknownAudits: .create)
    }

    /// What ``apply(_:unknownAudits:)`` does with an event for an audit this store does not hold.
    public enum UnknownAudits: Sendable {
        /// Make a placeholder audit from the event (``VeritasProtocol/Audit/placeholder(for:)``):
        /// right when memory is the only store, since nothing else can know the audit.
        case create
        /// Leave the event out (its outcome is ``EventOutcome/skipped``): right in front of a
        /// database, where a placeholder would be a state memory does not really know (an
        /// audit's `url`, its verdict and findings are in the database).
        case skip
    }

    /// Applies `events`; `unknownAudits` says what happens to those for audits not held here.
    public func apply(_ events: [StoredEvent], unknownAudits: UnknownAudits) -> [EventOutcome] {
        state.withLock { state in
            let outcomes = events.map { event in
                if case .skip = unknownAudits, state.entries[event.auditID] == nil { return EventOutcome.skipped }
                return state.apply(event)
            }
            state.evict(toFit: maxAudits)
            return outcomes
        }
    }

    /// Whether this store holds the audit `id` now.
    public func holds(_ id: AuditID) -> Bool {
        state.withLock { $0.entries[id] != nil }
    }

    /// Takes in an audit as the database has it, with its findings and screenshots, unless this
    /// store already holds it (then what it holds is at least as fresh: every event reaches
    /// memory before the database). Lets memory answer for an audit it did not see submitted (a
    /// writer restarted, the audit was evicted, another writer took the submit).
    public func adopt(_ snapshot: AuditSnapshot) {
        state.withLock { state in
            let id = snapshot.audit.id
            guard state.entries[id] == nil else { return }
            var entry = Entry(audit: snapshot.audit)
            entry.findings = snapshot.findings
            for info in snapshot.screenshots { entry.screenshots[info.index] = info }
            state.entries[id] = entry
            if snapshot.audit.status.isTerminal { state.terminal.insert(AuditAge(snapshot.audit)) }
            state.evict(toFit: maxAudits)
        }
    }

    public func audit(_ id: AuditID) async throws -> Audit? {
        state.withLock { $0.entries[id]?.audit.fromMemory }
    }

    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] {
        state.withLock { state in
            ids.compactMap { id in
                state.entries[id].map { entry in
                    AuditSnapshot(audit: entry.audit.fromMemory, findings: entry.findings, screenshots: entry.screenshotsInOrder)
                }
            }
        }
    }

    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        guard limit > 0 else { return [] }
        let matching = state.withLock { state in
            state.entries.values.compactMap { status == nil || $0.audit.status == status ? $0.audit : nil }
        }
        let newestFirst = matching.sorted { AuditAge($1) < AuditAge($0) }
        return newestFirst.dropFirst(max(0, offset)).prefix(limit).map(\.fromMemory)
    }

    public func findings(of id: AuditID) async throws -> [Finding] {
        state.withLock { $0.entries[id]?.findings ?? [] }
    }

    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] {
        state.withLock { $0.entries[id]?.screenshotsInOrder ?? [] }
    }

    public func statusCounts() async throws -> AuditStatusCounts {
        state.withLock { state in
            var counts = AuditStatusCounts()
            for entry in state.entries.values { counts[entry.audit.status] += 1 }
            return counts
        }
    }

    // MARK: Job queue

    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        guard limit > 0 else { return [] }
        let now = Timestamp.now
        return state.withLock { state in
            let taken = Array(state.queue.prefix(limit))
            state.queue.removeFirst(taken.count)
            return taken.compactMap { age -> AuditJob? in
                guard var entry = state.entries[age.id] else {
                    state.jobs[age.id] = nil  // unreachable: active audits are never evicted
                    return nil
                }
                state.jobs[age.id]?.claim = Claim(runner: runner, writer: writer, claimedAt: now, leaseUntil: leaseUntil)
                state.jobs[age.id]?.handouts += 1
                entry.audit.attempts += 1
                state.entries[age.id] = entry
                let audit = entry.audit
                return AuditJob(
                    auditID: audit.id, url: audit.url, tier: audit.tier, verdictMode: audit.verdictMode,
                    attempt: audit.attempts, createdAt: audit.createdAt)
            }
        }
    }

    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        let now = Timestamp.now
        return state.withLock { state in
            audits.filter { id in
                guard let job = state.jobs[id] else { return false }
                if let claim = job.claim, claim.runner != runner { return false }
                if job.claim == nil { state.queue.removeSorted(job.age) }
                state.jobs[id]?.claim = Claim(runner: runner, writer: writer, claimedAt: now, leaseUntil: leaseUntil)
                if var audit = state.entries[id]?.audit, audit.status == .queued, audit.startedAt != nil {
                    audit.status = .running
                    state.entries[id]?.audit = audit
                }
                return true
            }
        }
    }

    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        state.withLock { state in
            for id in audits where state.jobs[id]?.claim?.runner == runner {
                state.jobs[id]?.claim?.leaseUntil = until
            }
        }
    }

    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        state.withLock { state in
            let ids = state.claimedJobs { claim, id in
                claim.runner == runner && (writer.map { claim.writer == $0 } ?? true) && (only?.contains(id) ?? true)
            }
            let outcome = state.requeue(ids, maxAttempts: maxAttempts, reason: reason, now: now)
            state.evict(toFit: maxAudits)
            return outcome
        }
    }

    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        state.withLock { state in
            let ids = state.claimedJobs { claim, _ in claim.leaseUntil < now }
            let outcome = state.requeue(ids, maxAttempts: maxAttempts, reason: reason, now: now)
            state.evict(toFit: maxAudits)
            return outcome
        }
    }

    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool {
        state.withLock { $0.entries[audit]?.seenEvents.contains(event) ?? false }
    }

    /// Mirrors a requeue decided by the database's job queue, so memory (the fallback for
    /// reads) agrees with it: requeued audits become `queued` again, failed ones end in
    /// `error` with `reason` and become evictable. Without this, audits the database ended
    /// would stay active in memory, and active audits are never evicted.
    public func mirror(_ outcome: RequeueOutcome, reason: String, now: Timestamp) {
        state.withLock { state in
            for id in outcome.requeued {
                guard var audit = state.entries[id]?.audit, !audit.status.isTerminal else { continue }
                audit.status = .queued
                state.entries[id]?.audit = audit
            }
            for id in outcome.failed {
                guard var audit = state.entries[id]?.audit, !audit.status.isTerminal else { continue }
                audit.status = .error
                audit.errorMessage = reason
                audit.completedAt = now
                state.entries[id]?.audit = audit
                state.removeJob(of: id)
                state.terminal.insert(AuditAge(audit))
            }
            state.evict(toFit: maxAudits)
        }
    }

    public func queueDepth() async throws -> Int {
        state.withLock { $0.queue.count }
    }

    /// Memory always takes writes.
    public func verifyWritable() async throws {}

    /// Nothing to forget: an audit's seen ids go with the audit when memory evicts it.
    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int { 0 }
}

// MARK: - State

extension MemoryAuditStore {
    /// One audit and everything stored with it; evicted as a whole.
    private struct Entry: Sendable {
        var audit: Audit
        var findings: [Finding] = []
        var screenshots: [Int: ScreenshotInfo] = [:]
        /// Event ids applied to this audit, for idempotency.
        var seenEvents: Set<EventID> = []

        /// The screenshots by index, as reads return them.
        var screenshotsInOrder: [ScreenshotInfo] { screenshots.keys.sorted().compactMap { screenshots[$0] } }
    }

    /// An audit on the job queue: waiting (`claim == nil`) or handed to a runner.
    private struct Job: Sendable {
        var age: AuditAge
        var claim: Claim?
        /// Every hand-out, started or not (see ``RequeueDecision``).
        var handouts = 0
    }

    private struct Claim: Sendable {
        var runner: RunnerID
        var writer: String
        var claimedAt: Timestamp
        var leaseUntil: Timestamp
    }

    private struct State: Sendable {
        let evictsWaitingAudits: Bool
        var entries: [AuditID: Entry] = [:]
        /// The terminal audits of `entries`, the only ones eviction may take.
        var terminal = AuditAgeHeap()
        /// Every job, waiting or claimed; an audit leaves the queue when it ends.
        var jobs: [AuditID: Job] = [:]
        /// The waiting jobs, oldest first.
        var queue: [AuditAge] = []

        mutating func apply(_ event: StoredEvent) -> EventOutcome {
            let id = event.auditID
            if entries[id]?.seenEvents.contains(event.id) == true { return .duplicate }
            // Take the entry out rather than copying it: a copy would share the seen-event set,
            // and the insert below would then copy the whole set for every event (O(n²)).
            var entry = entries.removeValue(forKey: id) ?? Entry(audit: .placeholder(for: event))
            let effect = entry.audit.effect(of: event)
            entry.audit = effect.audit
            entry.seenEvents.insert(event.id)
            entry.findings.append(contentsOf: effect.findings)
            if let info = effect.screenshot { entry.screenshots[info.index] = info }
            if effect.endsJob { removeJob(of: id) }
            if effect.becameTerminal { terminal.insert(AuditAge(entry.audit)) }
            entries[id] = entry
            return .applied
        }

        mutating func removeJob(of id: AuditID) {
            guard let job = jobs.removeValue(forKey: id), job.claim == nil else { return }
            queue.removeSorted(job.age)
        }

        /// The claimed jobs matching `predicate`, oldest first.
        func claimedJobs(where predicate: (Claim, AuditID) -> Bool) -> [AuditID] {
            jobs.compactMap { id, job in job.claim.flatMap { predicate($0, id) ? job.age : nil } }.sorted().map(\.id)
        }

        /// Puts claimed jobs back on the queue, or ends their audits in `error`, as
        /// ``RequeueDecision`` says (the rule the SQLite store applies too).
        mutating func requeue(_ ids: [AuditID], maxAttempts: Int, reason: String, now: Timestamp) -> RequeueOutcome {
            var outcome = RequeueOutcome()
            for id in ids {
                guard let job = jobs[id] else { continue }
                guard var audit = entries[id]?.audit, !audit.status.isTerminal else {
                    jobs[id] = nil  // unreachable: ending an audit removes its job
                    continue
                }
                switch RequeueDecision(status: audit.status, attempts: audit.attempts, handouts: job.handouts, maxAttempts: maxAttempts, reason: reason) {
                case .fail(let message):
                    audit.status = .error
                    audit.errorMessage = message
                    audit.completedAt = now
                    jobs[id] = nil
                    terminal.insert(AuditAge(audit))
                    outcome.failed.append(id)
                case .requeue(let refundAttempt):
                    // The writer's requeue is the one backward move (see AuditStatus).
                    if refundAttempt, audit.attempts > 0 { audit.attempts -= 1 }
                    audit.status = .queued
                    jobs[id]?.claim = nil
                    queue.insertSorted(job.age)
                    outcome.requeued.append(id)
                }
                entries[id]?.audit = audit
            }
            return outcome
        }

        /// Evicts the oldest terminal audits until at most `maxAudits` remain or none is terminal.
        mutating func evict(toFit maxAudits: Int) {
            while entries.count > maxAudits, let oldest = terminal.popOldest() {
                entries[oldest.id] = nil
            }
            guard evictsWaitingAudits, entries.count > maxAudits else { return }
            // The newest waiting audits are the last to be handed out. Memory's queue also holds
            // audits a database claim started (claims are the database's), which stay.
            var index = queue.count - 1
            while entries.count > maxAudits, index >= 0 {
                let id = queue[index].id
                if entries[id]?.audit.status == .queued {
                    entries[id] = nil
                    jobs[id] = nil
                    queue.remove(at: index)
                }
                index -= 1
            }
        }
    }
}

extension Audit {
    /// The audit as the memory store returns it.
    fileprivate var fromMemory: Audit {
        var audit = self
        audit.source = .memory
        return audit
    }
}

extension [AuditAge] {
    /// The position of `age` in this ascending array, or where it would go.
    fileprivate func insertionIndex(of age: AuditAge) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < age { low = middle + 1 } else { high = middle }
        }
        return low
    }

    fileprivate mutating func insertSorted(_ age: AuditAge) {
        // Submissions arrive in time order, so this is nearly always an append.
        if let last, last < age { append(age) } else { insert(age, at: insertionIndex(of: age)) }
    }

    fileprivate mutating func removeSorted(_ age: AuditAge) {
        let index = insertionIndex(of: age)
        if index < count, self[index] == age { remove(at: index) }
    }
}
