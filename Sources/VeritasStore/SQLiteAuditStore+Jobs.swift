import GRDB
import VeritasProtocol

// The job queue: a `jobs` row per audit waiting for a runner (`queued`) or handed to one
// (`claimed`, with a lease). Every change runs in an IMMEDIATE transaction, so writers sharing
// the file take turns and a job is never claimed twice.

extension SQLiteAuditStore {
    public func claimJobs(for runner: RunnerID, writer: String, limit: Int, leaseUntil: Timestamp) async throws -> [AuditJob] {
        guard limit > 0 else { return [] }
        let claimedAt = Timestamp.now.description
        return try await immediateTransaction { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT jobs.audit_id, audits.url, audits.tier, audits.verdict_mode, audits.attempts, audits.created_at
                    FROM jobs JOIN audits ON audits.id = jobs.audit_id
                    WHERE jobs.state = 'queued'
                    ORDER BY jobs.enqueued_at, jobs.audit_id
                    LIMIT ?
                    """),
                arguments: [limit])
            let claim = try db.cachedStatement(sql: """
                UPDATE jobs SET state = 'claimed', runner_id = ?, writer_id = ?, claimed_at = ?, lease_until = ?, handouts = handouts + 1
                WHERE audit_id = ?
                """)
            let countAttempt = try db.cachedStatement(sql: "UPDATE audits SET attempts = attempts + 1 WHERE id = ?")
            return try rows.map { row in
                let reader = SQLiteRowReader(row: row, table: "jobs")
                let id = try reader.auditID(0, "audit_id")
                try claim.execute(arguments: [runner.rawValue, writer, claimedAt, leaseUntil.description, id.rawValue])
                try countAttempt.execute(arguments: [id.rawValue])
                return AuditJob(
                    auditID: id,
                    url: try reader.text(1, "url"),
                    tier: try reader.enumeration(2, "tier", Tier.self),
                    verdictMode: try reader.enumeration(3, "verdict_mode", VerdictMode.self),
                    attempt: try reader.int(4, "attempts") + 1,
                    createdAt: try reader.timestamp(5, "created_at"))
            }
        }
    }

    public func reclaimJobs(for runner: RunnerID, writer: String, audits: [AuditID], leaseUntil: Timestamp) async throws -> [AuditID] {
        guard !audits.isEmpty else { return [] }
        let claimedAt = Timestamp.now.description
        return try await immediateTransaction { db in
            let reclaim = try db.cachedStatement(sql: """
                UPDATE jobs SET state = 'claimed', runner_id = ?, writer_id = ?, claimed_at = ?, lease_until = ?
                WHERE audit_id = ? AND (state = 'queued' OR runner_id = ?)
                """)
            let resume = try db.cachedStatement(sql: """
                UPDATE audits SET status = 'running' WHERE id = ? AND status = 'queued' AND started_at IS NOT NULL
                """)
            var reclaimed: [AuditID] = []
            for audit in audits {
                try reclaim.execute(arguments: [runner.rawValue, writer, claimedAt, leaseUntil.description, audit.rawValue, runner.rawValue])
                guard db.changesCount > 0 else { continue }
                try resume.execute(arguments: [audit.rawValue])
                reclaimed.append(audit)
            }
            return reclaimed
        }
    }

    public func renewLeases(of runner: RunnerID, holding audits: Set<AuditID>, until: Timestamp) async throws {
        guard !audits.isEmpty else { return }
        try await immediateTransaction { db in
            let renew = try db.cachedStatement(sql: "UPDATE jobs SET lease_until = ? WHERE state = 'claimed' AND runner_id = ? AND audit_id = ?")
            for audit in audits {
                try renew.execute(arguments: [until.description, runner.rawValue, audit.rawValue])
            }
        }
    }

    public func requeueJobs(
        of runner: RunnerID, claimedThrough writer: String?, only: Set<AuditID>?, maxAttempts: Int, reason: String, now: Timestamp
    ) async throws -> RequeueOutcome {
        try await immediateTransaction { db in
            let claimed = try Self.claimedJobs(
                db, where: "jobs.runner_id = ? AND (? IS NULL OR jobs.writer_id = ?)", arguments: [runner.rawValue, writer, writer]
            ).filter { only?.contains($0.id) ?? true }
            return try Self.requeue(claimed, db, maxAttempts: maxAttempts, reason: reason, now: now)
        }
    }

    public func requeueExpiredLeases(now: Timestamp, maxAttempts: Int, reason: String) async throws -> RequeueOutcome {
        try await immediateTransaction { db in
            let expired = try Self.claimedJobs(db, where: "jobs.lease_until < ?", arguments: [now.description])
            return try Self.requeue(expired, db, maxAttempts: maxAttempts, reason: reason, now: now)
        }
    }

    public func queueDepth() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM jobs WHERE state = 'queued'")) ?? 0
        }
    }

    public func verifyWritable() async throws {
        let now = Timestamp.now.description
        try await immediateTransaction { db in
            try db.execute(
                sql: "INSERT INTO write_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
                arguments: [now])
        }
    }

    // MARK: Requeueing

    /// A claimed job and what its audit says about it.
    private struct ClaimedJob {
        var id: AuditID
        var status: AuditStatus
        var attempts: Int
        var handouts: Int
    }

    /// The claimed jobs matching `condition`, oldest first.
    private static func claimedJobs(_ db: Database, where condition: String, arguments: StatementArguments) throws -> [ClaimedJob] {
        let sql = """
            SELECT jobs.audit_id, audits.status, audits.attempts, jobs.handouts
            FROM jobs JOIN audits ON audits.id = jobs.audit_id
            WHERE jobs.state = 'claimed' AND \(condition)
            ORDER BY jobs.enqueued_at, jobs.audit_id
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let reader = SQLiteRowReader(row: row, table: "jobs")
            return ClaimedJob(
                id: try reader.auditID(0, "audit_id"),
                status: try reader.enumeration(1, "status", AuditStatus.self),
                attempts: try reader.int(2, "attempts"),
                handouts: try reader.int(3, "handouts"))
        }
    }

    /// Puts `jobs` back on the queue with their audits `queued` again (the writer's requeue is the
    /// one backward move of a status), or ends their audit in `error` with `reason` and deletes the
    /// job: after `maxAttempts` started attempts, or `3 × maxAttempts` hand-outs in all.
    ///
    /// A hand-out whose audit never started (still `queued`: the job message was lost, its runner
    /// went away first) gives its attempt back.
    private static func requeue(_ jobs: [ClaimedJob], _ db: Database, maxAttempts: Int, reason: String, now: Timestamp) throws -> RequeueOutcome {
        let deleteJob = try db.cachedStatement(sql: "DELETE FROM jobs WHERE audit_id = ?")
        let fail = try db.cachedStatement(sql: """
            UPDATE audits SET status = 'error', error_message = ?, completed_at = ? WHERE id = ?
            """)
        let release = try db.cachedStatement(sql: """
            UPDATE jobs SET state = 'queued', runner_id = NULL, writer_id = NULL, claimed_at = NULL, lease_until = NULL
            WHERE audit_id = ?
            """)
        let markQueued = try db.cachedStatement(sql: "UPDATE audits SET status = 'queued' WHERE id = ?")
        let refund = try db.cachedStatement(sql: "UPDATE audits SET attempts = attempts - 1 WHERE id = ? AND attempts > 0")
        var outcome = RequeueOutcome()
        for job in jobs {
            let id = job.id.rawValue
            if job.status.isTerminal {
                try deleteJob.execute(arguments: [id])  // unreachable: ending an audit deletes its job
                continue
            }
            switch RequeueDecision(status: job.status, attempts: job.attempts, handouts: job.handouts, maxAttempts: maxAttempts, reason: reason) {
            case .fail(let message):
                try fail.execute(arguments: [message, now.description, id])
                try deleteJob.execute(arguments: [id])
                outcome.failed.append(job.id)
            case .requeue(let refundAttempt):
                if refundAttempt { try refund.execute(arguments: [id]) }
                try release.execute(arguments: [id])
                try markQueued.execute(arguments: [id])
                outcome.requeued.append(job.id)
            }
        }
        return outcome
    }
}
