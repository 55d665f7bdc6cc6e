import Foundation
import Synchronization

/// A task executor with one thread of its own.
///
/// The global concurrent executor has as many threads as cores (two here). Ingest keeps both busy
/// in multi-millisecond stretches (decoding a batch, applying it to memory), and a job enqueued
/// behind them waits for one to end: `status` p99 under full ingest load was 5–13 ms against a
/// raw REQ/REP p99 of ~150 µs under the same load (`make bench`). Work run here competes for the
/// CPU through the kernel's scheduler, which preempts, instead of queueing behind other tasks.
///
/// Written here because no package resolved by this project offers a thread-backed
/// `TaskExecutor`; it is a queue, a condition and a thread.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs`, `isStopping` and `hasEnded` are touched only with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isStopping = false
    /// The thread has gone: jobs still arriving (a late continuation of a task that preferred
    /// this executor) run on the global executor instead of never.
    private var hasEnded = false

    /// Starts the thread, named `name` for debuggers and `top -H`.
    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        if hasEnded {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(UnownedJob(job))
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs queued so far have run.
    func shutdown() {
        condition.lock()
        isStopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isStopping { condition.wait() }
            if jobs.isEmpty {
                hasEnded = true
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
