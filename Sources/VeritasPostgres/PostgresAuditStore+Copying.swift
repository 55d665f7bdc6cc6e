import PostgresNIO
import VeritasProtocol
import VeritasStore

extension PostgresAuditStore: AuditCopying {
    public func auditIDs(after: AuditID?, limit: Int) async throws -> [AuditID] {
        try await rows(query("SELECT id FROM audits WHERE id > $1 ORDER BY id LIMIT $2", .text(after?.rawValue ?? ""), .integer(limit)))
            .map { try PostgresRowReader($0, table: "audits").auditID(0, "id") }
    }

    public func record(of id: AuditID) async throws -> AuditRecord? {
        guard let snapshot = try await snapshots(of: [id]).first else { return nil }
        let key = ColumnValue.text(id.rawValue)
        let (eventRows, jobRows) = try await transaction(isolation: "REPEATABLE READ READ ONLY") { connection in
            (
                try await self.rows(connection, query(
                    "SELECT \(ProcessedEventRow.columns.list) FROM processed_events WHERE audit_id = $1 ORDER BY event_id", key)),
                try await self.rows(connection, query("SELECT \(JobRow.columns.list) FROM jobs WHERE audit_id = $1", key))
            )
        }
        return AuditRecord(
            snapshot: snapshot,
            events: try eventRows.map { try ProcessedEventRow.decode(PostgresRowReader($0, table: "processed_events")) },
            job: try jobRows.first.map { try JobRow.decode(PostgresRowReader($0, table: "jobs")) })
    }

    public func replace(with record: AuditRecord) async throws {
        let id = record.snapshot.audit.id
        let key = ColumnValue.text(id.rawValue)
        try await transaction { connection in
            // The audit's row first, locked: events applied meanwhile by a writer wait for the copy.
            for statement in MultiRowStatement.values(
                "INSERT INTO audits (\(AuditRow.columns.list))", rows: [AuditRow.values(record.snapshot.audit)], tail: AuditRow.onConflict)
            {
                try await self.run(connection, statement)
            }
            try await self.run(connection, query("DELETE FROM audit_findings WHERE audit_id = $1", key))
            let findings = record.snapshot.findings.enumerated().map { FindingRow.values($1, of: id, ordinal: $0) }
            for statement in MultiRowStatement.values("INSERT INTO audit_findings (\(FindingRow.columns.list))", rows: findings) {
                try await self.run(connection, statement)
            }
            try await self.run(connection, query("DELETE FROM audit_screenshots WHERE audit_id = $1", key))
            let screenshots = record.snapshot.screenshots.map { ScreenshotRow.values($0, of: id) }
            for statement in MultiRowStatement.values(
                "INSERT INTO audit_screenshots (\(ScreenshotRow.columns.list))", rows: screenshots, tail: ScreenshotRow.onConflict)
            {
                try await self.run(connection, statement)
            }
            for statement in MultiRowStatement.values(
                "INSERT INTO processed_events (\(ProcessedEventRow.columns.list))", rows: record.events.map { ProcessedEventRow.values($0, of: id) },
                tail: "ON CONFLICT (event_id) DO NOTHING")
            {
                try await self.run(connection, statement)
            }
            try await self.run(connection, query("DELETE FROM jobs WHERE audit_id = $1", key))
            if let job = record.job {
                for statement in MultiRowStatement.values("INSERT INTO jobs (\(JobRow.columns.list))", rows: [JobRow.values(job, of: id)]) {
                    try await self.run(connection, statement)
                }
            }
        }
    }

    public func tableCounts() async throws -> TableCounts {
        let audits = try await statusCounts()
        let found = try await rows(PostgresQuery(unsafeSQL: """
            SELECT (SELECT COUNT(*) FROM audit_findings), (SELECT COUNT(*) FROM audit_screenshots),
                   (SELECT COUNT(*) FROM processed_events), (SELECT COUNT(*) FROM jobs)
            """))
        let reader = PostgresRowReader(try found.first.orThrow(), table: "counts")
        return TableCounts(
            audits: audits, findings: try reader.int(0, "audit_findings"), screenshots: try reader.int(1, "audit_screenshots"),
            processedEvents: try reader.int(2, "processed_events"), jobs: try reader.int(3, "jobs"))
    }
}

extension Optional {
    /// The value, or a store error saying a query returned no row where it always returns one.
    fileprivate func orThrow() throws -> Wrapped {
        guard let self else { throw PostgresStoreError(sqlState: nil, message: "a count query returned no row") }
        return self
    }
}
