/// How much a single dark-pattern finding should weigh on the verdict.
public enum Severity: String, Sendable, Equatable, Hashable, CaseIterable {
    case low
    case medium
    case high
}
