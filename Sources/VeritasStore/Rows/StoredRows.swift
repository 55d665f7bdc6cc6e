import VeritasProtocol

// How model values map to rows, for every database store: the column lists, the values written
// and the decoding, kept side by side so a column can never be added to one and forgotten in the
// other, nor mapped differently by SQLite and PostgreSQL. Each store wraps these in its own SQL
// (placeholders and batching differ; the names, order and encodings do not).

/// A table's columns and its upsert clause, written from one list.
package struct TableColumns: Sendable {
    package let table: String
    package let names: [String]
    /// `a, b, c`: for `SELECT` and `INSERT` column lists.
    package var list: String { names.joined(separator: ", ") }

    /// `ON CONFLICT (key) DO UPDATE SET col = excluded.col, ...` for every column not in `key`
    /// (both databases speak this form).
    package func onConflictUpdate(key: [String]) -> String {
        let updates = names.filter { !key.contains($0) }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET \(updates)"
    }
}

/// The `audits` table.
package enum AuditRow {
    /// Every column, in the order ``values(_:)`` and ``decode(_:)`` use.
    package static let columns = TableColumns(table: "audits", names: [
        "id", "url", "tier", "verdict_mode", "status", "trust_score", "risk_level", "narrative", "signal_scores", "site_type",
        "security_results", "error_message", "runner_id", "attempts", "created_at", "started_at", "completed_at",
        "progress_phase", "progress_percent", "progress_at",
    ])

    /// Inserts or updates every column. An upsert, not a replace: deleting the row first would
    /// cascade to its findings and job.
    package static let onConflict = columns.onConflictUpdate(key: ["id"])

    package static func values(_ audit: Audit) -> [ColumnValue] {
        [
            .text(audit.id.rawValue), .text(audit.url), .text(audit.tier.rawValue), .text(audit.verdictMode.rawValue),
            .text(audit.status.rawValue), ColumnValue(audit.trustScore), ColumnValue(audit.riskLevel?.rawValue),
            ColumnValue(audit.narrative),
            ColumnValue(audit.signalScores.map { jsonText(.object($0.mapValues(JSONValue.number))) }),
            ColumnValue(audit.siteType?.rawValue), ColumnValue(audit.securityResults.map(jsonText)),
            ColumnValue(audit.errorMessage), ColumnValue(audit.runnerID?.rawValue), .integer(audit.attempts),
            .text(audit.createdAt.description), ColumnValue(audit.startedAt?.description),
            ColumnValue(audit.completedAt?.description),
            ColumnValue(audit.progress?.phase), ColumnValue(audit.progress?.percent), ColumnValue(audit.progress?.at.description),
        ]
    }

    package static func decode<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> Audit {
        Audit(
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
    private static func progress<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> AuditProgress? {
        guard let phase = try reader.optionalText(17, "progress_phase") else { return nil }
        return AuditProgress(phase: phase, percent: try reader.double(18, "progress_percent"), at: try reader.timestamp(19, "progress_at"))
    }

    private static func jsonText(_ value: JSONValue) -> String {
        String(decoding: value.encoded(), as: UTF8.self)
    }
}

/// The `audit_findings` table: one row per finding, `ordinal` 0, 1, 2... in the runner's order.
package enum FindingRow {
    /// The columns written, in the order of ``values(_:of:ordinal:)``.
    package static let columns = TableColumns(table: "audit_findings", names: [
        "audit_id", "ordinal", "category", "pattern_type", "severity", "confidence", "evidence", "location",
        "box_screenshot_index", "box_x", "box_y", "box_width", "box_height",
    ])

    /// The columns read, in the order of ``decode(_:)``.
    package static let selectedColumns = """
        pattern_type, severity, confidence, evidence, location, box_screenshot_index, box_x, box_y, box_width, box_height
        """

    package static func values(_ finding: Finding, of id: AuditID, ordinal: Int) -> [ColumnValue] {
        let box = finding.box
        return [
            .text(id.rawValue), .integer(ordinal), .text(finding.category.rawValue), .text(finding.patternType.rawValue),
            .text(finding.severity.rawValue), .real(finding.confidence), .text(finding.evidence), ColumnValue(finding.location),
            ColumnValue(box?.screenshotIndex), ColumnValue(box?.x), ColumnValue(box?.y), ColumnValue(box?.width), ColumnValue(box?.height),
        ]
    }

    package static func decode<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> Finding {
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
package enum ScreenshotRow {
    /// Every column, in the order ``values(_:of:)`` and ``decode(_:)`` use.
    package static let columns = TableColumns(table: "audit_screenshots", names: [
        "audit_id", "index_num", "label", "content_type", "file_path", "file_size_bytes", "sha256", "created_at",
    ])

    package static let onConflict = columns.onConflictUpdate(key: ["audit_id", "index_num"])

    package static func values(_ info: ScreenshotInfo, of id: AuditID) -> [ColumnValue] {
        [
            .text(id.rawValue), .integer(info.index), .text(info.label), .text(info.contentType.rawValue), .text(info.filePath),
            .integer(info.fileSizeBytes), .text(info.sha256), .text(info.createdAt.description),
        ]
    }

    package static func decode<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> ScreenshotInfo {
        ScreenshotInfo(
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

/// The `processed_events` table, as a copy carries it.
package enum ProcessedEventRow {
    package static let columns = TableColumns(table: "processed_events", names: ["event_id", "audit_id", "event", "seq", "applied_at"])

    package static func values(_ event: ProcessedEvent, of id: AuditID) -> [ColumnValue] {
        [.text(event.eventID), .text(id.rawValue), .text(event.event), .integer(event.seq), .text(event.appliedAt)]
    }

    package static func decode<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> ProcessedEvent {
        ProcessedEvent(eventID: try reader.text(0, "event_id"), event: try reader.text(2, "event"), seq: try reader.int(3, "seq"),
                       appliedAt: try reader.text(4, "applied_at"))
    }
}

/// The `jobs` table, as a copy carries it.
package enum JobRow {
    package static let columns = TableColumns(table: "jobs", names: [
        "audit_id", "state", "runner_id", "writer_id", "enqueued_at", "claimed_at", "lease_until", "handouts",
    ])

    package static func values(_ job: JobRecord, of id: AuditID) -> [ColumnValue] {
        [
            .text(id.rawValue), .text(job.state), ColumnValue(job.runnerID), ColumnValue(job.writerID), .text(job.enqueuedAt),
            ColumnValue(job.claimedAt), ColumnValue(job.leaseUntil), .integer(job.handouts),
        ]
    }

    package static func decode<Columns>(_ reader: StoredRowReader<Columns>) throws(AuditStoreError) -> JobRecord {
        JobRecord(
            state: try reader.text(1, "state"), runnerID: try reader.optionalText(2, "runner_id"), writerID: try reader.optionalText(3, "writer_id"),
            enqueuedAt: try reader.text(4, "enqueued_at"), claimedAt: try reader.optionalText(5, "claimed_at"),
            leaseUntil: try reader.optionalText(6, "lease_until"), handouts: try reader.int(7, "handouts"))
    }
}
