import Foundation
import Logging
import VeritasProtocol
import VeritasStore
import ZeroMQ

/// Event ingest with group commit (PROTOCOL.md §6.4): runners' events are checked and collected
/// into a ``Batch`` while the previous batch commits, then applied in one transaction; only after
/// the commit is each event acknowledged, one `ack` per runner, and published on the feed.
///
/// Owned by the gateway's loop, which decides when a batch starts (``startCommit(_:)``) and hands
/// the finished one back (``acknowledge(_:routing:)``). A failed commit acknowledges nothing: the
/// runners resend and the events are applied then (applying is idempotent).
final class EventIngest: @unchecked Sendable {
    // @unchecked: `recentlyKnown` is touched only by the owning loop.

    /// Sends a message to the runner on a connection.
    typealias Send = @Sendable (WriterMessage, Frame) -> Void

    /// One event collected for a batch.
    struct PendingEvent {
        let id: EventID
        /// `nil` when the event is known to be applied already: it is only acknowledged again.
        let event: StoredEvent?
        let routingKey: [UInt8]
        /// What the feed publishes for it, encoded only if someone watches the audit.
        let payload: EventPayload?
    }

    /// The events collected for one commit.
    struct Batch {
        var isEmpty: Bool { pending.isEmpty && requeues.isEmpty }

        var pending: [PendingEvent] = []
        /// Screenshot rows this batch replaces; their files go once the batch is durable.
        var replacedScreenshots: [ScreenshotInfo] = []
        /// `bye`/`release` hand-backs, done after this batch's events are durable: a runner
        /// that sends `audit.completed` and then `bye` must not see the audit requeued.
        var requeues: [(runner: RunnerID, only: Set<AuditID>?, reason: String)] = []
    }

    /// A batch whose transaction is running.
    struct InFlightCommit {
        let batch: Batch
        let outcomes: Task<[EventID: EventOutcome]?, Never>
        let finished: WorkFlag
        var isFinished: Bool { finished.isSet }
    }

    private let store: any WriterStore
    private let screenshots: any ScreenshotStore
    private let state: WriterState
    private let metrics: WriterMetrics
    private let logger: Logger
    private let send: Send
    /// Wakes the owning loop when a commit finishes.
    private let wake: @Sendable () -> Void
    private let isWatched: @Sendable (AuditID) -> Bool
    private let publish: JobDispatcher.Publish
    /// Events collected for one commit at most; beyond, they are left unread and resent.
    let collectingLimit: Int
    /// Audits recently confirmed to exist, so resends of finished audits' events skip the lookup.
    private var recentlyKnown = BoundedSet<AuditID>(capacity: 4_096)

    init(
        store: any WriterStore, screenshots: any ScreenshotStore, state: WriterState, metrics: WriterMetrics, logger: Logger,
        collectingLimit: Int, send: @escaping Send, wake: @escaping @Sendable () -> Void,
        isWatched: @escaping @Sendable (AuditID) -> Bool, publish: @escaping JobDispatcher.Publish
    ) {
        self.store = store
        self.screenshots = screenshots
        self.state = state
        self.metrics = metrics
        self.logger = logger
        self.collectingLimit = collectingLimit
        self.send = send
        self.wake = wake
        self.isWatched = isWatched
        self.publish = publish
    }

    // MARK: Collecting

    /// Checks `event` from the runner on `routing` (`session` is that connection's, if any) and
    /// adds it to `batch`, or rejects it, or leaves it unread when the batch is full.
    func collect(_ event: AuditEvent, from routing: Frame, session: RunnerSession?, into batch: inout Batch) async {
        metrics.eventsReceived.increment()
        if batch.pending.count >= collectingLimit {
            // The commit in progress is slow: leave it unacknowledged, the runner resends.
            metrics.eventsDeferred.increment()
            return
        }
        metrics.ingestLag.recordMilliseconds(max(0, Timestamp.now.milliseconds(since: event.timestamp)))
        let key = routing.bytes
        guard await isKnown(event.auditID, to: session) else {
            metrics.rejected(.notFound)
            // Applying it would create an audit nobody submitted, stuck where the event left it.
            state.errorReplies.add(1, ordering: .relaxed)
            logger.warning("event for an unknown audit", metadata: ["audit_id": "\(event.auditID)", "event_id": "\(event.eventID)"])
            send(.reject(eventID: event.eventID, error: ProtocolError(
                .notFound, "no audit \(event.auditID): events are accepted only for audits submitted to this writer")), routing)
            return
        }
        if case .screenshot = event.payload, (try? await store.isProcessed(event: event.eventID, of: event.auditID)) == true {
            // A resend of a stored screenshot: acknowledge it, never rewrite the file.
            batch.pending.append(PendingEvent(id: event.eventID, event: nil, routingKey: key, payload: nil))
            return
        }
        guard let stored = await storedEvent(for: event, from: routing) else { return }
        if case let .screenshot(info) = stored.change {
            // The file this one replaces: stored, or earlier in this very batch.
            let earlier = batch.pending.last { item in
                if case let .screenshot(other)? = item.event?.change { other.auditID == info.auditID && other.index == info.index } else { false }
            }
            if case let .screenshot(previous)? = earlier?.event?.change, previous.filePath != info.filePath {
                batch.replacedScreenshots.append(previous)
            } else if earlier == nil,
                      let previous = try? await store.screenshots(of: event.auditID).first(where: { $0.index == info.index }),
                      previous.filePath != info.filePath {
                batch.replacedScreenshots.append(previous)
            }
        }
        batch.pending.append(PendingEvent(id: event.eventID, event: stored, routingKey: key, payload: event.payload))
    }

    /// The store's form of an event; screenshots are saved here. `nil` after a reject.
    private func storedEvent(for event: AuditEvent, from routing: Frame) async -> StoredEvent? {
        guard case let .screenshot(payload, bytes) = event.payload else { return StoredEvent(event) }
        do {
            let info = try await screenshots.save(auditID: event.auditID, payload: payload, bytes: bytes, timestamp: event.timestamp)
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
            send(.reject(eventID: event.eventID, error: error.error), routing)
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

    // MARK: Committing

    /// Starts applying the batch's events in one transaction beside the loop (which it wakes when
    /// done); the outcomes are `nil` if it failed.
    func startCommit(_ batch: Batch) -> InFlightCommit {
        let events = batch.pending.compactMap(\.event)
        let (store, logger, metrics, wake) = (self.store, self.logger, self.metrics, self.wake)
        let finished = WorkFlag()
        let outcomes = Task { () -> [EventID: EventOutcome]? in
            defer {
                finished.set()
                wake()
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

    /// Waits for a commit; when it is durable, acknowledges its events (one `ack` per runner,
    /// sent to `routing(key)`), publishes them and deletes the screenshot files it replaced.
    /// Returns the audits the batch ended (`completed` or `error` applied), or `nil` when the
    /// commit failed and nothing was acknowledged.
    func acknowledge(_ commit: InFlightCommit, routing: ([UInt8]) -> Frame) async -> [AuditID]? {
        guard let outcomes = await commit.outcomes.value else { return nil }
        for old in commit.batch.replacedScreenshots { await screenshots.remove(old) }
        var acks: [[UInt8]: [EventID]] = [:]
        var statuses: [AuditID: AuditStatus] = [:]
        var ended: [AuditID] = []
        for item in commit.batch.pending {
            acks[item.routingKey, default: []].append(item.id)
            guard let event = item.event, outcomes[event.id] == .applied else { continue }
            let auditID = event.auditID
            if event.name == .completed || event.name == .error { ended.append(auditID) }
            guard isWatched(auditID) else { continue }
            if statuses[auditID] == nil { statuses[auditID] = await currentStatus(of: auditID, after: event) }
            let status = statuses[auditID] ?? .running
            publish(auditID) {
                FeedMessage(
                    event: event.name, auditID: auditID, status: status, seq: event.seq,
                    eventID: event.id, timestamp: event.timestamp, payload: item.payload?.jsonValue ?? .null
                )
            }
        }
        for (key, ids) in acks {
            metrics.eventsAcknowledged.increment(by: ids.count)
            let destination = routing(key)
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + ProtocolLimits.maxAckBatch)])
                send(.ack(eventIDs: chunk), destination)
                start += chunk.count
            }
        }
        return ended
    }

    /// The status a feed message carries: the audit's as memory holds it (memory loads an audit
    /// before applying its events, so it is at least as fresh as the database), else as the
    /// stores say, else as far as the event itself proves (never `running` after an ending).
    private func currentStatus(of auditID: AuditID, after event: StoredEvent) async -> AuditStatus {
        if let held = try? await store.memory.audit(auditID) { return held.status }
        if let stored = try? await store.audit(auditID) { return stored.status }
        return event.name.impliedStatus
    }
}
