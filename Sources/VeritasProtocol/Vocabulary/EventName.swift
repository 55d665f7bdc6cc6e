/// The lifecycle event names, as they appear in `"event"` on the runners endpoint and the feed.
///
/// `audit.queued` and `audit.requeued` are feed-only: the writer publishes them when it creates
/// or requeues an audit. They never come from a runner, and a runner sending one gets a
/// `bad_request` reject (see ``isRunnerEvent``).
public enum EventName: String, Sendable, Equatable, Hashable, CaseIterable {
    case started = "audit.started"
    case progress = "audit.progress"
    case screenshot = "audit.screenshot"
    case completed = "audit.completed"
    case error = "audit.error"
    /// Feed-only: an audit was submitted.
    case queued = "audit.queued"
    /// Feed-only: the writer put an audit back in the queue (its runner went silent or released it).
    case requeued = "audit.requeued"

    /// `true` for the five names a runner may send.
    public var isRunnerEvent: Bool {
        switch self {
        case .started, .progress, .screenshot, .completed, .error: true
        case .queued, .requeued: false
        }
    }

    /// The status an audit reaches by this event, when the event moves it (progress and
    /// screenshots imply `running`: an audit is surely running if it reports progress).
    public var impliedStatus: AuditStatus {
        switch self {
        case .started, .progress, .screenshot: .running
        case .completed: .completed
        case .error: .error
        case .queued, .requeued: .queued
        }
    }
}
