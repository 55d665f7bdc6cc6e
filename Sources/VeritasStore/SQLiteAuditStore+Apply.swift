import GRDB
import VeritasProtocol

extension SQLiteAuditStore {
    /// Applies a batch of events in one `IMMEDIATE` transaction (one commit, one fsync): all or
    /// nothing.
    ///
    /// For each event, in order: `INSERT OR IGNORE` its id into `processed_events`; when no row
    /// was inserted the id was seen before and the event is a ``EventOutcome/duplicate``.
    /// Otherwise the audit (its row, or ``VeritasProtocol/Audit/placeholder(for:)``) takes the
    /// event's ``EventEffect`` (``VeritasProtocol/Audit/effect(of:)``, the rule memory follows
    /// too): the audit row, a screenshot row upserted by (audit id, index), the findings of a
    /// `completed` that ends the audit, the job deleted when it ends.
    ///
    /// Events of one audit are applied one after another to the same in-memory copy, so a batch
    /// may hold many events of one audit. That copy is written back once, at the end of the
    /// batch (or before a child row that needs the audit row to exist): a thousand progress
    /// events of one audit cost a thousand small inserts and one audit update.
    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        return try await immediateTransaction { db in
            var batch = try EventBatch(db)
            let outcomes = try events.map { try batch.apply($0) }
            try batch.finish()
            return outcomes
        }
    }
}

/// The state of one ``SQLiteAuditStore/apply(_:)`` transaction.
private struct EventBatch {
    private let db: Database
    private let markSeen: Statement
    private let selectAudit: Statement
    private let upsertAudit: Statement
    private let upsertScreenshot: Statement
    private let insertFinding: Statement
    private let deleteJob: Statement
    /// When the batch was applied, as stored in `processed_events.applied_at`.
    private let appliedAt: String

    /// The batch's copy of every audit it has touched, and whether the copy holds changes not
    /// yet written.
    private var audits: [AuditID: (audit: Audit, isDirty: Bool)] = [:]

    init(_ db: Database) throws {
        self.db = db
        markSeen = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO processed_events (event_id, audit_id, event, seq, applied_at) VALUES (?, ?, ?, ?, ?)
            """)
        selectAudit = try db.cachedStatement(sql: SQLiteAuditStore.AuditSQL.selectByID)
        upsertAudit = try db.cachedStatement(sql: SQLiteAuditStore.AuditSQL.upsert)
        upsertScreenshot = try db.cachedStatement(sql: SQLiteAuditStore.ScreenshotSQL.upsert)
        insertFinding = try db.cachedStatement(sql: SQLiteAuditStore.FindingSQL.insert)
        deleteJob = try db.cachedStatement(sql: "DELETE FROM jobs WHERE audit_id = ?")
        appliedAt = Timestamp.now.description
    }

    mutating func apply(_ event: StoredEvent) throws -> EventOutcome {
        let id = event.auditID
        try markSeen.execute(arguments: [event.id.rawValue, id.rawValue, event.name.rawValue, event.seq, appliedAt])
        guard db.changesCount > 0 else { return .duplicate }

        let audit = try audits.removeValue(forKey: id)?.audit ?? loadAudit(id) ?? .placeholder(for: event)
        let effect = audit.effect(of: event)
        audits[id] = (effect.audit, true)
        if effect.endsJob { try deleteJob.execute(arguments: [id.rawValue]) }
        if let info = effect.screenshot {
            try write(id)
            try upsertScreenshot.execute(arguments: SQLiteAuditStore.ScreenshotSQL.arguments(info, of: id))
        }
        if !effect.findings.isEmpty {
            // Finding rows refer to the audit row: it must exist first.
            try write(id)
            for (ordinal, finding) in effect.findings.enumerated() {
                try insertFinding.execute(arguments: SQLiteAuditStore.FindingSQL.arguments(finding, of: id, ordinal: ordinal))
            }
        }
        return .applied
    }

    /// Writes every audit changed since it was last written; called once the batch is applied.
    mutating func finish() throws {
        for (audit, isDirty) in audits.values where isDirty {
            try upsertAudit.execute(arguments: SQLiteAuditStore.AuditSQL.arguments(audit))
        }
        audits.removeAll()
    }

    private func loadAudit(_ id: AuditID) throws -> Audit? {
        try Row.fetchOne(selectAudit, arguments: [id.rawValue]).map(SQLiteAuditStore.AuditSQL.decode)
    }

    /// Writes the batch's copy of audit `id` if it has unwritten changes.
    private mutating func write(_ id: AuditID) throws {
        guard let (audit, isDirty) = audits[id], isDirty else { return }
        try upsertAudit.execute(arguments: SQLiteAuditStore.AuditSQL.arguments(audit))
        audits[id] = (audit, false)
    }
}
