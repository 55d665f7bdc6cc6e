/// Where an audit is in its life: `queued` → `running` → `completed` | `error`.
///
/// Runners' events only ever move an audit forward (``canTransition(to:)``), which is what makes
/// applying events order-tolerant: a late `audit.started` after `audit.completed` changes
/// nothing. The one way back is the writer's own decision to requeue a non-terminal audit whose
/// runner went silent or released it; no runner event can do that.
public enum AuditStatus: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Waiting for a runner with free capacity.
    case queued
    /// A runner has started it.
    case running
    /// Finished with a verdict. Terminal.
    case completed
    /// Finished without a verdict (fetch failed, too many attempts, ...). Terminal.
    case error

    /// Progress order: queued 0, running 1, completed and error 2. Equal ranks never replace each other.
    public var rank: Int {
        switch self {
        case .queued: 0
        case .running: 1
        case .completed, .error: 2
        }
    }

    /// `true` for `completed` and `error`, which never change again.
    public var isTerminal: Bool { rank == 2 }

    /// Whether an event that implies `next` may move an audit from `self` to `next`: only strictly
    /// forward, and never out of a terminal status. Staying put returns `false` (nothing to do).
    ///
    /// ```swift
    /// AuditStatus.queued.canTransition(to: .completed)   // true: order-tolerant
    /// AuditStatus.completed.canTransition(to: .running)  // false: never backwards
    /// AuditStatus.error.canTransition(to: .completed)    // false: terminal
    /// ```
    public func canTransition(to next: AuditStatus) -> Bool {
        !isTerminal && next.rank > rank
    }
}
