/// Who the narrative is written for: a short verdict, or a detailed one with reasons.
public enum VerdictMode: String, Sendable, Equatable, Hashable, CaseIterable {
    /// A short narrative for anyone.
    case simple
    /// A detailed narrative that explains each signal, for analysts.
    case expert
}
