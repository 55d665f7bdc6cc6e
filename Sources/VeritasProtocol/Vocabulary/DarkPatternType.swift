/// The fifteen dark-pattern types of Mathur et al. (2019), each in exactly one category.
///
/// Findings carry both the category and the type on the wire (so SQL can group by either), and
/// decoders refuse a finding whose type is not in its category: ``category`` is the only truth.
public enum DarkPatternType: String, Sendable, Equatable, Hashable, CaseIterable {
    // Sneaking
    case sneakIntoBasket = "sneak_into_basket"
    case hiddenCosts = "hidden_costs"
    case hiddenSubscription = "hidden_subscription"
    // Urgency
    case countdownTimer = "countdown_timer"
    case limitedTimeMessage = "limited_time_message"
    // Misdirection
    case confirmshaming
    case visualInterference = "visual_interference"
    case trickQuestions = "trick_questions"
    case pressuredSelling = "pressured_selling"
    // Social proof
    case activityNotification = "activity_notification"
    case testimonialsOfUncertainOrigin = "testimonials_of_uncertain_origin"
    // Scarcity
    case lowStock = "low_stock"
    case highDemand = "high_demand"
    // Obstruction
    case hardToCancel = "hard_to_cancel"
    // Forced action
    case forcedEnrollment = "forced_enrollment"

    /// The category this type belongs to in the taxonomy.
    public var category: DarkPatternCategory {
        switch self {
        case .sneakIntoBasket, .hiddenCosts, .hiddenSubscription: .sneaking
        case .countdownTimer, .limitedTimeMessage: .urgency
        case .confirmshaming, .visualInterference, .trickQuestions, .pressuredSelling: .misdirection
        case .activityNotification, .testimonialsOfUncertainOrigin: .socialProof
        case .lowStock, .highDemand: .scarcity
        case .hardToCancel: .obstruction
        case .forcedEnrollment: .forcedAction
        }
    }
}
