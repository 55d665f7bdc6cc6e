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
        case .progress, .screenshot:
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
