import PostgresNIO
import VeritasProtocol

/// The schema, created and upgraded when a store opens.
///
/// The same tables and columns as SQLite's (names, meanings and encodings: the shared row
/// mappings read both), in PostgreSQL's types: `BIGINT`, `DOUBLE PRECISION`, `BYTEA`, and text
/// with the `"C"` collation for ids and timestamps. PostgreSQL's own version 1 is SQLite's
/// version 5, plus `screenshot_images`, where every writer host finds every image.
extension PostgresAuditStore {
    /// A migration: applied once, in order, recorded in `veritas_schema_migrations`.
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// Every migration, in order. Never edit a released migration: add a new one.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "audits, findings, screenshots and their images, processed events, jobs, write probe", statements: [
            """
            CREATE TABLE audits (
                id               TEXT COLLATE "C" PRIMARY KEY,
                url              TEXT NOT NULL,
                tier             TEXT NOT NULL,
                verdict_mode     TEXT NOT NULL,
                status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'error')),
                trust_score      BIGINT,
                risk_level       TEXT,
                narrative        TEXT,
                signal_scores    TEXT,
                site_type        TEXT,
                security_results TEXT,
                error_message    TEXT,
                runner_id        TEXT,
                attempts         BIGINT NOT NULL DEFAULT 0,
                created_at       TEXT COLLATE "C" NOT NULL,
                started_at       TEXT COLLATE "C",
                completed_at     TEXT COLLATE "C",
                progress_phase   TEXT,
                progress_percent DOUBLE PRECISION,
                progress_at      TEXT COLLATE "C"
            )
            """,
            // Listings are newest first by (created_at, id), optionally for one status.
            "CREATE INDEX audits_status_created_at ON audits (status, created_at, id)",
            "CREATE INDEX audits_created_at ON audits (created_at, id)",
            """
            CREATE TABLE audit_findings (
                id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                audit_id             TEXT COLLATE "C" NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
                ordinal              BIGINT NOT NULL,
                category             TEXT NOT NULL,
                pattern_type         TEXT NOT NULL,
                severity             TEXT NOT NULL,
                confidence           DOUBLE PRECISION NOT NULL,
                evidence             TEXT NOT NULL,
                location             TEXT,
                box_screenshot_index BIGINT,
                box_x                DOUBLE PRECISION,
                box_y                DOUBLE PRECISION,
                box_width            DOUBLE PRECISION,
                box_height           DOUBLE PRECISION,
                UNIQUE (audit_id, ordinal)
            )
            """,
            """
            CREATE TABLE audit_screenshots (
                id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                audit_id        TEXT COLLATE "C" NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
                index_num       BIGINT NOT NULL,
                label           TEXT NOT NULL,
                content_type    TEXT NOT NULL,
                file_path       TEXT NOT NULL,
                file_size_bytes BIGINT NOT NULL,
                sha256          TEXT COLLATE "C" NOT NULL,
                created_at      TEXT COLLATE "C" NOT NULL,
                UNIQUE (audit_id, index_num)
            )
            """,
            // Removing a replaced image asks whether any row still refers to it.
            "CREATE INDEX audit_screenshots_sha256 ON audit_screenshots (sha256)",
            // The images, content-addressed: one row per distinct image, whoever stored it.
            """
            CREATE TABLE screenshot_images (
                sha256       TEXT COLLATE "C" PRIMARY KEY,
                content_type TEXT NOT NULL,
                size_bytes   BIGINT NOT NULL,
                bytes        BYTEA NOT NULL,
                stored_at    TEXT COLLATE "C" NOT NULL
            )
            """,
            // Idempotency: one row per applied event id, whatever its audit (no foreign key).
            """
            CREATE TABLE processed_events (
                event_id   TEXT COLLATE "C" PRIMARY KEY,
                audit_id   TEXT COLLATE "C" NOT NULL,
                event      TEXT NOT NULL,
                seq        BIGINT NOT NULL,
                applied_at TEXT COLLATE "C" NOT NULL
            )
            """,
            // The job queue: one row per audit waiting for, or handed to, a runner.
            """
            CREATE TABLE jobs (
                audit_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
                state       TEXT NOT NULL CHECK (state IN ('queued', 'claimed')),
                runner_id   TEXT,
                writer_id   TEXT,
                enqueued_at TEXT COLLATE "C" NOT NULL,
                claimed_at  TEXT COLLATE "C",
                lease_until TEXT COLLATE "C",
                handouts    BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX jobs_state_enqueued_at ON jobs (state, enqueued_at, audit_id)",
            "CREATE INDEX jobs_state_lease_until ON jobs (state, lease_until)",
            // One row, rewritten by verifyWritable(): a real write through the server's WAL.
            """
            CREATE TABLE write_probe (
                id        INTEGER PRIMARY KEY CHECK (id = 1),
                probed_at TEXT NOT NULL
            )
            """,
        ]),
    ]

    /// The newest schema version this build knows.
    public static var schemaVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the migrations not yet applied, in one transaction under an advisory lock: writers
    /// starting together take turns, and the second finds the work done. A database whose schema
    /// is newer than this build's is refused (an older writer must not write a newer schema).
    func migrate() async throws {
        // A migration may rewrite big tables, and may wait for another writer's: not an operation
        // to cut short like a query.
        try await transaction(within: max(.seconds(120), settings.operationTimeout)) { connection in
            try await self.run(connection, "SET LOCAL statement_timeout = 0")
            // One lock per schema the tables go in: writers of one deployment take turns, separate
            // schemas of one database migrate side by side.
            try await self.run(connection, query("SELECT pg_advisory_xact_lock(hashtext('veritas-migrations:' || $1))", .text(self.settings.schema ?? "")))
            if let schema = self.settings.schema {
                // Checked to be [a-z0-9_] by PostgresSettings: safe to write into the statement.
                try await self.run(connection, PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"))
            }
            try await self.run(connection, """
                CREATE TABLE IF NOT EXISTS veritas_schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """)
            var applied = Set<Int>()
            for row in try await self.rows(connection, "SELECT version FROM veritas_schema_migrations") {
                applied.insert(try row.decode(Int.self))
            }
            if let newest = applied.max(), newest > Self.schemaVersion {
                throw PostgresStoreError(sqlState: nil, message:
                    "the database's schema is version \(newest), newer than this writer's \(Self.schemaVersion): upgrade the writer")
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await self.run(connection, PostgresQuery(unsafeSQL: statement))
                }
                try await self.run(connection, query(
                    "INSERT INTO veritas_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    .integer(migration.version), .text(migration.name), .text(Timestamp.now.description)))
            }
        }
    }
}
