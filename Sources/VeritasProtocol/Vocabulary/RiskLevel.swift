/// The headline risk of a site, derived from its trust score and findings.
public enum RiskLevel: String, Sendable, Equatable, Hashable, CaseIterable {
    case low
    case medium
    case high
    case critical
}
