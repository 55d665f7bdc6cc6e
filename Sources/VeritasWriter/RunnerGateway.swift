import Foundation
import Logging
import Synchronization
import Metrics
import VeritasProtocol
import VeritasStore
import ZeroMQ

/// Serves the runners endpoint: sessions, event ingest with group commit, job hand-out, and
/// recovery of jobs whose runner went silent.
///
/// One task owns all of it (``run()``), so session state needs no locks and no `await` in
/// the middle of an update can let another update in.
///
/// **The loop never waits on a database write.** Event batches commit on a task of their own
/// while the loop goes on reading: `hello`, `heartbeat` and `bye` are answered, and the events
/// that arrive meanwhile are collected for the next commit. Claims, lease renewals, requeues and
/// the recovery probe run on the ``StorageWorker``. So a database that waits on a lock delays
/// acknowledgements and hand-outs, never a runner's session, and a runner that keeps talking
/// never looks silent.
///
/// Ingest: the events that arrived while the previous commit ran (up to `4 × maxBatchEvents`)
/// are decoded, their screenshots saved, and applied in **one** transaction; only after it
/// commits is each event acknowledged to its runner, in one `ack` per runner. A failed commit
/// acknowledges nothing: the runners resend and the events are applied then (applying is
/// idempotent). Events beyond the collecting limit are not read into the batch: unacknowledged,
/// they come back with the runner's resend.
final class RunnerGateway: @unchecked Sendable {
    // @unchecked: mutable state below is touched only by the task running `run()`.
    private let socket: AsyncSocket
    private let feed: FeedPublisher
    private let store: any WriterStore
    private let screenshots: ScreenshotStorage
    private let state: WriterState
    private let configuration: WriterConfiguration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let writerID: RunnerID

    /// The runner sessions and their rules (`RunnerSessions.swift`).
    private var sessions: RunnerSessions
    /// Audits recently confirmed to exist, so resends of finished audits' events skip the lookup.
    private var recentlyKnown = BoundedSet<AuditID>(capacity: 4_096)
    private var lastHousekeeping: ContinuousClock.Instant
    private let metrics: WriterMetrics
    /// Store writes other than event batches, one after another off the loop.
    private let storage = StorageWorker()
    /// Claims, reclaims, lease renewals and sweeps, requeues (`JobDispatcher.swift`).
    private let jobs: JobDispatcher
    /// The recovery probe, the gauges, forgetting old event ids (`StorageMaintenance.swift`).
    private let maintenance: StorageMaintenance

    init(
        socket: AsyncSocket, feed: FeedPublisher, store: any WriterStore, screenshots: ScreenshotStorage,
        state: WriterState, configuration: WriterConfiguration, logger: Logger, metrics: WriterMetrics
    ) {
        self.metrics = metrics
        self.socket = socket
        self.feed = feed
        self.store = store
        self.screenshots = screenshots
        self.state = state
        self.configuration = configuration
        self.logger = logger
        // WriterConfiguration.validate() checked it; a hand-built configuration gets a safe name.
        self.writerID = (try? RunnerID(configuration.writerID)) ?? RunnerGateway.fallbackWriterID
        // A job no heartbeat has listed yet is held for one lease: a loaded runner may read it
        // late, and one lost on the way is then left to the lease sweep.
        self.sessions = RunnerSessions(
            silentTimeout: .milliseconds(configuration.runnerSilentTimeoutMilliseconds),
            unconfirmedHold: .milliseconds(Int64(configuration.runnerSilentTimeoutMilliseconds) * RunnerGateway.leaseInSilences))
        self.lastHousekeeping = clock.now
        self.jobs = JobDispatcher(
            store: store, worker: storage,
            settings: .init(
                writerID: configuration.writerID, leaseMilliseconds: Int64(configuration.runnerSilentTimeoutMilliseconds) * Self.leaseInSilences,
                maxAttempts: configuration.maxJobAttempts, sweepInterval: .milliseconds(configuration.runnerSilentTimeoutMilliseconds)),
            logger: logger, metrics: metrics,
            publish: { [feed] auditID, message in feed.publish(auditID, message) },
            wake: { [socket] in socket.interruptReceive() },
            requestDispatch: { [state] in state.dispatchRequested.store(true, ordering: .relaxed) })
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
        var inFlight: InFlightCommit?
        var collecting = PreparedBatch()
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
                    inFlight = startCommit(collecting)
                }
                collecting = PreparedBatch()
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
            let last = startCommit(collecting)
            _ = await last.outcomes.value
            await complete(last)
        } else {
            scheduleRequeues(collecting)
        }
        await storage.finish()
        state.connectedRunners.store(0, ordering: .relaxed)
    }

    // MARK: Messages

    private struct PendingEvent {
        let id: EventID
        /// `nil` when the event is known to be applied already: it is only acknowledged again.
        let event: StoredEvent?
        let routingKey: [UInt8]
        /// What the feed publishes for it, encoded only if someone watches the audit.
        let payload: EventPayload?
    }

    /// The events collected for one commit.
    private struct PreparedBatch {
        var isEmpty: Bool { pending.isEmpty && requeues.isEmpty }

        var pending: [PendingEvent] = []
        /// Screenshot rows this batch replaces; their files go once the batch is durable.
        var replacedScreenshots: [ScreenshotInfo] = []
        /// `bye`/`release` hand-backs, done after this batch's events are durable: a runner
        /// that sends `audit.completed` and then `bye` must not see the audit requeued.
        var requeues: [(runner: RunnerID, only: Set<AuditID>?, reason: String)] = []
    }

    /// A batch whose transaction is running.
    private struct InFlightCommit {
        let batch: PreparedBatch
        let outcomes: Task<[EventID: EventOutcome]?, Never>
        let finished: Flag
        var isFinished: Bool { finished.isSet }
    }

    /// A flag shared with work running off the loop.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
        func clear() { value.store(false, ordering: .releasing) }
        /// Sets it; returns whether it was set already.
        func testAndSet() -> Bool { value.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// Handles every message received: session messages at once, events into the batch being
    /// collected for the next commit.
    private func prepare(_ messages: [[Frame]], into prepared: inout PreparedBatch) async {
        let collectingLimit = configuration.maxBatchEvents * Self.collectingFactor
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
                metrics.eventsReceived.increment()
                if prepared.pending.count >= collectingLimit {
                    // The commit in progress is slow: leave it unacknowledged, the runner resends.
                    metrics.eventsDeferred.increment()
                    continue
                }
                metrics.ingestLag.recordMilliseconds(max(0, Timestamp.now.milliseconds(since: event.timestamp)))
                guard await isKnown(event.auditID, to: sessions[key]) else {
                    metrics.rejected(.notFound)
                    // Applying it would create an audit nobody submitted, stuck where the event left it.
                    state.errorReplies.add(1, ordering: .relaxed)
                    logger.warning("event for an unknown audit", metadata: ["audit_id": "\(event.auditID)", "event_id": "\(event.eventID)"])
                    send(.reject(eventID: event.eventID, error: ProtocolError(
                        .notFound, "no audit \(event.auditID): events are accepted only for audits submitted to this writer")), to: routing)
                    continue
                }
                if case .screenshot = event.payload, (try? await store.isProcessed(event: event.eventID, of: event.auditID)) == true {
                    // A resend of a stored screenshot: acknowledge it, never rewrite the file.
                    prepared.pending.append(PendingEvent(id: event.eventID, event: nil, routingKey: key, payload: nil))
                    continue
                }
                if let stored = storedEvent(for: event, from: routing) {
                    if case let .screenshot(info) = stored.change {
                        // The file this one replaces: stored, or earlier in this very batch.
                        let earlier = prepared.pending.last { item in
                            if case let .screenshot(other)? = item.event?.change { other.auditID == info.auditID && other.index == info.index } else { false }
                        }
                        if case let .screenshot(previous)? = earlier?.event?.change, previous.filePath != info.filePath {
                            prepared.replacedScreenshots.append(previous)
                        } else if earlier == nil,
                                  let previous = try? await store.screenshots(of: event.auditID).first(where: { $0.index == info.index }),
                                  previous.filePath != info.filePath {
                            prepared.replacedScreenshots.append(previous)
                        }
                    }
                    prepared.pending.append(PendingEvent(id: event.eventID, event: stored, routingKey: key, payload: event.payload))
                }
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

    /// The store's form of an event; screenshots are saved here. `nil` after a reject.
    private func storedEvent(for event: AuditEvent, from routing: Frame) -> StoredEvent? {
        guard case let .screenshot(payload, bytes) = event.payload else { return StoredEvent(event) }
        do {
            let info = try screenshots.save(auditID: event.auditID, payload: payload, bytes: bytes, timestamp: event.timestamp)
            store.recordFileWrite(succeeded: true)
            return StoredEvent(
                id: event.eventID, auditID: event.auditID, seq: event.seq, timestamp: event.timestamp,
                runnerID: event.runnerID, change: .screenshot(info)
            )
        } catch {
            logger.warning("screenshot refused", metadata: ["audit_id": "\(event.auditID)", "event_id": "\(event.eventID)", "error": "\(error)"])
            if error.error.code == .internal {
                // A disk problem, not a bad image: no ack, so the runner retries later; health
                // says degraded until a probe write succeeds (the disk may be full).
                store.recordFileWrite(succeeded: false)
                return nil
            }
            state.errorReplies.add(1, ordering: .relaxed)
            metrics.rejected(error.error.code)
            send(.reject(eventID: event.eventID, error: error.error), to: routing)
            return nil
        }
    }

    /// Whether `auditID` names an audit that was submitted: one the runner holds, one seen lately,
    /// or one the database knows. With persistence on, every audit is in the database before any
    /// runner hears of it, so an unknown id is a bogus one. Memory-only writers stay tolerant: a
    /// restart forgets everything, and a runner's resent events bring its audits back.
    /// When the database cannot say (unreadable), the audit is assumed known: the commit decides,
    /// and a failed commit only delays the event.
    private func isKnown(_ auditID: AuditID, to session: RunnerSession?) async -> Bool {
        guard !store.acceptsEventsForUnknownAudits else { return true }
        if session?.assigned.contains(auditID) == true || recentlyKnown.contains(auditID) { return true }
        guard let known = await store.knows(auditID) else { return true }
        if known { recentlyKnown.insert(auditID) }
        return known
    }

    /// Starts applying the batch in one transaction; the outcomes are `nil` if it failed.
    private func startCommit(_ batch: PreparedBatch) -> InFlightCommit {
        let events = batch.pending.compactMap(\.event)
        let store = self.store
        let logger = self.logger
        let metrics = self.metrics
        let finished = Flag()
        let socket = self.socket
        let outcomes = Task { () -> [EventID: EventOutcome]? in
            defer {
                finished.set()
                socket.interruptReceive()
            }
            do {
                var outcomes: [EventID: EventOutcome] = [:]
                let started = ContinuousClock.now
                let applied = try await store.apply(events)
                metrics.commitDuration.record(duration: started.duration(to: .now))
                metrics.batchSize.record(events.count)
                for (event, outcome) in zip(events, applied) { outcomes[event.id] = outcome }
                metrics.eventsApplied.increment(by: applied.filter { $0 == .applied }.count)
                return outcomes
            } catch {
                metrics.commitFailures.increment()
                logger.error("batch not stored; nothing acknowledged, runners will resend", metadata: [
                    "events": "\(events.count)", "error": "\(error)",
                ])
                return nil
            }
        }
        return InFlightCommit(batch: batch, outcomes: outcomes, finished: finished)
    }

    /// Waits for a commit; when it is durable, acknowledges and publishes its events and
    /// deletes the screenshot files it replaced. A failed commit acknowledges nothing.
    private func complete(_ commit: InFlightCommit) async {
        guard let outcomes = await commit.outcomes.value else {
            scheduleRequeues(commit.batch)
            return
        }
        for old in commit.batch.replacedScreenshots { screenshots.remove(old) }
        var acks: [[UInt8]: [EventID]] = [:]
        var statuses: [AuditID: AuditStatus] = [:]
        for item in commit.batch.pending {
            acks[item.routingKey, default: []].append(item.id)
            guard let event = item.event, outcomes[event.id] == .applied else { continue }
            let auditID = event.auditID
            if event.name == .completed || event.name == .error {
                sessions.finished(auditID)
            }
            guard feed.isWatched(auditID) else { continue }
            if statuses[auditID] == nil { statuses[auditID] = await currentStatus(of: auditID, after: event) }
            let status = statuses[auditID] ?? .running
            feed.publish(auditID) {
                FeedMessage(
                    event: event.name, auditID: auditID, status: status, seq: event.seq,
                    eventID: event.id, timestamp: event.timestamp, payload: item.payload?.jsonValue ?? .null
                )
            }
        }
        for (key, ids) in acks {
            metrics.eventsAcknowledged.increment(by: ids.count)
            let routing = sessions[key]?.routingID ?? Frame(key)
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + ProtocolLimits.maxAckBatch)])
                send(.ack(eventIDs: chunk), to: routing)
                start += chunk.count
            }
        }
        scheduleRequeues(commit.batch)
    }

    /// The status a feed message carries: the audit's as memory holds it (memory loads an audit
    /// before applying its events, so it is at least as fresh as the database), else as the
    /// stores say, else as far as the event itself proves (never `running` after an ending).
    private func currentStatus(of auditID: AuditID, after event: StoredEvent) async -> AuditStatus {
        if let held = try? await store.memory.audit(auditID) { return held.status }
        if let stored = try? await store.audit(auditID) { return stored.status }
        return event.name.impliedStatus
    }

    /// The batch's `bye`/`release` hand-backs, once its events are in.
    private func scheduleRequeues(_ batch: PreparedBatch) {
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
        // Fire-and-forget: a lost ack or job is recovered by resends and leases.
        socket.post([routing, Frame(noCopy: message.encode())])
    }

}
