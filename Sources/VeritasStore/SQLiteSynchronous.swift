/// How hard SQLite works to make a commit durable: the value of
/// [`PRAGMA synchronous`](https://www.sqlite.org/pragma.html#pragma_synchronous) in WAL mode.
///
/// ``SQLiteAuditStore`` acknowledges an event only once its transaction has committed, so this
/// setting decides what an acknowledgement promises. Because ``SQLiteAuditStore/apply(_:)``
/// commits a whole batch at once (group commit), one fsync covers every event of the batch and
/// ``full`` costs little per event.
public enum SQLiteSynchronous: String, Sendable, Equatable, CaseIterable {
    /// The WAL is not synced on commit, only at checkpoints. Faster; a committed transaction
    /// survives a crash of the process but may be lost (never corrupted) if the operating system
    /// crashes or the power fails before the next checkpoint.
    case normal = "NORMAL"
    /// The WAL is synced on every commit: a committed transaction survives power loss. The default.
    case full = "FULL"
    /// Like ``full``, and the directory is synced too, for file systems where that matters.
    case extra = "EXTRA"
}
