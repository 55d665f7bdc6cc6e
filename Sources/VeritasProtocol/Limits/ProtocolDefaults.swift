/// Protocol version, timings and on-disk names shared by writer, runner and client.
///
/// The timings form one contract: a runner heartbeats every ``heartbeatIntervalMilliseconds``; a
/// writer that hears nothing from it for ``runnerSilentTimeoutMilliseconds`` requeues its jobs;
/// a runner resends an event not acknowledged within ``ackResendTimeoutMilliseconds``. The writer
/// announces the first two in `welcome`, so a deployment that changes them stays consistent.
public enum ProtocolDefaults {
    /// The protocol version spoken by this code; `hello` and `welcome` carry it and must match.
    public static let protocolVersion = 1
    /// How often a runner sends `heartbeat`.
    public static let heartbeatIntervalMilliseconds = 1_000
    /// How long a writer waits without hearing from a runner before requeueing its jobs.
    public static let runnerSilentTimeoutMilliseconds = 5_000
    /// How long a runner waits for an `ack` before resending an event.
    public static let ackResendTimeoutMilliseconds = 3_000
    /// How long a `submit` waits for the database to store the audit before answering
    /// `unavailable` (nothing stored then). Below the 5 s the documented clients wait.
    public static let submitStoreTimeoutMilliseconds = 2_000
    /// How many times a job is handed out before the audit ends in `error`.
    public static let maxJobAttempts = 3
    /// Hand-outs allowed per attempt. Only a hand-out whose audit started counts as an attempt
    /// (a job message lost in a writer restart does not use one up); an audit handed out
    /// `maxJobAttempts × handoutsPerAttempt` times in all ends in `error` all the same.
    public static let handoutsPerAttempt = 3
    /// The data folder, relative to the working directory.
    public static let dataDirectory = "data"
    /// The SQLite database file inside the data folder.
    public static let databaseFileName = "veritas.sqlite"
    /// The screenshot folder inside the data folder.
    public static let screenshotsDirectory = "screenshots"
}
