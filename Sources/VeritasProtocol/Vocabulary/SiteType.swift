/// What kind of site was audited; it changes which signals matter (a shop's checkout, a charity's donation page).
public enum SiteType: String, Sendable, Equatable, Hashable, CaseIterable {
    case shop
    case saas
    case news
    case blog
    case finance
    case charity
    case other
}
