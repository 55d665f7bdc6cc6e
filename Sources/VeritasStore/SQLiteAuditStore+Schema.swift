import GRDB

/// The database schema, created and upgraded by GRDB's `DatabaseMigrator` when a store opens.
///
/// Timestamps are the protocol's RFC 3339 text (`2026-11-26T15:08:43.123Z`: fixed width, UTC), so
/// they sort and compare as text. JSON columns hold compact JSON with sorted keys. Ids are the
/// canonical lowercase UUID text; new ones are UUIDv7, which keeps inserts append-only.
extension SQLiteAuditStore {
    /// Every migration, in order. Never edit a registered migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: audits, findings, screenshots, processed events, jobs") { db in
            try db.execute(sql: """
                CREATE TABLE audits (
                    id               TEXT PRIMARY KEY NOT NULL,
                    url              TEXT NOT NULL,
                    tier             TEXT NOT NULL,
                    verdict_mode     TEXT NOT NULL,
                    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'error')),
                    trust_score      INTEGER,
                    risk_level       TEXT,
                    narrative        TEXT,
                    signal_scores    TEXT,
                    site_type        TEXT,
                    security_results TEXT,
                    error_message    TEXT,
                    runner_id        TEXT,
                    attempts         INTEGER NOT NULL DEFAULT 0,
                    created_at       TEXT NOT NULL,
                    started_at       TEXT,
                    completed_at     TEXT
                );
                -- Listings are newest first by (created_at, id), optionally for one status;
                -- the id makes the order total, so paging never skips or repeats a row.
                CREATE INDEX audits_status_created_at ON audits (status, created_at, id);
                CREATE INDEX audits_created_at ON audits (created_at, id);

                CREATE TABLE audit_findings (
                    id           INTEGER PRIMARY KEY,
                    audit_id     TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
                    ordinal      INTEGER NOT NULL,
                    category     TEXT NOT NULL,
                    pattern_type TEXT NOT NULL,
                    severity     TEXT NOT NULL,
                    confidence   REAL NOT NULL,
                    evidence     TEXT NOT NULL,
                    location     TEXT,
                    UNIQUE (audit_id, ordinal)
                );

                CREATE TABLE audit_screenshots (
                    id              INTEGER PRIMARY KEY,
                    audit_id        TEXT NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
                    index_num       INTEGER NOT NULL,
                    label           TEXT NOT NULL,
                    content_type    TEXT NOT NULL,
                    file_path       TEXT NOT NULL,
                    file_size_bytes INTEGER NOT NULL,
                    sha256          TEXT NOT NULL,
                    created_at      TEXT NOT NULL,
                    UNIQUE (audit_id, index_num)
                );

                -- Idempotency: one row per applied event id. WITHOUT ROWID keeps it a single
                -- B-tree keyed by the (time-ordered) event id: one insert per event, not two.
                -- No foreign key: the row records that the id was seen, whatever its audit.
                CREATE TABLE processed_events (
                    event_id   TEXT PRIMARY KEY NOT NULL,
                    audit_id   TEXT NOT NULL,
                    event      TEXT NOT NULL,
                    seq        INTEGER NOT NULL,
                    applied_at TEXT NOT NULL
                ) WITHOUT ROWID;

                -- The job queue: one row per audit waiting for, or handed to, a runner.
                CREATE TABLE jobs (
                    audit_id    TEXT PRIMARY KEY NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
                    state       TEXT NOT NULL CHECK (state IN ('queued', 'claimed')),
                    runner_id   TEXT,
                    writer_id   TEXT,
                    enqueued_at TEXT NOT NULL,
                    claimed_at  TEXT,
                    lease_until TEXT
                ) WITHOUT ROWID;
                CREATE INDEX jobs_state_enqueued_at ON jobs (state, enqueued_at, audit_id);
                CREATE INDEX jobs_state_lease_until ON jobs (state, lease_until);
                """)
        }
        migrator.registerMigration("v2: write probe") { db in
            // One row, rewritten by verifyWritable(): a real page write through the WAL.
            try db.execute(sql: """
                CREATE TABLE write_probe (
                    id        INTEGER PRIMARY KEY CHECK (id = 1),
                    probed_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: job hand-outs") { db in
            // Every hand-out, started or not: attempts count only started ones (a job message lost
            // in a writer restart does not use one up), so this bounds the rest.
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN handouts INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v4: finding boxes") { db in
            // Where a finding is on one of its audit's screenshots; NULL for findings without one
            // (all findings stored before this version).
            try db.execute(sql: """
                ALTER TABLE audit_findings ADD COLUMN box_screenshot_index INTEGER;
                ALTER TABLE audit_findings ADD COLUMN box_x REAL;
                ALTER TABLE audit_findings ADD COLUMN box_y REAL;
                ALTER TABLE audit_findings ADD COLUMN box_width REAL;
                ALTER TABLE audit_findings ADD COLUMN box_height REAL;
                """)
        }
        migrator.registerMigration("v5: audit progress") { db in
            // The runner's latest progress event, so a client that starts following an audit
            // sees how far it has got; NULL before the first one.
            try db.execute(sql: """
                ALTER TABLE audits ADD COLUMN progress_phase TEXT;
                ALTER TABLE audits ADD COLUMN progress_percent REAL;
                ALTER TABLE audits ADD COLUMN progress_at TEXT;
                """)
        }
        return migrator
    }

    /// Runs the migrations not yet applied.
    ///
    /// Several writer processes may start at the same moment on one file. GRDB's migrator reads
    /// which migrations are applied before it opens each migration's transaction, so a writer can
    /// lose the race and fail on a migration another writer has just committed. Such a failure is
    /// retried: the retry sees the migration as applied and skips it.
    static func migrate(_ pool: DatabasePool) throws {
        let migrator = migrator
        var attemptsLeft = 5
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                attemptsLeft -= 1
                if try pool.read(migrator.hasCompletedMigrations) { return }
                if attemptsLeft == 0 { throw error }
            }
        }
    }
}
