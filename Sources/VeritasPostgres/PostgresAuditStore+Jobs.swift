import PostgresNIO
import VeritasProtocol
import VeritasStore

// The job queue: a `jobs` row per audit waiting for a runner (`queued`) or handed to one
// (`claimed`, with a lease), shared by every writer of the database.

extension PostgresAuditStore {
    /// Claims the oldest queued jobs that no other transaction is claiming right now (`FOR UPDATE
    /// SKIP LOCKED`): writers claiming together take different jobs, and none waits for another.
    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        guard limit > 0 else { return [] }
        let claimed = try await transaction { connection in
            try await self.rows(connection, query(
                """
                WITH picked AS (
                    SELECT audit_id FROM jobs WHERE state = 'queued'
                    ORDER BY enqueued_at, audit_id LIMIT $1 FOR UPDATE SKIP LOCKED
                ), claimed AS (
                    UPDATE jobs SET state = 'claimed', runner_id = $2, writer_id = $3, claimed_at = $4, lease_until = $5,
                                    handouts = handouts + 1
                    FROM picked WHERE jobs.audit_id = picked.audit_id
                    RETURNING jobs.audit_id, jobs.enqueued_at
                )
                UPDATE audits SET attempts = attempts + 1 FROM claimed WHERE audits.id = claimed.audit_id
                RETURNING audits.id, audits.url, audits.tier, audits.verdict_mode, audits.attempts, audits.created_at, claimed.enqueued_at
                """,
                .integer(limit), .text(runner.rawValue), .text(writer), .text(Timestamp.now.description), .text(leaseUntil.description)))
        }
        var jobs: [(job: AuditJob, enqueuedAt: String)] = []
        for row in claimed {
            let reader = PostgresRowReader(row, table: "jobs")
            jobs.append((AuditJob(
                auditID: try reader.auditID(0, "audit_id"),
                url: try reader.text(1, "url"),
                tier: try reader.enumeration(2, "tier", Tier.self),
                verdictMode: try reader.enumeration(3, "verdict_mode", VerdictMode.self),
                attempt: try reader.int(4, "attempts"),
                createdAt: try reader.timestamp(5, "created_at")), try reader.text(6, "enqueued_at")))
        }
        // RETURNING keeps no order: oldest first, as the queue hands them out.
        return jobs.sorted { ($0.enqueuedAt, $0.job.auditID.rawValue) < ($1.enqueuedAt, $1.job.auditID.rawValue) }.map(\.job)
    }

    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        guard !audits.isEmpty else { return [] }
        let reclaimed = try await transaction { connection in
            try await self.rows(connection, query(
                """
                WITH reclaimed AS (
                    UPDATE jobs SET state = 'claimed', runner_id = $2, writer_id = $3, claimed_at = $4, lease_until = $5
                    WHERE audit_id = ANY($1) AND (state = 'queued' OR runner_id = $2)
                    RETURNING audit_id
                ), resumed AS (
                    UPDATE audits SET status = 'running'
                    WHERE id IN (SELECT audit_id FROM reclaimed) AND status = 'queued' AND started_at IS NOT NULL
                )
                SELECT audit_id FROM reclaimed
                """,
                textArray: audits.map(\.rawValue),
                .text(runner.rawValue), .text(writer), .text(Timestamp.now.description), .text(leaseUntil.description)))
        }
        let ids = Set(try reclaimed.map { try $0.decode(String.self) })
        return audits.filter { ids.contains($0.rawValue) }
    }

    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        guard !audits.isEmpty else { return }
        _ = try await rows(query(
            "UPDATE jobs SET lease_until = $2 WHERE state = 'claimed' AND runner_id = $3 AND audit_id = ANY($1)",
            textArray: audits.map(\.rawValue), .text(until.description), .text(runner.rawValue)))
    }

    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        try await transaction { connection in
            let claimed = try await self.claimedJobs(
                connection, where: "jobs.runner_id = $1 AND ($2::text IS NULL OR jobs.writer_id = $2::text)", .text(runner.rawValue), ColumnValue(writer))
                .filter { only?.contains($0.id) ?? true }
            return try await self.requeue(claimed, connection, maxAttempts: maxAttempts, reason: reason, now: now)
        }
    }

    /// Every writer sweeps: a lease another writer's sweep holds is skipped (`SKIP LOCKED`), it is
    /// being requeued already.
    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        try await transaction { connection in
            let expired = try await self.claimedJobs(connection, where: "jobs.lease_until < $1", .text(now.description), skipLocked: true)
            return try await self.requeue(expired, connection, maxAttempts: maxAttempts, reason: reason, now: now)
        }
    }

    public func queueDepth() async throws -> Int {
        let found = try await rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM jobs WHERE state = 'queued'"))
        return try found.first?.decode(Int.self) ?? 0
    }

    /// The writer's probe while degraded: a real committed write, on a new pool if the server was
    /// missing (so a server that is back is found at once).
    public func verifyWritable() async throws {
        renewPoolIfServerMissing()
        // The whole operation timeout, even while the server is missing: the probe runs in the
        // background, one at a time, and is what must find the server again (with a new pool,
        // whose first connection may take longer than the short wait other operations get).
        _ = try await rows(query(
            "INSERT INTO write_probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            .text(Timestamp.now.description)), within: settings.operationTimeout)
    }

    /// As SQLite's: ids of audits that ended before `cutoff`, created before it (a range of the
    /// time-ordered event ids), at most `limit` at a time.
    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int {
        let found = try await rows(query(
            """
            WITH gone AS (
                DELETE FROM processed_events WHERE event_id IN (
                    SELECT p.event_id FROM processed_events p JOIN audits a ON a.id = p.audit_id
                    WHERE p.event_id < $1 AND a.status IN ('completed', 'error') AND a.completed_at < $2
                    LIMIT $3)
                RETURNING 1
            )
            SELECT COUNT(*) FROM gone
            """,
            .text(EventIDRange.smallest(at: cutoff)), .text(cutoff.description), .integer(limit)))
        return try found.first?.decode(Int.self) ?? 0
    }

    // MARK: Requeueing

    /// A claimed job and what its audit says about it.
    private struct ClaimedJob {
        var id: AuditID
        var status: AuditStatus
        var attempts: Int
        var handouts: Int
    }

    /// The claimed jobs matching `condition`, oldest first, locked until the transaction ends.
    private func claimedJobs(
        _ connection: PostgresConnection, where condition: String, _ values: ColumnValue..., skipLocked: Bool = false
    ) async throws -> [ClaimedJob] {
        let sql = """
            SELECT jobs.audit_id, audits.status, audits.attempts, jobs.handouts
            FROM jobs JOIN audits ON audits.id = jobs.audit_id
            WHERE jobs.state = 'claimed' AND \(condition)
            ORDER BY jobs.enqueued_at, jobs.audit_id
            FOR UPDATE OF jobs\(skipLocked ? " SKIP LOCKED" : "")
            """
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return try await rows(connection, PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
            let reader = PostgresRowReader(row, table: "jobs")
            return ClaimedJob(
                id: try reader.auditID(0, "audit_id"),
                status: try reader.enumeration(1, "status", AuditStatus.self),
                attempts: try reader.int(2, "attempts"),
                handouts: try reader.int(3, "handouts"))
        }
    }

    /// ``VeritasStore/RequeueDecision`` for each job: back on the queue (its audit `queued` again,
    /// an attempt refunded when it never started), or its audit ended in `error`. An audit that
    /// ended meanwhile is never moved back.
    private func requeue(
        _ jobs: [ClaimedJob], _ connection: PostgresConnection, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        var outcome = RequeueOutcome()
        for job in jobs {
            let id = ColumnValue.text(job.id.rawValue)
            if job.status.isTerminal {
                try await run(connection, query("DELETE FROM jobs WHERE audit_id = $1", id))
                continue
            }
            switch RequeueDecision(status: job.status, attempts: job.attempts, handouts: job.handouts, maxAttempts: maxAttempts, reason: reason) {
            case .fail(let message):
                try await run(connection, query(
                    "UPDATE audits SET status = 'error', error_message = $2, completed_at = $3 WHERE id = $1 AND status NOT IN ('completed', 'error')",
                    id, .text(message), .text(now.description)))
                try await run(connection, query("DELETE FROM jobs WHERE audit_id = $1", id))
                outcome.failed.append(job.id)
            case .requeue(let refundAttempt):
                try await run(connection, query(
                    """
                    UPDATE audits SET status = 'queued', attempts = CASE WHEN $2 = 1 AND attempts > 0 THEN attempts - 1 ELSE attempts END
                    WHERE id = $1 AND status NOT IN ('completed', 'error')
                    """,
                    id, .integer(refundAttempt ? 1 : 0)))
                try await run(connection, query(
                    "UPDATE jobs SET state = 'queued', runner_id = NULL, writer_id = NULL, claimed_at = NULL, lease_until = NULL WHERE audit_id = $1",
                    id))
                outcome.requeued.append(job.id)
            }
        }
        return outcome
    }
}
