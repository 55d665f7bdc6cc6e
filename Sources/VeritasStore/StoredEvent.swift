import VeritasProtocol

/// A runner event as the stores apply it.
///
/// It carries what the stores need and nothing more: a screenshot's bytes are already saved
/// to a file by ``ScreenshotStore`` when the event reaches a store, so the event holds the
/// file's ``ScreenshotInfo`` instead of the image.
public struct StoredEvent: Sendable, Equatable {
    /// Unique per event; applying the same id twice changes nothing.
    public var id: EventID
    public var auditID: AuditID
    /// Per-audit sequence number given by the runner (informational: application is
    /// order-tolerant and does not require gap-free sequences).
    public var seq: Int
    /// When the runner produced the event.
    public var timestamp: Timestamp
    public var runnerID: RunnerID
    public var change: Change

    /// What the event does to its audit: the wire payload, except that a screenshot's bytes
    /// are replaced by the saved file's record.
    public enum Change: Sendable, Equatable {
        case started(StartedEventPayload)
        case progress(ProgressEventPayload)
        case screenshot(ScreenshotInfo)
        case completed(CompletedEventPayload)
        case error(ErrorEventPayload)
    }

    public init(id: EventID, auditID: AuditID, seq: Int, timestamp: Timestamp, runnerID: RunnerID, change: Change) {
        self.id = id
        self.auditID = auditID
        self.seq = seq
        self.timestamp = timestamp
        self.runnerID = runnerID
        self.change = change
    }

    /// The wire name of the event.
    public var name: EventName {
        switch change {
        case .started: .started
        case .progress: .progress
        case .screenshot: .screenshot
        case .completed: .completed
        case .error: .error
        }
    }
}

/// What applying one event did.
public enum EventOutcome: Sendable, Equatable {
    /// The event changed the stored state (or was recorded as seen).
    case applied
    /// The event id was seen before; nothing changed. Still acknowledged to the runner.
    case duplicate
    /// The memory store in front of a database left the event out: it does not hold the audit
    /// (see ``MemoryAuditStore/UnknownAudits/skip``). Only the database's outcome counts then.
    case skipped
}

/// An audit with everything stored with it, as one store hands it to another
/// (``MemoryAuditStore/adopt(_:)``).
public struct AuditSnapshot: Sendable, Equatable {
    public var audit: Audit
    public var findings: [Finding]
    public var screenshots: [ScreenshotInfo]

    public init(audit: Audit, findings: [Finding], screenshots: [ScreenshotInfo]) {
        self.audit = audit
        self.findings = findings
        self.screenshots = screenshots
    }
}

extension StoredEvent {
    /// The stored form of a wire event. A screenshot event needs its saved file's record, so
    /// ``ScreenshotStore`` builds those; for them this returns `nil`.
    public init?(_ event: AuditEvent) {
        let change: Change
        switch event.payload {
        case let .started(payload): change = .started(payload)
        case let .progress(payload): change = .progress(payload)
        case .screenshot: return nil
        case let .completed(payload): change = .completed(payload)
        case let .error(payload): change = .error(payload)
        }
        self.init(id: event.eventID, auditID: event.auditID, seq: event.seq, timestamp: event.timestamp, runnerID: event.runnerID, change: change)
    }
}
