import VeritasProtocol

/// Everything a database holds about one audit: what a backfill copies from one database to
/// another, and what verification compares.
public struct AuditRecord: Sendable, Equatable {
    /// The audit, its findings and its screenshot rows.
    public var snapshot: AuditSnapshot
    /// The ids of its applied events, so resends stay duplicates in the copy.
    public var events: [ProcessedEvent]
    /// Its job row, while it is queued or handed out.
    public var job: JobRecord?

    public init(snapshot: AuditSnapshot, events: [ProcessedEvent], job: JobRecord?) {
        self.snapshot = snapshot
        self.events = events
        self.job = job
    }
}

/// A `processed_events` row.
public struct ProcessedEvent: Sendable, Equatable {
    public var eventID: String
    public var event: String
    public var seq: Int
    public var appliedAt: String

    public init(eventID: String, event: String, seq: Int, appliedAt: String) {
        self.eventID = eventID
        self.event = event
        self.seq = seq
        self.appliedAt = appliedAt
    }
}

/// A `jobs` row.
public struct JobRecord: Sendable, Equatable {
    public var state: String
    public var runnerID: String?
    public var writerID: String?
    public var enqueuedAt: String
    public var claimedAt: String?
    public var leaseUntil: String?
    public var handouts: Int

    public init(state: String, runnerID: String?, writerID: String?, enqueuedAt: String, claimedAt: String?, leaseUntil: String?, handouts: Int) {
        self.state = state
        self.runnerID = runnerID
        self.writerID = writerID
        self.enqueuedAt = enqueuedAt
        self.claimedAt = claimedAt
        self.leaseUntil = leaseUntil
        self.handouts = handouts
    }
}

/// How many rows a database holds, table by table.
public struct TableCounts: Sendable, Equatable, CustomStringConvertible {
    public var audits: AuditStatusCounts
    public var findings: Int
    public var screenshots: Int
    public var processedEvents: Int
    public var jobs: Int

    public init(audits: AuditStatusCounts, findings: Int, screenshots: Int, processedEvents: Int, jobs: Int) {
        self.audits = audits
        self.findings = findings
        self.screenshots = screenshots
        self.processedEvents = processedEvents
        self.jobs = jobs
    }

    public var description: String {
        "audits \(audits.queued + audits.running + audits.completed + audits.error) (queued \(audits.queued), running \(audits.running), completed \(audits.completed), error \(audits.error)), "
            + "findings \(findings), screenshots \(screenshots), processed events \(processedEvents), jobs \(jobs)"
    }
}

/// A database store whose audits can be copied whole to another database: the seam the live
/// migration between SQLite and PostgreSQL works through (``DatabaseCopy``).
public protocol AuditCopying: AuditStore {
    /// Up to `limit` audit ids greater than `after` (all when `nil`), in id order (UUIDv7: the
    /// order they were made), for a copy that can stop and resume where it was.
    func auditIDs(after: AuditID?, limit: Int) async throws -> [AuditID]

    /// Everything held about audit `id`, read in one transaction; `nil` when it is not here.
    func record(of id: AuditID) async throws -> AuditRecord?

    /// Makes this database hold exactly `record` for its audit (the row, its findings, screenshot
    /// rows, applied event ids and job), in one transaction, whatever it held before. Applying the
    /// same record twice changes nothing.
    func replace(with record: AuditRecord) async throws

    /// How many rows each table holds.
    func tableCounts() async throws -> TableCounts
}
