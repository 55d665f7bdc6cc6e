import GRDB
import VeritasProtocol

// The shared row mappings (`Rows/StoredRows.swift`) in SQLite's statements.

extension SQLiteAuditStore {
    /// The `audits` table.
    enum AuditSQL {
        static let upsert = "INSERT INTO audits (\(AuditRow.columns.list)) VALUES (\(placeholders(AuditRow.columns))) \(AuditRow.onConflict)"
        static let selectByID = "SELECT \(AuditRow.columns.list) FROM audits WHERE id = ?"

        static func arguments(_ audit: Audit) -> StatementArguments { StatementArguments(AuditRow.values(audit)) }
        static func decode(_ row: Row) throws(AuditStoreError) -> Audit { try AuditRow.decode(SQLiteRowReader(row: row, table: "audits")) }
    }

    /// The `audit_findings` table.
    enum FindingSQL {
        static let insert = "INSERT INTO audit_findings (\(FindingRow.columns.list)) VALUES (\(placeholders(FindingRow.columns)))"
        static let select = "SELECT \(FindingRow.selectedColumns) FROM audit_findings WHERE audit_id = ? ORDER BY ordinal"

        static func arguments(_ finding: Finding, of id: AuditID, ordinal: Int) -> StatementArguments {
            StatementArguments(FindingRow.values(finding, of: id, ordinal: ordinal))
        }
        static func decode(_ row: Row) throws(AuditStoreError) -> Finding { try FindingRow.decode(SQLiteRowReader(row: row, table: "audit_findings")) }
    }

    /// The `audit_screenshots` table.
    enum ScreenshotSQL {
        static let upsert = """
            INSERT INTO audit_screenshots (\(ScreenshotRow.columns.list)) VALUES (\(placeholders(ScreenshotRow.columns))) \(ScreenshotRow.onConflict)
            """
        static let select = "SELECT \(ScreenshotRow.columns.list) FROM audit_screenshots WHERE audit_id = ? ORDER BY index_num"

        static func arguments(_ info: ScreenshotInfo, of id: AuditID) -> StatementArguments { StatementArguments(ScreenshotRow.values(info, of: id)) }
        static func decode(_ row: Row) throws(AuditStoreError) -> ScreenshotInfo {
            try ScreenshotRow.decode(SQLiteRowReader(row: row, table: "audit_screenshots"))
        }
    }

    /// `?, ?, ...`, one per column.
    private static func placeholders(_ columns: TableColumns) -> String {
        Array(repeating: "?", count: columns.names.count).joined(separator: ", ")
    }
}
