import VeritasProtocol
import ZeroMQ

/// What the writer knows about one connected runner.
struct RunnerSession {
    /// The ZeroMQ routing id replies go to (the runner sets it to its runner id).
    let routingID: Frame
    var runnerID: RunnerID
    /// How many audits the runner runs at once.
    var capacity: Int
    /// Audits this runner holds: handed out by this writer, or reported active after a reconnect.
    var assigned: Set<AuditID>
    /// Last time anything arrived from the runner.
    var lastSeen: ContinuousClock.Instant
    /// When this writer handed each assigned job out (a heartbeat sent before the job arrived
    /// does not list it yet).
    var dispatchedAt: [AuditID: ContinuousClock.Instant] = [:]

    /// Set by `release`, which runners send when they stop: no more jobs go to this session
    /// (else the job just handed back could be handed straight back to the stopping runner).
    /// A new `hello` starts a fresh session.
    var isDraining = false

    /// How many more jobs the runner can take.
    var freeSlots: Int { isDraining ? 0 : max(0, capacity - assigned.count) }

    /// Takes the runner's word for what it is working on, except for jobs handed out within
    /// `grace` (they may not have reached it when it sent the heartbeat). A job the runner no
    /// longer lists frees its slot; its claim is no longer renewed and the lease sweep requeues it
    /// if no `audit.completed`/`audit.error` ever came.
    mutating func reconcile(active: [AuditID], now: ContinuousClock.Instant, grace: Duration) {
        let recent = dispatchedAt.filter { now - $0.value < grace }
        dispatchedAt = recent
        assigned = Set(active).union(recent.keys)
    }
}
