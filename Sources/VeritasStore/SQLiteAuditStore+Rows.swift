import GRDB
import VeritasProtocol

// How model values map to rows: the column lists, the statements' arguments and the decoding,
// kept side by side so a column can never be added to one and forgotten in the other.

extension SQLiteAuditStore {
    /// The `audits` table.
    enum AuditRow {
        /// Every column, in the order ``arguments(_:)`` and ``decode(_:)`` use.
        static let columns = """
            id, url, tier, verdict_mode, status, trust_score, risk_level, narrative, signal_scores, site_type, \
            security_results, error_message, runner_id, attempts, created_at, started_at, completed_at, \
            progress_phase, progress_percent, progress_at
            """

        /// Inserts or updates every column of an audit. An upsert, not `INSERT OR REPLACE`: a
        /// replace deletes the row first, and the delete would cascade to its findings and job.
        static let upsertSQL = """
            INSERT INTO audits (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                url = excluded.url, tier = excluded.tier, verdict_mode = excluded.verdict_mode,
                status = excluded.status, trust_score = excluded.trust_score, risk_level = excluded.risk_level,
                narrative = excluded.narrative, signal_scores = excluded.signal_scores,
                site_type = excluded.site_type, security_results = excluded.security_results,
                error_message = excluded.error_message, runner_id = excluded.runner_id,
                attempts = excluded.attempts, created_at = excluded.created_at,
                started_at = excluded.started_at, completed_at = excluded.completed_at,
                progress_phase = excluded.progress_phase, progress_percent = excluded.progress_percent,
                progress_at = excluded.progress_at
            """

        static let selectByIDSQL = "SELECT \(columns) FROM audits WHERE id = ?"

        static func arguments(_ audit: Audit) -> StatementArguments {
            [
                audit.id.rawValue, audit.url, audit.tier.rawValue, audit.verdictMode.rawValue, audit.status.rawValue,
                audit.trustScore, audit.riskLevel?.rawValue, audit.narrative,
                audit.signalScores.map { jsonText(.object($0.mapValues(JSONValue.number))) },
                audit.siteType?.rawValue, audit.securityResults.map(jsonText), audit.errorMessage,
                audit.runnerID?.rawValue, audit.attempts, audit.createdAt.description,
                audit.startedAt?.description, audit.completedAt?.description,
                audit.progress?.phase, audit.progress?.percent, audit.progress?.at.description,
            ]
        }

        static func decode(_ row: Row) throws(AuditStoreError) -> Audit {
            let reader = SQLiteRowReader(row: row, table: "audits")
            return Audit(
                id: try reader.auditID(0, "id"),
                url: try reader.text(1, "url"),
                tier: try reader.enumeration(2, "tier", Tier.self),
                verdictMode: try reader.enumeration(3, "verdict_mode", VerdictMode.self),
                status: try reader.enumeration(4, "status", AuditStatus.self),
                trustScore: try reader.optionalInt(5, "trust_score"),
                riskLevel: try reader.optionalEnumeration(6, "risk_level", RiskLevel.self),
                narrative: try reader.optionalText(7, "narrative"),
                signalScores: try reader.optionalScores(8, "signal_scores"),
                siteType: try reader.optionalEnumeration(9, "site_type", SiteType.self),
                securityResults: try reader.optionalJSON(10, "security_results"),
                errorMessage: try reader.optionalText(11, "error_message"),
                runnerID: try reader.optionalRunnerID(12, "runner_id"),
                attempts: try reader.int(13, "attempts"),
                createdAt: try reader.timestamp(14, "created_at"),
                startedAt: try reader.optionalTimestamp(15, "started_at"),
                completedAt: try reader.optionalTimestamp(16, "completed_at"),
                progress: try progress(reader),
                source: .database)
        }

        /// The three `progress_*` columns, all set or all NULL.
        private static func progress(_ reader: SQLiteRowReader) throws(AuditStoreError) -> AuditProgress? {
            guard let phase = try reader.optionalText(17, "progress_phase") else { return nil }
            return AuditProgress(phase: phase, percent: try reader.double(18, "progress_percent"), at: try reader.timestamp(19, "progress_at"))
        }

        private static func jsonText(_ value: JSONValue) -> String {
            String(decoding: value.encoded(), as: UTF8.self)
        }
    }

    /// The `audit_findings` table: one row per finding, `ordinal` 0, 1, 2... in the runner's order.
    enum FindingRow {
        static let insertSQL = """
            INSERT INTO audit_findings (audit_id, ordinal, category, pattern_type, severity, confidence, evidence, location,
                                        box_screenshot_index, box_x, box_y, box_width, box_height)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """

        static let selectSQL = """
            SELECT pattern_type, severity, confidence, evidence, location,
                   box_screenshot_index, box_x, box_y, box_width, box_height FROM audit_findings
            WHERE audit_id = ? ORDER BY ordinal
            """

        static func arguments(_ finding: Finding, of id: AuditID, ordinal: Int) -> StatementArguments {
            let box = finding.box
            return [
                id.rawValue, ordinal, finding.category.rawValue, finding.patternType.rawValue,
                finding.severity.rawValue, finding.confidence, finding.evidence, finding.location,
                box?.screenshotIndex, box?.x, box?.y, box?.width, box?.height,
            ]
        }

        static func decode(_ row: Row) throws(AuditStoreError) -> Finding {
            let reader = SQLiteRowReader(row: row, table: "audit_findings")
            var box: FindingBox?
            if let screenshotIndex = try reader.optionalInt(5, "box_screenshot_index") {
                box = FindingBox(screenshotIndex: screenshotIndex, x: try reader.double(6, "box_x"), y: try reader.double(7, "box_y"),
                                 width: try reader.double(8, "box_width"), height: try reader.double(9, "box_height"))
            }
            return Finding(
                patternType: try reader.enumeration(0, "pattern_type", DarkPatternType.self),
                severity: try reader.enumeration(1, "severity", Severity.self),
                confidence: try reader.double(2, "confidence"),
                evidence: try reader.text(3, "evidence"),
                location: try reader.optionalText(4, "location"),
                box: box)
        }
    }

    /// The `audit_screenshots` table: one row per (audit, index), replaced when re-sent.
    enum ScreenshotRow {
        static let upsertSQL = """
            INSERT INTO audit_screenshots
                (audit_id, index_num, label, content_type, file_path, file_size_bytes, sha256, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (audit_id, index_num) DO UPDATE SET
                label = excluded.label, content_type = excluded.content_type, file_path = excluded.file_path,
                file_size_bytes = excluded.file_size_bytes, sha256 = excluded.sha256, created_at = excluded.created_at
            """

        static let selectSQL = """
            SELECT audit_id, index_num, label, content_type, file_path, file_size_bytes, sha256, created_at
            FROM audit_screenshots WHERE audit_id = ? ORDER BY index_num
            """

        static func arguments(_ info: ScreenshotInfo, of id: AuditID) -> StatementArguments {
            [
                id.rawValue, info.index, info.label, info.contentType.rawValue, info.filePath,
                info.fileSizeBytes, info.sha256, info.createdAt.description,
            ]
        }

        static func decode(_ row: Row) throws(AuditStoreError) -> ScreenshotInfo {
            let reader = SQLiteRowReader(row: row, table: "audit_screenshots")
            return ScreenshotInfo(
                auditID: try reader.auditID(0, "audit_id"),
                index: try reader.int(1, "index_num"),
                label: try reader.text(2, "label"),
                contentType: try reader.enumeration(3, "content_type", ImageContentType.self),
                fileSizeBytes: try reader.int(5, "file_size_bytes"),
                sha256: try reader.text(6, "sha256"),
                filePath: try reader.text(4, "file_path"),
                createdAt: try reader.timestamp(7, "created_at"))
        }
    }
}
