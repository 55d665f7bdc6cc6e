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
    /// Jobs this writer handed out that no heartbeat has listed yet, and when each went out. A
    /// heartbeat the runner sent before it read the job does not list it, however late that
    /// heartbeat arrives on a loaded machine, so such a job stays held until a heartbeat lists it
    /// once (from then on the runner's word rules) or until the hold ends (a job lost on the way).
    var unconfirmed: [AuditID: ContinuousClock.Instant] = [:]

    /// Set by `release`, which runners send when they stop: no more jobs go to this session
    /// (else the job just handed back could be handed straight back to the stopping runner).
    /// A new `hello` starts a fresh session.
    var isDraining = false

    /// How many more jobs the runner can take.
    var freeSlots: Int { isDraining ? 0 : max(0, capacity - assigned.count) }

    /// Takes the runner's word for what it is working on, except for jobs handed out and not yet
    /// listed by any heartbeat, which stay held for up to `unconfirmedHold` after they went out.
    /// A job the runner no longer lists frees its slot; its claim is no longer renewed and the
    /// lease sweep requeues it if no `audit.completed`/`audit.error` ever came.
    mutating func reconcile(active: [AuditID], now: ContinuousClock.Instant, unconfirmedHold: Duration) {
        let listed = Set(active)
        unconfirmed = unconfirmed.filter { !listed.contains($0.key) && now - $0.value < unconfirmedHold }
        assigned = listed.union(unconfirmed.keys)
    }
}
