import Synchronization
import VeritasProtocol

/// Runs the runner gateway's store writes other than event batches (job claims, lease renewals,
/// requeues, the expired-lease sweep, the recovery probe) one after another on a task of its own.
///
/// The gateway's loop hands work here and goes on serving runners: a database that waits on a
/// lock (another process holds it, a slow disk) delays the work, never `hello`, `heartbeat` or the
/// acknowledgements of batches already committed. Work runs in the order it was handed in, so a
/// requeue handed in after a batch committed runs after that commit. What the loop needs back (the
/// jobs a claim won) comes through ``ClaimInbox``.
final class StorageWorker: Sendable {
    typealias Work = @Sendable () async -> Void
    private let continuation: AsyncStream<Work>.Continuation
    private let worker: Task<Void, Never>
    /// Work handed in and not finished.
    private let backlog: Backlog

    private final class Backlog: Sendable {
        let count = Atomic<Int>(0)
    }

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Work.self)
        self.continuation = continuation
        let backlog = Backlog()
        self.backlog = backlog
        worker = Task {
            for await work in stream {
                await work()
                backlog.count.subtract(1, ordering: .relaxed)
            }
        }
    }

    /// Queues `work` behind everything handed in before it.
    func submit(_ work: @escaping Work) {
        backlog.count.add(1, ordering: .relaxed)
        continuation.yield(work)
    }

    /// How much work waits or runs now.
    var pending: Int { backlog.count.load(ordering: .relaxed) }

    /// Runs what was handed in, then stops.
    func finish() async {
        continuation.finish()
        await worker.value
    }
}

/// A flag shared between the loop and work it handed to the worker: "running", "finished".
final class WorkFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
    func clear() { value.store(false, ordering: .releasing) }
    /// Sets it; returns whether it was set already.
    func testAndSet() -> Bool { value.exchange(true, ordering: .acquiringAndReleasing) }
}

/// Where finished claim rounds wait for the gateway's loop, which alone may touch sessions: the
/// worker posts a round, wakes the loop, and the loop takes it on its next turn.
final class ClaimInbox: Sendable {
    /// Jobs claimed for the runner on one connection (none when the queue was empty or the
    /// claim failed).
    struct Claim: Sendable {
        var connection: [UInt8]
        var runnerID: RunnerID
        var jobs: [AuditJob]
    }

    private let rounds = Mutex<[[Claim]]>([])

    func post(round: [Claim]) {
        rounds.withLock { $0.append(round) }
    }

    /// The rounds finished since the last call.
    func take() -> [[Claim]] {
        rounds.withLock { rounds in
            defer { rounds.removeAll() }
            return rounds
        }
    }
}
