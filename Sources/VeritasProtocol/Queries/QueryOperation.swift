/// The `op` names of the queries endpoint. Replies echo the op so they are self-describing.
public enum QueryOperation: String, Sendable, Equatable, Hashable, CaseIterable {
    case submit
    case status
    case list
    case findings
    case screenshots
    case screenshot
    case health
}
