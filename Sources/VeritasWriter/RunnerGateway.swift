import Foundation
import Logging
import Synchronization
import Metrics
import VeritasProtocol
import VeritasStore
import ZeroMQ

/// Serves the runners endpoint: reads runner messages and routes them between the parts that
/// hold the rules, each a type with its own tests: ``RunnerSessions`` (hello, heartbeat, bye,
/// release, silence), ``EventIngest`` (check, collect, group commit, ack), ``JobDispatcher``
/// (claims, reclaims, leases, requeues) and ``StorageMaintenance`` (probe, gauges, forgetting old
/// event ids).
///
/// One task owns all of it (``run()``), so session state needs no locks and no `await` in
/// the middle of an update can let another update in.
///
/// **The loop never waits on a database write.** Event batches commit on a task of their own
/// while the loop goes on reading: `hello`, `heartbeat` and `bye` are answered, and the events
/// that arrive meanwhile are collected for the next commit (up to `4 × maxBatchEvents`; beyond,
/// they are left unread and come back with the runner's resend). Claims, lease renewals, requeues
/// and the recovery probe run on the ``StorageWorker``. So a database that waits on a lock delays
/// acknowledgements and hand-outs, never a runner's session, and a runner that keeps talking
/// never looks silent.
final class RunnerGateway: @unchecked Sendable {
    // @unchecked: mutable state below is touched only by the task running `run()`.
    private let socket: AsyncSocket
    private let state: WriterState
    private let configuration: WriterConfiguration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let writerID: RunnerID

    /// The runner sessions and their rules (`RunnerSessions.swift`).
    private var sessions: RunnerSessions
    /// Checks, collects, commits and acknowledges events (`EventIngest.swift`).
    private let ingest: EventIngest
    private var lastHousekeeping: ContinuousClock.Instant
    private let metrics: WriterMetrics
    /// Store writes other than event batches, one after another off the loop.
    private let storage = StorageWorker()
    /// Claims, reclaims, lease renewals and sweeps, requeues (`JobDispatcher.swift`).
    private let jobs: JobDispatcher
    /// The recovery probe, the gauges, forgetting old event ids (`StorageMaintenance.swift`).
    private let maintenance: StorageMaintenance

    init(
        socket: AsyncSocket, feed: FeedPublisher, store: any WriterStore, screenshots: any ScreenshotStore,
        state: WriterState, configuration: WriterConfiguration, logger: Logger, metrics: WriterMetrics
    ) {
        self.metrics = metrics
        self.socket = socket
        self.state = state
        self.configuration = configuration
        self.logger = logger
        // WriterConfiguration.validate() checked it; a hand-built configuration gets a safe name.
        self.writerID = (try? RunnerID(configuration.writerID)) ?? RunnerGateway.fallbackWriterID
        let leaseMilliseconds = Int64(configuration.runnerSilentTimeoutMilliseconds) * Self.leaseInSilences
        // A job no heartbeat has listed yet is held for one lease: a loaded runner may read it
        // late, and one lost on the way is then left to the lease sweep.
        self.sessions = RunnerSessions(
            silentTimeout: .milliseconds(configuration.runnerSilentTimeoutMilliseconds), unconfirmedHold: .milliseconds(leaseMilliseconds))
        self.lastHousekeeping = clock.now
        let wake: @Sendable () -> Void = { [socket] in socket.interruptReceive() }
        let publish: JobDispatcher.Publish = { [feed] auditID, message in feed.publish(auditID, message) }
        self.jobs = JobDispatcher(
            store: store, worker: storage,
            settings: .init(
                writerID: configuration.writerID, leaseMilliseconds: leaseMilliseconds,
                maxAttempts: configuration.maxJobAttempts, sweepInterval: .milliseconds(configuration.runnerSilentTimeoutMilliseconds)),
            logger: logger, metrics: metrics, publish: publish, wake: wake,
            requestDispatch: { [state] in state.dispatchRequested.store(true, ordering: .relaxed) })
        self.ingest = EventIngest(
            store: store, screenshots: screenshots, state: state, metrics: metrics, logger: logger,
            collectingLimit: configuration.maxBatchEvents * Self.collectingFactor,
            send: { [socket] message, routing in Self.post(message, to: routing, on: socket) },
            wake: wake, isWatched: { [feed] in feed.isWatched($0) }, publish: publish)
        self.maintenance = StorageMaintenance(
            store: store, screenshots: screenshots, worker: storage, state: state, metrics: metrics, logger: logger,
            retentionMilliseconds: Int64(configuration.processedEventsRetentionMilliseconds))
    }

    private static let fallbackWriterID: RunnerID = {
        guard let id = try? RunnerID("writer") else { preconditionFailure("'writer' is a valid runner id") }
        return id
    }()

    /// Leases outlive a few missed renewals (three silence timeouts), so a writer restart does
    /// not strand running work.
    private static let leaseInSilences: Int64 = 3

    /// Events collected for one commit at most, as a multiple of `maxBatchEvents`.
    static let collectingFactor = 4
    /// Messages decoded between two yields to other tasks (about 0.3 ms of decoding).
    static let messagesBetweenYields = 48

    func run() async {
        housekeeping()
        var inFlight: EventIngest.InFlightCommit?
        var collecting = EventIngest.Batch()
        while !state.stopping.load(ordering: .relaxed) {
            // A finished commit or claim interrupts the wait, so nothing waits for the timeout.
            guard let messages = await socket.receive(upTo: configuration.maxBatchEvents, timeout: .milliseconds(100)) else { break }
            if !messages.isEmpty { await prepare(messages, into: &collecting) }
            takeClaims()
            if let commit = inFlight, commit.isFinished {
                await complete(commit)
                inFlight = nil
            }
            if inFlight == nil, !collecting.isEmpty {
                if collecting.pending.isEmpty {
                    scheduleRequeues(collecting)
                } else {
                    inFlight = ingest.startCommit(collecting)
                }
                collecting = EventIngest.Batch()
            }
            if !messages.isEmpty || state.dispatchRequested.exchange(false, ordering: .relaxed) { dispatch() }
            if clock.now - lastHousekeeping >= .milliseconds(250) { housekeeping() }
        }
        // SIGTERM: what is in hand is committed and acknowledged before the socket closes.
        if let inFlight {
            _ = await inFlight.outcomes.value
            await complete(inFlight)
        }
        if !collecting.pending.isEmpty {
            let last = ingest.startCommit(collecting)
            _ = await last.outcomes.value
            await complete(last)
        } else {
            scheduleRequeues(collecting)
        }
        await storage.finish()
        state.connectedRunners.store(0, ordering: .relaxed)
    }

    // MARK: Messages

    /// Handles every message received: session messages at once, events into the batch being
    /// collected for the next commit.
    private func prepare(_ messages: [[Frame]], into prepared: inout EventIngest.Batch) async {
        for (index, message) in messages.enumerated() {
            if index > 0, index.isMultiple(of: Self.messagesBetweenYields) {
                // Decoding hundreds of events holds a thread of the two-thread pool for
                // milliseconds; queries waiting for one answer sooner between chunks.
                await Task.yield()
            }
            guard message.count >= 2 else {
                state.droppedMessages.add(1, ordering: .relaxed)
                continue
            }
            let routing = message[0]
            let key = routing.bytes
            let decoded: RunnerMessage
            do {
                decoded = try RunnerMessage.decode(frames: message.dropFirst().map(\.data))
            } catch {
                state.errorReplies.add(1, ordering: .relaxed)
                if error.eventID != nil { metrics.rejected(error.error.code) }
                logger.warning("bad runner message", metadata: ["error": "\(error.error)", "event_id": "\(error.eventID.map(\.description) ?? "-")"])
                send(error.reply, to: routing)
                continue
            }
            sessions.heard(from: key, at: clock.now)
            switch decoded {
            case let .hello(hello):
                sessions.hello(routing, runnerID: hello.runnerID, capacity: hello.capacity, active: hello.active, at: clock.now)
                state.connectedRunners.store(sessions.count, ordering: .relaxed)
                jobs.reclaim(hello.active, for: hello.runnerID)
                send(.welcome(WriterWelcome(
                    writerID: writerID,
                    heartbeatIntervalMilliseconds: configuration.heartbeatIntervalMilliseconds,
                    heartbeatTimeoutMilliseconds: configuration.runnerSilentTimeoutMilliseconds
                )), to: routing)
                logger.info("runner connected", metadata: ["runner_id": "\(hello.runnerID)", "capacity": "\(hello.capacity)", "active": "\(hello.active.count)"])
            case let .heartbeat(heartbeat):
                switch sessions.heartbeat(routing, heartbeat, at: clock.now) {
                case .renewed:
                    break
                case .adopted:
                    // A runner that was connected before this writer restarted.
                    state.connectedRunners.store(sessions.count, ordering: .relaxed)
                    jobs.reclaim(heartbeat.active, for: heartbeat.runnerID)
                case .refused(let error):
                    refuse(routing, error)
                    continue
                }
                send(.heartbeat(writerID: writerID), to: routing)
            case let .event(event):
                await ingest.collect(event, from: routing, session: sessions[key], into: &prepared)
            case let .release(release):
                // Only the runner holding a job may hand it back, whatever id a message claims.
                switch sessions.release(on: key, runnerID: release.runnerID, auditID: release.auditID) {
                case .success(let runner):
                    prepared.requeues.append((runner, [release.auditID], "runner \(runner) handed the job back: \(release.reason)"))
                case .failure(let error):
                    refuse(routing, error)
                    continue
                }
            case let .bye(runnerID):
                switch sessions.bye(on: key, runnerID: runnerID, at: clock.now) {
                case .ended(let runner):
                    state.connectedRunners.store(sessions.count, ordering: .relaxed)
                    prepared.requeues.append((runner, nil, "runner \(runnerID) stopped"))
                case .noSession:
                    break
                case .refused(let error):
                    refuse(routing, error)
                    continue
                }
                logger.info("runner left", metadata: ["runner_id": "\(runnerID)"])
            }
        }
    }

    /// Refuses a runner message; the code is `not_registered` when the runner has no session
    /// here and must say `hello` again.
    private func refuse(_ routing: Frame, _ error: ProtocolError) {
        state.errorReplies.add(1, ordering: .relaxed)
        logger.warning("runner message refused", metadata: ["reason": "\(error.message)", "code": "\(error.code.rawValue)"])
        send(.error(error), to: routing)
    }

    /// Hands a finished commit to ingest (acks, feed), then ends the sessions' hold on the audits
    /// it finished and carries out its hand-backs. A failed commit acknowledges nothing.
    private func complete(_ commit: EventIngest.InFlightCommit) async {
        let ended = await ingest.acknowledge(commit) { [sessions] key in sessions[key]?.routingID ?? Frame(key) }
        for auditID in ended ?? [] { sessions.finished(auditID) }
        scheduleRequeues(commit.batch)
    }

    /// The batch's `bye`/`release` hand-backs, once its events are in.
    private func scheduleRequeues(_ batch: EventIngest.Batch) {
        for requeue in batch.requeues {
            jobs.requeue(runner: requeue.runner, only: requeue.only, reason: requeue.reason)
        }
    }

    // MARK: Jobs

    /// Hands queued audits to runners with free slots: a claim round for every session with free
    /// slots, one round at a time; the jobs go out when the round's claims come back
    /// (``takeClaims()``).
    func dispatch() {
        jobs.claim(for: sessions.wantingJobs)
    }

    /// Sends the jobs claim rounds won to their runners. A runner that left meanwhile gets none:
    /// its claims go straight back to the queue.
    private func takeClaims() {
        for claim in jobs.finishedClaims() where !claim.jobs.isEmpty {
            guard let session = sessions[claim.connection], session.runnerID == claim.runnerID else {
                jobs.requeue(runner: claim.runnerID, only: Set(claim.jobs.map(\.auditID)), reason: "runner \(claim.runnerID) left before its jobs were sent")
                continue
            }
            sessions.assign(claim.jobs, on: claim.connection, at: clock.now)
            for job in claim.jobs {
                // Logged before it is sent, so the log never shows a runner starting a job
                // before the writer handed it out.
                logger.info("job handed out", metadata: ["audit_id": "\(job.auditID)", "runner_id": "\(session.runnerID)", "attempt": "\(job.attempt)"])
                send(.job(job), to: session.routingID)
                metrics.jobsClaimed.increment()
            }
        }
        if jobs.wantsAnotherRound { dispatch() }
    }

    /// Timed work: drop silent runners (requeueing their jobs), renew live runners' leases and
    /// then recover jobs whose lease expired (a writer that died), hand out work, and the storage
    /// maintenance that is due. Store work goes to the worker.
    func housekeeping() {
        let now = clock.now
        lastHousekeeping = now
        for session in sessions.dropSilent(at: now) {
            logger.warning("runner went silent; requeueing its jobs", metadata: ["runner_id": "\(session.runnerID)", "jobs": "\(session.assigned.count)"])
            jobs.requeue(runner: session.runnerID, only: nil, reason: "runner \(session.runnerID) went silent")
        }
        state.connectedRunners.store(sessions.count, ordering: .relaxed)
        jobs.renewAndSweep(holders: sessions.holdings, now: now)
        dispatch()
        maintenance.run(now: now)
    }

    // MARK: Sending

    private func send(_ message: WriterMessage, to routing: Frame) {
        Self.post(message, to: routing, on: socket)
    }

    /// Fire-and-forget: a lost ack or job is recovered by resends and leases.
    private static func post(_ message: WriterMessage, to routing: Frame, on socket: AsyncSocket) {
        socket.post([routing, Frame(noCopy: message.encode())])
    }

}
