import Foundation
import Logging
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
/// Ingest: whatever messages arrived together (up to `maxBatchEvents`) are decoded, their
/// screenshots saved, and their events applied in **one** transaction; only after it commits is
/// each event acknowledged to its runner, in one `ack` per runner. A failed commit acknowledges
/// nothing: the runners resend and the events are applied then (applying is idempotent).
final class RunnerGateway: @unchecked Sendable {
    // @unchecked: mutable state below is touched only by the task running `run()`.
    private let socket: AsyncSocket
    private let feed: FeedPublisher
    private let store: DualWriteStore
    private let screenshots: ScreenshotStorage
    private let state: WriterState
    private let configuration: WriterConfiguration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let writerID: RunnerID

    private var sessions: [[UInt8]: RunnerSession] = [:]
    /// Audits recently confirmed to exist, so resends of finished audits' events skip the lookup.
    private var recentlyKnown = BoundedSet<AuditID>(capacity: 4_096)
    /// Runners that said `bye`, and when. A heartbeat such a runner sent while closing must not
    /// bring its session back (and win it the job it just handed back); it has to say `hello`.
    private var departed: [RunnerID: ContinuousClock.Instant] = [:]
    private var lastHousekeeping: ContinuousClock.Instant
    private var lastExpiredLeaseSweep: ContinuousClock.Instant
    private var lastRecoveryProbe: ContinuousClock.Instant
    private let metrics: WriterMetrics
    private var lastMetricsRefresh: ContinuousClock.Instant?

    init(
        socket: AsyncSocket, feed: FeedPublisher, store: DualWriteStore, screenshots: ScreenshotStorage,
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
        self.lastHousekeeping = clock.now
        self.lastExpiredLeaseSweep = clock.now - .seconds(3600)
        self.lastRecoveryProbe = clock.now
    }

    private static let fallbackWriterID: RunnerID = {
        guard let id = try? RunnerID("writer") else { preconditionFailure("'writer' is a valid runner id") }
        return id
    }()

    private var silentTimeout: Duration { .milliseconds(configuration.runnerSilentTimeoutMilliseconds) }
    /// Leases outlive a few missed renewals, so a writer restart does not strand running work.
    private var leaseMilliseconds: Int64 { Int64(configuration.runnerSilentTimeoutMilliseconds) * 3 }

    func run() async {
        await housekeeping()
        // Pipelined group commit: while batch N commits (on GRDB's writer), batch N+1 is
        // received and decoded here. Commits stay strictly one after the other, and each batch
        // is acknowledged only after its own commit returns.
        var inFlight: InFlightCommit?
        while !state.stopping.load(ordering: .relaxed) {
            let wait: Duration = inFlight == nil ? .milliseconds(100) : .zero
            guard let messages = await socket.receive(upTo: configuration.maxBatchEvents, timeout: wait) else { break }
            let batch = messages.isEmpty ? nil : await prepare(messages)
            if let previous = inFlight {
                await complete(previous)
                inFlight = nil
            }
            if let batch, !batch.pending.isEmpty {
                inFlight = startCommit(batch)
            } else if let batch {
                await runRequeues(batch)
            }
            if batch != nil || state.dispatchRequested.exchange(false, ordering: .relaxed) { await dispatch() }
            if clock.now - lastHousekeeping >= .milliseconds(250) { await housekeeping() }
        }
        // SIGTERM: the batch in hand is committed and acknowledged before the socket closes.
        if let inFlight { await complete(inFlight) }
        state.connectedRunners.store(0, ordering: .relaxed)
    }

    // MARK: Messages

    private struct PendingEvent {
        let id: EventID
        /// `nil` when the event is known to be applied already: it is only acknowledged again.
        let event: StoredEvent?
        let routingKey: [UInt8]
        let feedPayload: JSONValue
    }

    /// The events of one received batch, ready to commit.
    private struct PreparedBatch {
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
    }

    /// Handles every message of a batch: session messages at once, events into a batch to commit.
    private func prepare(_ messages: [[Frame]]) async -> PreparedBatch {
        var prepared = PreparedBatch()
        for message in messages {
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
            sessions[key]?.lastSeen = clock.now
            switch decoded {
            case let .hello(hello):
                register(routing: routing, runnerID: hello.runnerID, capacity: hello.capacity, active: hello.active)
                await reclaim(hello.active, for: hello.runnerID)
                send(.welcome(WriterWelcome(
                    writerID: writerID,
                    heartbeatIntervalMilliseconds: configuration.heartbeatIntervalMilliseconds,
                    heartbeatTimeoutMilliseconds: configuration.runnerSilentTimeoutMilliseconds
                )), to: routing)
                logger.info("runner connected", metadata: ["runner_id": "\(hello.runnerID)", "capacity": "\(hello.capacity)", "active": "\(hello.active.count)"])
            case let .heartbeat(heartbeat):
                if let session = sessions[key], session.runnerID != heartbeat.runnerID {
                    refuse(routing, "this connection belongs to runner \(session.runnerID), not \(heartbeat.runnerID)")
                    continue
                }
                if sessions[key] == nil, let left = departed[heartbeat.runnerID], clock.now - left < silentTimeout * 2 {
                    refuse(routing, "runner \(heartbeat.runnerID) said bye; send hello to take jobs again", code: .notRegistered)
                    continue
                }
                if sessions[key] == nil {
                    // A runner that was connected before this writer restarted: adopt it.
                    register(routing: routing, runnerID: heartbeat.runnerID, capacity: heartbeat.capacity, active: heartbeat.active)
                    await reclaim(heartbeat.active, for: heartbeat.runnerID)
                } else {
                    sessions[key]?.capacity = heartbeat.capacity
                    // Grace for jobs in flight to the runner: several heartbeats, at least a second.
                    let grace = Duration.milliseconds(max(1_000, configuration.heartbeatIntervalMilliseconds * 3))
                    sessions[key]?.reconcile(active: heartbeat.active, now: clock.now, grace: grace)
                }
                send(.heartbeat(writerID: writerID), to: routing)
            case let .event(event):
                metrics.eventsReceived.increment()
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
                    prepared.pending.append(PendingEvent(id: event.eventID, event: nil, routingKey: key, feedPayload: .null))
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
                    prepared.pending.append(PendingEvent(id: event.eventID, event: stored, routingKey: key, feedPayload: event.payload.jsonValue))
                }
            case let .release(release):
                // Only the runner holding a job may hand it back, whatever id a message claims.
                guard let session = sessions[key], session.runnerID == release.runnerID, session.assigned.contains(release.auditID) else {
                    refuse(routing, "runner \(release.runnerID) on this connection does not hold audit \(release.auditID)")
                    continue
                }
                sessions[key]?.assigned.remove(release.auditID)
                sessions[key]?.isDraining = true
                prepared.requeues.append((session.runnerID, [release.auditID], "runner \(session.runnerID) handed the job back: \(release.reason)"))
            case let .bye(runnerID):
                if let session = sessions[key], session.runnerID != runnerID {
                    refuse(routing, "this connection belongs to runner \(session.runnerID), not \(runnerID)")
                    continue
                }
                departed[runnerID] = clock.now
                if let session = sessions.removeValue(forKey: key) {
                    state.connectedRunners.store(sessions.count, ordering: .relaxed)
                    prepared.requeues.append((session.runnerID, nil, "runner \(runnerID) stopped"))
                }
                logger.info("runner left", metadata: ["runner_id": "\(runnerID)"])
            }
        }
        return prepared
    }

    /// Refuses a runner message; `code` is `not_registered` when the runner has no session here
    /// and must say `hello` again.
    private func refuse(_ routing: Frame, _ message: String, code: ErrorCode = .badRequest) {
        state.errorReplies.add(1, ordering: .relaxed)
        logger.warning("runner message refused", metadata: ["reason": "\(message)", "code": "\(code.rawValue)"])
        send(.error(ProtocolError(code, message)), to: routing)
    }

    private func register(routing: Frame, runnerID: RunnerID, capacity: Int, active: [AuditID]) {
        departed.removeValue(forKey: runnerID)
        // The same runner on a new connection (e.g. without a fixed routing id): an older
        // session of that runner id is stale, and must not later requeue the live one's jobs.
        for (other, session) in sessions where other != routing.bytes && session.runnerID == runnerID {
            sessions.removeValue(forKey: other)
        }
        sessions[routing.bytes] = RunnerSession(
            routingID: routing, runnerID: runnerID, capacity: capacity, assigned: Set(active), lastSeen: clock.now
        )
        state.connectedRunners.store(sessions.count, ordering: .relaxed)
    }

    /// A runner (re)joining says what it is running. Any of those audits put back on the queue
    /// meanwhile (it went silent, its writer restarted) is claimed for it again, so nobody gets
    /// it as a new attempt while it still runs; its other slots are free for new jobs.
    private func reclaim(_ active: [AuditID], for runnerID: RunnerID) async {
        guard !active.isEmpty else { return }
        do {
            let reclaimed = try await store.reclaimJobs(
                for: runnerID, writer: configuration.writerID, audits: active,
                leaseUntil: Timestamp.now.adding(milliseconds: leaseMilliseconds))
            if !reclaimed.isEmpty {
                logger.info("runner still runs these audits; its claims are renewed", metadata: [
                    "runner_id": "\(runnerID)", "audits": "\(reclaimed.map(\.rawValue).joined(separator: ","))",
                ])
            }
        } catch {
            logger.error("could not claim a returning runner's audits", metadata: ["runner_id": "\(runnerID)", "error": "\(error)"])
        }
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
        guard store.database != nil else { return true }
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
        let outcomes = Task { () -> [EventID: EventOutcome]? in
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
        return InFlightCommit(batch: batch, outcomes: outcomes)
    }

    /// Waits for a commit; when it is durable, acknowledges and publishes its events and
    /// deletes the screenshot files it replaced. A failed commit acknowledges nothing.
    private func complete(_ commit: InFlightCommit) async {
        guard let outcomes = await commit.outcomes.value else {
            await runRequeues(commit.batch)
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
                for key in sessions.keys where sessions[key]?.assigned.contains(auditID) == true {
                    sessions[key]?.assigned.remove(auditID)
                }
            }
            guard feed.isWatched(auditID) else { continue }
            if statuses[auditID] == nil { statuses[auditID] = await currentStatus(of: auditID, after: event) }
            let status = statuses[auditID] ?? .running
            feed.publish(auditID) {
                FeedMessage(
                    event: event.name, auditID: auditID, status: status, seq: event.seq,
                    eventID: event.id, timestamp: event.timestamp, payload: item.feedPayload
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
        await runRequeues(commit.batch)
    }

    /// The status a feed message carries: the audit's as memory holds it (memory loads an audit
    /// before applying its events, so it is at least as fresh as the database), else as the
    /// stores say, else as far as the event itself proves (never `running` after an ending).
    private func currentStatus(of auditID: AuditID, after event: StoredEvent) async -> AuditStatus {
        if let held = try? await store.memory.audit(auditID) { return held.status }
        if let stored = try? await store.audit(auditID) { return stored.status }
        switch event.change {
        case .completed: return .completed
        case .error: return .error
        case .started, .progress, .screenshot: return .running
        }
    }

    /// The batch's `bye`/`release` hand-backs, once its events are in.
    private func runRequeues(_ batch: PreparedBatch) async {
        for requeue in batch.requeues {
            await self.requeue(runner: requeue.runner, only: requeue.only, reason: requeue.reason)
        }
    }

    // MARK: Jobs

    /// Hands queued audits to runners with free slots.
    func dispatch() async {
        for key in sessions.keys {
            guard let session = sessions[key], session.freeSlots > 0 else { continue }
            let jobs: [AuditJob]
            do {
                jobs = try await store.claimJobs(
                    for: session.runnerID, writer: configuration.writerID, limit: session.freeSlots,
                    leaseUntil: Timestamp.now.adding(milliseconds: leaseMilliseconds)
                )
            } catch {
                logger.error("could not claim jobs", metadata: ["error": "\(error)"])
                return
            }
            if jobs.isEmpty { return }
            for job in jobs {
                sessions[key]?.assigned.insert(job.auditID)
                sessions[key]?.dispatchedAt[job.auditID] = clock.now
                // Logged before it is sent, so the log never shows a runner starting a job before
                // the writer handed it out.
                logger.info("job handed out", metadata: ["audit_id": "\(job.auditID)", "runner_id": "\(session.runnerID)", "attempt": "\(job.attempt)"])
                send(.job(job), to: session.routingID)
                metrics.jobsClaimed.increment()
            }
        }
    }

    /// Timed work: drop silent runners (requeueing their jobs), renew live runners' leases,
    /// recover jobs whose lease expired (a writer that died), hand out work.
    func housekeeping() async {
        let now = clock.now
        lastHousekeeping = now
        if store.databaseState == .degraded, now - lastRecoveryProbe >= .seconds(1) {
            // Without this, health would stay degraded until the next event happened to land.
            lastRecoveryProbe = now
            let screenshots = self.screenshots
            if await store.probeRecovery(alsoCheck: { try screenshots.verifyWritable() }) {
                logger.notice("storage writable again: a probe write to the database and the screenshot folder succeeded")
            }
        }
        for (key, session) in sessions where now - session.lastSeen > silentTimeout {
            sessions.removeValue(forKey: key)
            logger.warning("runner went silent; requeueing its jobs", metadata: ["runner_id": "\(session.runnerID)", "jobs": "\(session.assigned.count)"])
            await requeue(runner: session.runnerID, only: nil, reason: "runner \(session.runnerID) went silent")
        }
        state.connectedRunners.store(sessions.count, ordering: .relaxed)
        departed = departed.filter { now - $0.value < silentTimeout * 2 }
        let leaseUntil = Timestamp.now.adding(milliseconds: leaseMilliseconds)
        for session in sessions.values where !session.assigned.isEmpty {
            try? await store.renewLeases(of: session.runnerID, holding: session.assigned, until: leaseUntil)
        }
        if now - lastExpiredLeaseSweep >= silentTimeout {
            lastExpiredLeaseSweep = now
            do {
                let failure = "the audit's runner stopped responding \(configuration.maxJobAttempts) times"
                let outcome = try await store.requeueExpiredLeases(now: .now, maxAttempts: configuration.maxJobAttempts, reason: failure)
                report(outcome, reason: "lease expired", failure: failure)
            } catch {
                logger.error("could not recover expired leases", metadata: ["error": "\(error)"])
            }
        }
        await dispatch()
        await refreshGauges(now: now)
    }

    /// Audits by status and the queue depth for the metrics, at most every few seconds (two
    /// counting queries).
    private func refreshGauges(now: ContinuousClock.Instant) async {
        guard lastMetricsRefresh.map({ now - $0 >= .seconds(5) }) ?? true else { return }
        lastMetricsRefresh = now
        guard let counts = try? await store.statusCounts(), let depth = try? await store.queueDepth() else { return }
        metrics.record(counts: counts, queueDepth: depth, connectedRunners: sessions.count)
    }

    private func requeue(runner: RunnerID, only: Set<AuditID>?, reason: String) async {
        do {
            let failure = "\(reason); gave up after \(configuration.maxJobAttempts) attempts"
            let outcome = try await store.requeueJobs(
                of: runner, only: only, maxAttempts: configuration.maxJobAttempts, reason: failure, now: .now
            )
            report(outcome, reason: reason, failure: failure)
        } catch {
            // The leases will expire and the sweep will requeue them.
            logger.error("could not requeue jobs", metadata: ["runner_id": "\(runner)", "error": "\(error)"])
        }
    }

    /// Publishes and logs a requeue: `reason` for audits back in the queue, `failure` (the
    /// stored `error_message`) for audits that ran out of attempts.
    private func report(_ outcome: RequeueOutcome, reason: String, failure: String) {
        metrics.jobsRequeued.increment(by: outcome.requeued.count)
        metrics.jobsFailed.increment(by: outcome.failed.count)
        for auditID in outcome.requeued {
            feed.publish(auditID) {
                FeedMessage(event: .requeued, auditID: auditID, status: .queued, seq: nil, eventID: nil, timestamp: .now, payload: .object(["reason": .string(reason)]))
            }
        }
        for auditID in outcome.failed {
            feed.publish(auditID) {
                FeedMessage(event: .error, auditID: auditID, status: .error, seq: nil, eventID: nil, timestamp: .now, payload: .object(["error_message": .string(failure)]))
            }
        }
        if !outcome.requeued.isEmpty || !outcome.failed.isEmpty {
            logger.notice("jobs recovered", metadata: ["requeued": "\(outcome.requeued.count)", "failed": "\(outcome.failed.count)", "reason": "\(reason)"])
        }
    }

    // MARK: Sending

    private func send(_ message: WriterMessage, to routing: Frame) {
        // Fire-and-forget: a lost ack or job is recovered by resends and leases.
        socket.post([routing, Frame(noCopy: message.encode())])
    }

}
