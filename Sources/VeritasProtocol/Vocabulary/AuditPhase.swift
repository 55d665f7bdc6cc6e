/// The phases a Veritas runner reports in `audit.progress`, in order, with the percentage each
/// starts at. The protocol accepts any `[a-z0-9_]` phase name; these are the ones Veritas sends
/// (PROTOCOL.md §6.3 lists them, and a test checks the list against this type).
public enum AuditPhase: String, Sendable, CaseIterable {
    case fetching
    case security
    case rendering
    case screenshots
    case analysing
    case scoring

    /// Where the progress bar stands when the phase begins.
    public var percent: Double {
        switch self {
        case .fetching: 10
        case .security: 25
        case .rendering: 35
        case .screenshots: 60
        case .analysing: 75
        case .scoring: 90
        }
    }
}
