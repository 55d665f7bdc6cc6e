/// The overall verdict of `health`: `degraded` whenever something (usually the database) is
/// failing but the writer still serves from memory.
public enum HealthStatus: String, Sendable, Equatable, Hashable, CaseIterable {
    case ok
    case degraded
}
