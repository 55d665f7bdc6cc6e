import Synchronization
import VeritasProtocol

/// What the runner's tasks share: the audits running (for `hello` and `heartbeat`), the audits
/// to hand back on shutdown, and whether it is stopping.
final class RunnerState: Sendable {
    private struct Audits {
        /// Running, or received and waiting for a free slot: what the writer must not hand out
        /// again, and whose leases it must renew.
        var active: [AuditID] = []
        /// Taken but not finished: cancelled at shutdown, or received while stopping.
        var unfinished: [AuditID] = []
    }

    private let audits = Mutex(Audits())
    /// Set on graceful shutdown: no new audit starts.
    let stopping = Atomic<Bool>(false)

    var active: [AuditID] { audits.withLock(\.active) }

    /// What became of a job received.
    enum Acceptance {
        case accepted
        /// The audit is held already (a writer that handed it out again, e.g. after a restart): it
        /// must not run twice here.
        case alreadyHeld
        /// Every slot is taken: the job goes back to the writer.
        case full
    }

    /// Takes a job as received, if a slot of `capacity` is free for it.
    func accept(_ auditID: AuditID, capacity: Int) -> Acceptance {
        audits.withLock { audits in
            guard !audits.active.contains(auditID) else { return .alreadyHeld }
            guard audits.active.count < capacity else { return .full }
            audits.active.append(auditID)
            return .accepted
        }
    }

    /// The audit ended (`finished`: its terminal event is in the outbox) or was abandoned.
    func end(_ auditID: AuditID, finished: Bool) {
        audits.withLock { audits in
            audits.active.removeAll { $0 == auditID }
            if !finished { audits.unfinished.append(auditID) }
        }
    }

    /// A held job that will not be run (it arrived while stopping): it is handed back.
    func markUnstarted(_ auditID: AuditID) {
        audits.withLock { audits in
            audits.active.removeAll { $0 == auditID }
            audits.unfinished.append(auditID)
        }
    }

    func takeUnfinished() -> [AuditID] {
        audits.withLock { audits in
            defer { audits.unfinished.removeAll() }
            return audits.unfinished
        }
    }
}
