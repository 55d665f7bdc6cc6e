import Synchronization
import VeritasProtocol

/// What the writer's tasks share: counters and flags, all lock-free or briefly locked.
final class WriterState: Sendable {
    let startedAt = ContinuousClock.now
    /// Set by SIGTERM: tasks finish the batch in hand, acknowledge it, and stop.
    let stopping = Atomic<Bool>(false)
    /// Set by `submit` so the runner gateway hands out new work without waiting for its tick.
    let dispatchRequested = Atomic<Bool>(false)
    /// Runners currently connected to this writer.
    let connectedRunners = Atomic<Int>(0)
    /// Messages dropped because they could not even be framed (no reply path).
    let droppedMessages = Atomic<Int>(0)
    /// Error replies sent (bad requests, rejects).
    let errorReplies = Atomic<Int>(0)
    /// Connections refused at the CURVE handshake (plaintext peers, unlisted keys).
    let refusedConnections = Atomic<Int>(0)

    var uptimeSeconds: Double {
        let elapsed = ContinuousClock.now - startedAt
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
