import Foundation
import Logging
import VeritasProtocol
import VeritasStore

/// Job dispatch for one writer (PROTOCOL.md §6.2, §6.5): claim rounds for runners with free
/// slots, reclaims for runners that come back still running audits, lease renewals and the
/// expired-lease sweep, and requeues, each published on the feed.
///
/// Every store write runs on the ``StorageWorker``, never on the gateway's loop. The dispatcher
/// never touches sessions: the loop says who wants jobs and who holds what, and takes the claims
/// a round won from ``finishedClaims()`` to hand them out. Its flags belong to the loop that owns
/// it (the gateway's), like the sessions do.
final class JobDispatcher: @unchecked Sendable {
    // @unchecked: `claimRoundRunning`, `claimRoundWanted` and `lastExpiredLeaseSweep` are touched
    // only by the owning loop; what work on the worker shares is Sendable.

    /// The rules the dispatcher works by, from the writer's configuration.
    struct Settings: Sendable {
        /// Names this writer in claims.
        var writerID: String
        /// How long a claim lasts without renewal.
        var leaseMilliseconds: Int64
        /// Started attempts before an audit ends in `error`.
        var maxAttempts: Int
        /// How often the expired-lease sweep runs.
        var sweepInterval: Duration
    }

    /// Publishes a feed message about an audit (encoded only if someone watches it).
    typealias Publish = @Sendable (AuditID, () -> FeedMessage) -> Void

    private let store: any WriterStore
    private let worker: StorageWorker
    private let settings: Settings
    private let logger: Logger
    private let metrics: WriterMetrics
    private let publish: Publish
    /// Wakes the owning loop: a claim round finished, or requeued jobs wait for runners.
    private let wake: @Sendable () -> Void
    /// Asks the owning loop for a dispatch on its next turn (jobs went back to the queue).
    private let requestDispatch: @Sendable () -> Void
    private let claims = ClaimInbox()
    /// A claim round is running on the worker: one at a time, so no slot is claimed for twice.
    private var claimRoundRunning = false
    /// Another claim round was asked for while one ran.
    private var claimRoundWanted = false
    private var lastExpiredLeaseSweep: ContinuousClock.Instant
    /// Lease work still on the worker: not handed in again until it is done.
    private let leaseWorkRunning = WorkFlag()

    init(
        store: any WriterStore, worker: StorageWorker, settings: Settings, logger: Logger, metrics: WriterMetrics,
        publish: @escaping Publish, wake: @escaping @Sendable () -> Void, requestDispatch: @escaping @Sendable () -> Void,
        now: ContinuousClock.Instant = .now
    ) {
        self.store = store
        self.worker = worker
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        self.publish = publish
        self.wake = wake
        self.requestDispatch = requestDispatch
        // The first sweep runs at the first chance: a restarted writer recovers a dead one's jobs.
        lastExpiredLeaseSweep = now - .seconds(3600)
    }

    private var leaseUntil: Timestamp { Timestamp.now.adding(milliseconds: settings.leaseMilliseconds) }

    // MARK: Claims

    /// Starts a claim round for the sessions that want jobs, unless one is running (then one more
    /// round follows it). Each session gets up to its free slots, oldest jobs first, until the
    /// queue runs dry; the claims come back through ``finishedClaims()``.
    func claim(for wanting: [(connection: [UInt8], runnerID: RunnerID, slots: Int)]) {
        guard !claimRoundRunning else {
            claimRoundWanted = true
            return
        }
        guard !wanting.isEmpty else { return }
        claimRoundRunning = true
        let (store, claims, logger, writer, wake, leaseUntil) = (self.store, self.claims, self.logger, settings.writerID, self.wake, self.leaseUntil)
        worker.submit {
            var queueEmpty = false
            var round: [ClaimInbox.Claim] = []
            for want in wanting {
                var jobs: [AuditJob] = []
                if !queueEmpty {
                    do {
                        jobs = try await store.claimJobs(for: want.runnerID, writer: writer, limit: want.slots, leaseUntil: leaseUntil)
                    } catch {
                        logger.error("could not claim jobs", metadata: ["error": "\(error)"])
                    }
                    queueEmpty = jobs.count < want.slots
                }
                round.append(.init(connection: want.connection, runnerID: want.runnerID, jobs: jobs))
            }
            claims.post(round: round)
            wake()
        }
    }

    /// The claims of the rounds finished since the last call. Afterwards ``wantsAnotherRound``
    /// says whether a round was asked for meanwhile.
    func finishedClaims() -> [ClaimInbox.Claim] {
        let rounds = claims.take()
        if !rounds.isEmpty { claimRoundRunning = false }
        return rounds.flatMap { $0 }
    }

    /// A round was asked for while one ran, and none runs now: the caller claims again.
    var wantsAnotherRound: Bool {
        guard !claimRoundRunning, claimRoundWanted else { return false }
        claimRoundWanted = false
        return true
    }

    /// A runner (re)joining says what it is running. Any of those audits put back on the queue
    /// meanwhile (it went silent, its writer restarted) is claimed for it again, so nobody gets
    /// it as a new attempt while it still runs; its other slots are free for new jobs.
    func reclaim(_ active: [AuditID], for runnerID: RunnerID) {
        guard !active.isEmpty else { return }
        let (store, logger, writer, leaseUntil) = (self.store, self.logger, settings.writerID, self.leaseUntil)
        worker.submit {
            do {
                let reclaimed = try await store.reclaimJobs(for: runnerID, writer: writer, audits: active, leaseUntil: leaseUntil)
                if !reclaimed.isEmpty {
                    logger.info("runner still runs these audits; its claims are renewed", metadata: [
                        "runner_id": "\(runnerID)", "audits": "\(reclaimed.map(\.rawValue).joined(separator: ","))",
                    ])
                }
            } catch {
                logger.error("could not claim a returning runner's audits", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
            }
        }
    }

    // MARK: Leases

    /// Renews the leases of every runner in session, then, once per ``Settings/sweepInterval``,
    /// requeues the jobs whose lease expired. Renewal first, in the same work item: however long
    /// the database kept the work waiting, a runner that kept talking to this writer never loses
    /// its jobs to the sweep.
    func renewAndSweep(holders: [(runnerID: RunnerID, audits: Set<AuditID>)], now: ContinuousClock.Instant) {
        guard !leaseWorkRunning.testAndSet() else { return }
        let sweep = now - lastExpiredLeaseSweep >= settings.sweepInterval
        if sweep { lastExpiredLeaseSweep = now }
        let (store, logger, running, leaseMilliseconds, maxAttempts) = (self.store, self.logger, self.leaseWorkRunning, settings.leaseMilliseconds, settings.maxAttempts)
        worker.submit { [self] in
            defer { running.clear() }
            let leaseUntil = Timestamp.now.adding(milliseconds: leaseMilliseconds)
            for holder in holders {
                do {
                    try await store.renewLeases(of: holder.runnerID, holding: holder.audits, until: leaseUntil)
                } catch {
                    // The database takes no writes: a sweep now would fail too, and must not
                    // run ahead of the renewals.
                    logger.error("could not renew leases", metadata: ["runner_id": "\(holder.runnerID)", "error": "\(error)"])
                    return
                }
            }
            guard sweep else { return }
            do {
                let failure = "the audit's runner stopped responding \(maxAttempts) times"
                let outcome = try await store.requeueExpiredLeases(now: .now, maxAttempts: maxAttempts, reason: failure)
                report(outcome, reason: "lease expired", failure: failure)
            } catch {
                logger.error("could not recover expired leases", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Requeues

    /// Puts `runner`'s claimed jobs (or only those of `only`) back on the queue, or ends those out
    /// of attempts in `error`; a failure leaves them to the lease sweep. Only claims held through
    /// this writer: the runner may be working through another writer of the database meanwhile
    /// (it failed over), and those claims are that writer's to keep or requeue.
    func requeue(runner: RunnerID, only: Set<AuditID>?, reason: String) {
        let (store, logger, maxAttempts, writerID) = (self.store, self.logger, settings.maxAttempts, settings.writerID)
        worker.submit { [self] in
            do {
                let failure = "\(reason); gave up after \(maxAttempts) attempts"
                let outcome = try await store.requeueJobs(
                    of: runner, claimedThrough: writerID, only: only, maxAttempts: maxAttempts, reason: failure, now: .now)
                report(outcome, reason: reason, failure: failure)
            } catch {
                logger.error("could not requeue jobs", metadata: ["runner_id": "\(runner)", "error": "\(error)"])
            }
        }
    }

    /// Publishes and logs a requeue: `reason` for audits back in the queue, `failure` (the
    /// stored `error_message`) for audits that ran out of attempts. Runs on the worker: it
    /// touches only the feed, the metrics and the log.
    private func report(_ outcome: RequeueOutcome, reason: String, failure: String) {
        metrics.jobsRequeued.increment(by: outcome.requeued.count)
        metrics.jobsFailed.increment(by: outcome.failed.count)
        for auditID in outcome.requeued {
            publish(auditID) {
                FeedMessage(event: .requeued, auditID: auditID, status: .queued, seq: nil, eventID: nil, timestamp: .now, payload: .object(["reason": .string(reason)]))
            }
        }
        for auditID in outcome.failed {
            publish(auditID) {
                FeedMessage(event: .error, auditID: auditID, status: .error, seq: nil, eventID: nil, timestamp: .now, payload: .object(["error_message": .string(failure)]))
            }
        }
        if !outcome.requeued.isEmpty || !outcome.failed.isEmpty {
            logger.notice("jobs recovered", metadata: ["requeued": "\(outcome.requeued.count)", "failed": "\(outcome.failed.count)", "reason": "\(reason)"])
        }
        // Jobs back on the queue go out to runners with room.
        if !outcome.requeued.isEmpty {
            requestDispatch()
            wake()
        }
    }
}
