/// The `type` of a runner → writer message.
public enum RunnerMessageType: String, Sendable, Equatable, Hashable, CaseIterable {
    case hello
    case heartbeat
    case event
    case release
    case bye
}
