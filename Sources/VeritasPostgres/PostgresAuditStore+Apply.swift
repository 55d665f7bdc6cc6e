import PostgresNIO
import VeritasProtocol
import VeritasStore

extension PostgresAuditStore {
    /// Applies a batch of events in one transaction (one commit): all or nothing.
    ///
    /// The rule is SQLite's and memory's (``VeritasProtocol/Audit/effect(of:)``); only the way to
    /// the rows differs, to keep round trips few and writers out of each other's way:
    /// 1. lock the rows of every audit the batch names (`FOR UPDATE`, in id order) and read them;
    /// 2. record every event id in `processed_events` in one statement; the ids it did not insert
    ///    were applied before (by this writer or another) and are ``EventOutcome/duplicate``;
    /// 3. apply the new events in order to the audits read, in memory;
    /// 4. write back the changed audits, then the screenshots and findings the events carried, and
    ///    delete the jobs of the audits that ended: one multi-row statement per table.
    ///
    /// Locking the audits first means two writers given events of the same audit (a runner that
    /// failed over mid-resend) apply them one after the other, each seeing the other's result.
    public func apply(_ events: [StoredEvent]) async throws -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        return try await transaction { connection in
            try await self.applyBatch(events, on: connection)
        }
    }

    private func applyBatch(_ events: [StoredEvent], on connection: PostgresConnection) async throws -> [EventOutcome] {
        let auditKeys = Set(events.map(\.auditID.rawValue)).sorted()
        var audits: [AuditID: Audit] = [:]
        for row in try await rows(connection, query(
            "SELECT \(AuditRow.columns.list) FROM audits WHERE id = ANY($1) ORDER BY id FOR UPDATE", textArray: auditKeys)
        ) {
            let audit = try AuditRow.decode(PostgresRowReader(row, table: "audits"))
            audits[audit.id] = audit
        }

        // Each id once, first occurrence first: a later copy in the same batch is a duplicate.
        let appliedAt = Timestamp.now.description
        var seenInBatch = Set<EventID>()
        var marks: [[ColumnValue]] = []
        for event in events where seenInBatch.insert(event.id).inserted {
            marks.append([.text(event.id.rawValue), .text(event.auditID.rawValue), .text(event.name.rawValue), .integer(event.seq), .text(appliedAt)])
        }
        var fresh = Set<String>()
        for statement in MultiRowStatement.values(
            "INSERT INTO processed_events (event_id, audit_id, event, seq, applied_at)", rows: marks,
            tail: "ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
        {
            for row in try await rows(connection, statement) { fresh.insert(try row.decode(String.self)) }
        }

        var outcomes: [EventOutcome] = []
        outcomes.reserveCapacity(events.count)
        var changed = Set<AuditID>()
        var ended: [String] = []
        var screenshots: [String: [ColumnValue]] = [:]
        var screenshotOrder: [String] = []
        var findings: [[ColumnValue]] = []
        for event in events {
            guard fresh.remove(event.id.rawValue) != nil else {
                outcomes.append(.duplicate)
                continue
            }
            let id = event.auditID
            let effect = (audits[id] ?? .placeholder(for: event)).effect(of: event)
            audits[id] = effect.audit
            changed.insert(id)
            if effect.endsJob { ended.append(id.rawValue) }
            if let info = effect.screenshot {
                // One row per (audit, index): the batch's last screenshot of an index wins.
                let key = "\(id.rawValue)/\(info.index)"
                if screenshots.updateValue(ScreenshotRow.values(info, of: id), forKey: key) == nil { screenshotOrder.append(key) }
            }
            for (ordinal, finding) in effect.findings.enumerated() {
                findings.append(FindingRow.values(finding, of: id, ordinal: ordinal))
            }
            outcomes.append(.applied)
        }

        // Audits first: screenshots, findings and jobs refer to them.
        let auditRows = changed.sorted { $0.rawValue < $1.rawValue }.compactMap { audits[$0].map(AuditRow.values) }
        for statement in MultiRowStatement.values("INSERT INTO audits (\(AuditRow.columns.list))", rows: auditRows, tail: AuditRow.onConflict) {
            try await run(connection, statement)
        }
        for statement in MultiRowStatement.values(
            "INSERT INTO audit_screenshots (\(ScreenshotRow.columns.list))", rows: screenshotOrder.compactMap { screenshots[$0] },
            tail: ScreenshotRow.onConflict)
        {
            try await run(connection, statement)
        }
        for statement in MultiRowStatement.values("INSERT INTO audit_findings (\(FindingRow.columns.list))", rows: findings) {
            try await run(connection, statement)
        }
        if !ended.isEmpty {
            try await run(connection, query("DELETE FROM jobs WHERE audit_id = ANY($1)", textArray: ended))
        }
        return outcomes
    }
}
