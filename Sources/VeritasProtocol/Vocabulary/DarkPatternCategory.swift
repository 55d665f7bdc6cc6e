/// The seven dark-pattern categories of Mathur et al., "Dark Patterns at Scale" (CSCW 2019).
public enum DarkPatternCategory: String, Sendable, Equatable, Hashable, CaseIterable {
    case urgency
    case scarcity
    case socialProof = "social_proof"
    case misdirection
    case sneaking
    case obstruction
    case forcedAction = "forced_action"

    /// The pattern types of this category, in declaration order.
    public var patternTypes: [DarkPatternType] {
        DarkPatternType.allCases.filter { $0.category == self }
    }
}
