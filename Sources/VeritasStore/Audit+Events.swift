import VeritasProtocol

/// The rules for applying runner events to an audit, shared by every store so that memory and
/// SQLite can never disagree.
///
/// - Status never moves backwards: `queued < running < completed | error`, and a terminal
///   status never changes. A late `started` after `completed` only fills in what is missing.
/// - Order-tolerant: an event for an unknown audit creates it (``placeholder(for:)``), and a
///   `completed` that overtakes `started` still yields a correct completed audit.
/// - Idempotency (by event id) is the stores' job; these rules are also safe to repeat.
extension Audit {
    /// The audit an event implies when the store has no row for it yet.
    public static func placeholder(for event: StoredEvent) -> Audit {
        var audit = Audit(
            id: event.auditID, url: "", tier: .standard,
            verdictMode: .simple, status: .queued,
            createdAt: event.timestamp, source: .memory
        )
        if case let .started(started) = event.change {
            audit.url = started.url
            audit.tier = started.tier
            audit.verdictMode = started.verdictMode
        }
        return audit
    }

    /// What `event` does to this audit and the rows stored with it: the one rule both stores
    /// carry out, so neither restates it (memory in its dictionaries, SQLite in its tables).
    public func effect(of event: StoredEvent) -> EventEffect {
        var after = self
        after.apply(event)
        var effect = EventEffect(audit: after, becameTerminal: !status.isTerminal && after.status.isTerminal)
        switch event.change {
        case .started, .progress:
            break
        case .screenshot(var info):
            info.auditID = id
            effect.screenshot = info
        case .completed(let verdict):
            effect.endsJob = true
            // A completed audit is terminal: a second `completed` (or one after `error`) adds nothing.
            if !status.isTerminal { effect.findings = verdict.darkPatternSummary.findings }
        case .error:
            effect.endsJob = true
        }
        return effect
    }

    /// Applies `event` under the rules above.
    public mutating func apply(_ event: StoredEvent) {
        switch event.change {
        case let .started(started):
            // A placeholder made by an earlier out-of-order event has no URL yet.
            if url.isEmpty {
                url = started.url
                tier = started.tier
                verdictMode = started.verdictMode
            }
            markRunning(by: event)
        case let .progress(update):
            markRunning(by: event)
            // The latest by the runner's clock: a progress event that arrives late (resent after
            // a reconnect) does not move the display backwards.
            if !status.isTerminal, progress.map({ $0.at <= event.timestamp }) ?? true {
                progress = AuditProgress(phase: update.phase, percent: update.percent, at: event.timestamp)
            }
        case .screenshot:
            markRunning(by: event)
        case let .completed(verdict):
            guard !status.isTerminal else { return }
            status = .completed
            trustScore = verdict.trustScore
            riskLevel = verdict.riskLevel
            narrative = verdict.narrative
            signalScores = verdict.signalScores
            siteType = verdict.siteType
            securityResults = verdict.securityResults
            runnerID = event.runnerID
            completedAt = event.timestamp
        case let .error(failure):
            guard !status.isTerminal else { return }
            status = .error
            errorMessage = failure.errorMessage
            runnerID = event.runnerID
            completedAt = event.timestamp
        }
    }

    /// `started`, `progress` and `screenshot` all prove the audit is running.
    private mutating func markRunning(by event: StoredEvent) {
        if startedAt == nil || (event.name == .started && status == .queued) {
            startedAt = event.timestamp
        }
        guard status == .queued else { return }
        status = .running
        runnerID = event.runnerID
    }
}

/// What applying one event changes, as ``Audit/effect(of:)`` decides it: the stores only carry
/// it out.
public struct EventEffect: Sendable, Equatable {
    /// The audit after the event.
    public var audit: Audit
    /// Findings to store, in order: a `completed` that ends the audit brings them.
    public var findings: [Finding] = []
    /// The screenshot row to insert or replace (keyed by audit id and index).
    public var screenshot: ScreenshotInfo?
    /// `completed` and `error` take the audit off the job queue.
    public var endsJob = false
    /// The audit reached `completed` or `error` with this event.
    public var becameTerminal: Bool

    public init(audit: Audit, findings: [Finding] = [], screenshot: ScreenshotInfo? = nil, endsJob: Bool = false, becameTerminal: Bool) {
        self.audit = audit
        self.findings = findings
        self.screenshot = screenshot
        self.endsJob = endsJob
        self.becameTerminal = becameTerminal
    }
}
