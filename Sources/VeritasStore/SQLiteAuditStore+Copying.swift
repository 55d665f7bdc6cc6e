import GRDB
import VeritasProtocol

extension SQLiteAuditStore: AuditCopying {
    public func auditIDs(after: AuditID?, limit: Int) async throws -> [AuditID] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM audits WHERE id > ? ORDER BY id LIMIT ?"), arguments: [after?.rawValue ?? "", limit]
            ).map { try SQLiteRowReader(row: $0, table: "audits").auditID(0, "id") }
        }
    }

    public func record(of id: AuditID) async throws -> AuditRecord? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: AuditSQL.selectByID), arguments: [id.rawValue]) else { return nil }
            let snapshot = AuditSnapshot(
                audit: try AuditSQL.decode(row),
                findings: try Row.fetchAll(db.cachedStatement(sql: FindingSQL.select), arguments: [id.rawValue]).map(FindingSQL.decode),
                screenshots: try Row.fetchAll(db.cachedStatement(sql: ScreenshotSQL.select), arguments: [id.rawValue]).map(ScreenshotSQL.decode))
            let events = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(ProcessedEventRow.columns.list) FROM processed_events WHERE audit_id = ? ORDER BY event_id"),
                arguments: [id.rawValue]
            ).map { try ProcessedEventRow.decode(SQLiteRowReader(row: $0, table: "processed_events")) }
            let job = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(JobRow.columns.list) FROM jobs WHERE audit_id = ?"), arguments: [id.rawValue])
                .map { try JobRow.decode(SQLiteRowReader(row: $0, table: "jobs")) }
            return AuditRecord(snapshot: snapshot, events: events, job: job)
        }
    }

    public func replace(with record: AuditRecord) async throws {
        let id = record.snapshot.audit.id
        try await immediateTransaction { db in
            try db.cachedStatement(sql: AuditSQL.upsert).execute(arguments: AuditSQL.arguments(record.snapshot.audit))
            try db.execute(sql: "DELETE FROM audit_findings WHERE audit_id = ?", arguments: [id.rawValue])
            for (ordinal, finding) in record.snapshot.findings.enumerated() {
                try db.cachedStatement(sql: FindingSQL.insert).execute(arguments: FindingSQL.arguments(finding, of: id, ordinal: ordinal))
            }
            try db.execute(sql: "DELETE FROM audit_screenshots WHERE audit_id = ?", arguments: [id.rawValue])
            for info in record.snapshot.screenshots {
                try db.cachedStatement(sql: ScreenshotSQL.upsert).execute(arguments: ScreenshotSQL.arguments(info, of: id))
            }
            let insertEvent = try db.cachedStatement(sql: "INSERT OR IGNORE INTO processed_events (\(ProcessedEventRow.columns.list)) VALUES (?, ?, ?, ?, ?)")
            for event in record.events { try insertEvent.execute(arguments: StatementArguments(ProcessedEventRow.values(event, of: id))) }
            try db.execute(sql: "DELETE FROM jobs WHERE audit_id = ?", arguments: [id.rawValue])
            if let job = record.job {
                try db.execute(sql: "INSERT INTO jobs (\(JobRow.columns.list)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arguments: StatementArguments(JobRow.values(job, of: id)))
            }
        }
    }

    public func tableCounts() async throws -> TableCounts {
        let audits = try await statusCounts()
        return try await pool.read { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            return TableCounts(
                audits: audits, findings: try count("audit_findings"), screenshots: try count("audit_screenshots"),
                processedEvents: try count("processed_events"), jobs: try count("jobs"))
        }
    }
}
