import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write that must be decided by a deadline: committed before it, or not at all, and never
/// both. A `submit` uses it so the client hears `unavailable` within its timeout while the
/// database waits on a lock, and never hears `unavailable` for an audit that was stored.
///
/// The store claims the right to commit (``beginCommit()``) as the last step inside its
/// transaction; the caller's timer claims the right to give up (``expire()``). Whichever comes
/// first wins, atomically.
public final class WriteDeadline: Sendable {
    /// When the caller stops waiting.
    public let instant: ContinuousClock.Instant
    private enum Phase: UInt8 { case open, committing, expired }
    private let phase = Atomic<UInt8>(Phase.open.rawValue)

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    /// Claims the commit; `false` once the caller gave up (the store must roll back).
    public func beginCommit() -> Bool {
        phase.compareExchange(expected: Phase.open.rawValue, desired: Phase.committing.rawValue, ordering: .acquiringAndReleasing).exchanged
    }

    /// Gives up on the write; `false` if the store already began committing (wait for it then).
    public func expire() -> Bool {
        phase.compareExchange(expected: Phase.open.rawValue, desired: Phase.expired.rawValue, ordering: .acquiringAndReleasing).exchanged
    }

    /// Whether the write may no longer start: given up, or past the deadline.
    public var hasPassed: Bool {
        phase.load(ordering: .acquiring) == Phase.expired.rawValue || ContinuousClock.now >= instant
    }
}

/// SQLite's busy handler for the store's connections: waits for a lock held by another
/// connection up to the store's busy timeout, or less when the write in progress has a
/// ``WriteDeadline``. SQLite's own `busy_timeout` cannot be shortened per write, and a submit must
/// not wait as long as a batch commit may.
final class BusyWait: Sendable {
    private let timeout: Duration
    /// The deadline of the write running on the writer connection, if it has one.
    private let current = Mutex<WriteDeadline?>(nil)
    private static let pause: Duration = .milliseconds(2)

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Runs `body` (on the writer connection) with `deadline` in force.
    func during<T>(_ deadline: WriteDeadline?, _ body: () throws -> T) rethrows -> T {
        current.withLock { $0 = deadline }
        defer { current.withLock { $0 = nil } }
        return try body()
    }

    /// Whether to try again after the `tries`-th busy answer (waiting a moment first).
    func shouldRetry(afterTries tries: Int) -> Bool {
        if let deadline = current.withLock({ $0 }), deadline.hasPassed { return false }
        // Counting pauses rather than reading a clock keeps the handler free of shared state
        // between reader and writer connections; sleeping makes it wait at least this long.
        guard Self.pause * tries < timeout else { return false }
        var request = timespec(tv_sec: 0, tv_nsec: Int(Self.pause.components.attoseconds / 1_000_000_000))
        nanosleep(&request, nil)
        return true
    }
}
