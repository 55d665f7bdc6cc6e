import Synchronization
import VeritasProtocol

/// What the runner's tasks share: the audits running (for `hello` and `heartbeat`), the audits
/// to hand back on shutdown, and whether it is stopping.
final class RunnerState: Sendable {
    private struct Audits {
        var active: [AuditID] = []
        /// Taken but not finished: cancelled at shutdown, or received while stopping.
        var unfinished: [AuditID] = []
    }

    private let audits = Mutex(Audits())
    /// Set on graceful shutdown: no new audit starts.
    let stopping = Atomic<Bool>(false)

    var active: [AuditID] { audits.withLock(\.active) }

    func begin(_ auditID: AuditID) {
        audits.withLock { $0.active.append(auditID) }
    }

    /// The audit ended (`finished`: its terminal event is in the outbox) or was abandoned.
    func end(_ auditID: AuditID, finished: Bool) {
        audits.withLock { audits in
            audits.active.removeAll { $0 == auditID }
            if !finished { audits.unfinished.append(auditID) }
        }
    }

    /// A job that was never started (it arrived while stopping).
    func markUnstarted(_ auditID: AuditID) {
        audits.withLock { $0.unfinished.append(auditID) }
    }

    func takeUnfinished() -> [AuditID] {
        audits.withLock { audits in
            defer { audits.unfinished.removeAll() }
            return audits.unfinished
        }
    }
}
