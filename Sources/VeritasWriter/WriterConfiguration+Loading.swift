import Foundation
@_exported import VeritasConfiguration
import VeritasProtocol

extension WriterConfiguration {
    /// Every setting, once: YAML path, environment variable, meaning.
    public static let keys: [ConfigurationKey<WriterConfiguration>] = [
        .string("writer.id", env: "VERITAS_WRITER_ID", "name of this writer in job claims and logs (default: host-pid)", \.writerID),
        .string("endpoints.queries", env: "VERITAS_QUERIES_ENDPOINT", "queries ROUTER bind address", \.queriesEndpoint),
        .string("endpoints.runners", env: "VERITAS_RUNNERS_ENDPOINT", "runners ROUTER bind address", \.runnersEndpoint),
        .string("endpoints.feed", env: "VERITAS_FEED_ENDPOINT", "feed PUB bind address", \.feedEndpoint),
        .string("data.directory", env: "VERITAS_DATA_DIR", "data folder (database and screenshots)", \.dataDirectory),
        .boolean("persistence.enabled", env: "USE_DB_PERSISTENCE", "false: memory only, the database is never opened", \.persistenceEnabled),
        .string("persistence.backend", env: "VERITAS_DB_BACKEND", "where audits are stored: sqlite (a file, one host) or postgres (a server, writers on several hosts)", \.databaseBackend, allowed: ["sqlite", "postgres"]),
        .boolean("persistence.mirror", env: "VERITAS_DB_MIRROR", "live migration: also write every event to the other database (postgres when the backend is sqlite, and back); see DEPLOYMENT.md", \.databaseMirror),
        .string("persistence.postgres_url", env: "VERITAS_DATABASE_URL", "postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require] for the postgres backend", \.postgresURL, allowEmpty: true, shown: SettingDisplay.withoutPassword),
        .string("persistence.postgres_password", env: "VERITAS_DATABASE_PASSWORD", "PostgreSQL password (never logged; prefer the password file)", \.postgresPassword, allowEmpty: true, shown: SettingDisplay.hidden),
        .string("persistence.postgres_password_file", env: "VERITAS_DATABASE_PASSWORD_FILE", "file holding the PostgreSQL password (a secret mount); wins over the others", \.postgresPasswordFile, allowEmpty: true),
        .integer("persistence.postgres_max_connections", env: "VERITAS_DATABASE_MAX_CONNECTIONS", "connections each writer opens to PostgreSQL at most", \.postgresMaxConnections, range: 2...500),
        .integer("persistence.postgres_timeout_ms", env: "VERITAS_DATABASE_TIMEOUT_MS", "how long one PostgreSQL operation may take before it fails (the writer says degraded, runners resend)", \.postgresTimeoutMilliseconds, range: 100...600_000),
        .string("persistence.synchronous", env: "VERITAS_DB_SYNCHRONOUS", "SQLite synchronous: full (survives power loss) or normal", \.databaseSynchronous, allowed: ["full", "normal"]),
        .integer("persistence.busy_timeout_ms", env: "VERITAS_DB_BUSY_TIMEOUT_MS", "wait for another writer's database lock before failing", \.databaseBusyTimeoutMilliseconds, range: 1...600_000),
        .integer("persistence.processed_events_retention_ms", env: "VERITAS_PROCESSED_EVENTS_RETENTION_MS", "how long an ended audit's event ids are kept to answer resends as duplicates (0: for ever)", \.processedEventsRetentionMilliseconds, range: 0...315_360_000_000),
        .integer("memory.max_audits", env: "VERITAS_MEMORY_MAX_AUDITS", "audits kept in memory (active ones are never evicted)", \.memoryMaxAudits, range: 1...10_000_000),
        .integer("runners.heartbeat_interval_ms", env: "VERITAS_HEARTBEAT_INTERVAL_MS", "how often runners heartbeat", \.heartbeatIntervalMilliseconds, range: 50...3_600_000),
        .integer("runners.silent_timeout_ms", env: "VERITAS_RUNNER_SILENT_TIMEOUT_MS", "silence after which a runner's jobs are requeued", \.runnerSilentTimeoutMilliseconds, range: 100...3_600_000),
        .integer("jobs.max_attempts", env: "VERITAS_MAX_JOB_ATTEMPTS", "started attempts before an audit ends in error (3x this hand-outs in all)", \.maxJobAttempts, range: 1...100),
        .integer("ingest.max_batch_events", env: "VERITAS_MAX_BATCH_EVENTS", "runner messages read at a time; a commit takes what arrived while the previous one ran, up to 4x this", \.maxBatchEvents, range: 1...10_000),
        .integer("limits.max_screenshot_bytes", env: "VERITAS_MAX_SCREENSHOT_BYTES", "largest screenshot accepted", \.maxScreenshotBytes, range: 1...ProtocolLimits.maxScreenshotBytes),
        .string("security.curve_secret_key_file", env: "VERITAS_CURVE_SECRET_KEY_FILE", "the writer's secret CURVE certificate (.key_secret); empty: plaintext", \.curveSecretKeyFile, allowEmpty: true),
        .string("security.runner_keys", env: "VERITAS_CURVE_RUNNER_KEYS", "runner public keys admitted (folder of *.key files, or a file of keys)", \.curveRunnerKeys, allowEmpty: true),
        .string("security.client_keys", env: "VERITAS_CURVE_CLIENT_KEYS", "client public keys admitted on queries and feed (same forms)", \.curveClientKeys, allowEmpty: true),
        .string("log.level", env: "VERITAS_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical", \.logLevel, allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        .string("log.format", env: "VERITAS_LOG_FORMAT", "json or text", \.logFormat, allowed: ["json", "text"]),
        .string("metrics.listen", env: "VERITAS_METRICS_LISTEN", "host:port of the Prometheus endpoint GET /metrics (empty: off; e.g. 127.0.0.1:9464)", \.metricsListen, allowEmpty: true),
    ]

    /// Builds the configuration from the YAML file (if any), the environment and overrides.
    ///
    /// - Parameters:
    ///   - file: a YAML file; `nil` uses none. A missing file that was named is an error.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - overrides: dotted keys set by command-line flags, applied last.
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> WriterConfiguration {
        let settings = try ConfigurationLoader.load(
            WriterConfiguration(), keys: keys, file: file, environment: environment, overrides: overrides)
        let curve = [settings.curveSecretKeyFile, settings.curveRunnerKeys, settings.curveClientKeys]
        if curve.contains(where: { !$0.isEmpty }), curve.contains(where: \.isEmpty) {
            throw ConfigurationError(
                "CURVE needs all three of security.curve_secret_key_file, security.runner_keys and security.client_keys "
                    + "(VERITAS_CURVE_SECRET_KEY_FILE, VERITAS_CURVE_RUNNER_KEYS, VERITAS_CURVE_CLIENT_KEYS), or none")
        }
        if settings.persistenceEnabled, settings.databaseBackend == "postgres" || settings.databaseMirror, settings.postgresURL.isEmpty {
            throw ConfigurationError("persistence.backend postgres and persistence.mirror need persistence.postgres_url (VERITAS_DATABASE_URL)")
        }
        return settings
    }

    /// `key = value` lines of the effective configuration, for the start-up log.
    public var summary: [String: String] {
        ConfigurationLoader.summary(of: self, keys: Self.keys)
    }
}
