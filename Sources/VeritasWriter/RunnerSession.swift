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

    /// How many more jobs the runner can take.
    var freeSlots: Int { max(0, capacity - assigned.count) }
}
