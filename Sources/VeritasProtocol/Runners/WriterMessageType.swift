/// The `type` of a writer → runner message.
public enum WriterMessageType: String, Sendable, Equatable, Hashable, CaseIterable {
    case welcome
    case job
    case ack
    case reject
    case heartbeat
    case error
}
