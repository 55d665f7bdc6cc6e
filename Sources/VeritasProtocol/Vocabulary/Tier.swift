/// How thorough an audit is; runners spend time (pages, screenshots) accordingly.
public enum Tier: String, Sendable, Equatable, Hashable, CaseIterable {
    /// One page, one screenshot: a fast first impression.
    case quick
    /// The default balance of depth and speed.
    case standard
    /// More pages and full-page screenshots; slowest.
    case deep
}
