/// How much a single dark-pattern finding should weigh on the verdict.
public enum Severity: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case low
    case medium
    case high
}
