/// The database as `health` reports it: working, failing (memory is serving, acks are held
/// back), or switched off by `USE_DB_PERSISTENCE=false`.
public enum DatabaseState: String, Sendable, Equatable, Hashable, CaseIterable {
    case ok
    case degraded
    case disabled
}
