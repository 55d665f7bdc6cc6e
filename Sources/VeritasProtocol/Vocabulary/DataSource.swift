/// Where a reply's data was read from. Reads try the database first and fall back to memory, and
/// say which one answered so clients can tell a durable answer from a best-effort one.
public enum DataSource: String, Sendable, Equatable, Hashable, CaseIterable {
    case database
    case memory
}
