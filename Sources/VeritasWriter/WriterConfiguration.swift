import Foundation
import VeritasProtocol

/// Everything a writer can be told, with the defaults it runs with when told nothing.
///
/// Sources, later ones winning: these defaults, the YAML file (`config/writer.yaml`), the
/// environment (`VERITAS_*`, and `USE_DB_PERSISTENCE`), then command-line flags. Every key is
/// listed once, with its environment variable, in ``WriterConfiguration/keys``.
public struct WriterConfiguration: Sendable, Equatable {
    /// Names this writer in job claims and logs; several writers may share a database.
    public var writerID: String = WriterConfiguration.defaultWriterID()
    /// Where queries (REQ clients) are answered.
    public var queriesEndpoint: String = DefaultEndpoints.queriesBind
    /// Where runners connect.
    public var runnersEndpoint: String = DefaultEndpoints.runnersBind
    /// Where the live feed is published.
    public var feedEndpoint: String = DefaultEndpoints.feedBind
    /// The data folder: `veritas.sqlite` and `screenshots/` live here.
    public var dataDirectory: String = ProtocolDefaults.dataDirectory
    /// `USE_DB_PERSISTENCE`: `false` keeps everything in memory and never opens the database.
    public var persistenceEnabled: Bool = true
    /// Where audits are stored with persistence on: `sqlite` (a file in ``dataDirectory``, one
    /// host) or `postgres` (a server at ``postgresURL``, writers on any number of hosts).
    public var databaseBackend: String = "sqlite"
    /// `postgres://USER@HOST:PORT/DATABASE[?sslmode=...]` for the `postgres` backend.
    public var postgresURL: String = ""
    /// The PostgreSQL password (better: ``postgresPasswordFile``); never logged.
    public var postgresPassword: String = ""
    /// A file holding the PostgreSQL password (a Docker or Kubernetes secret); wins over the others.
    public var postgresPasswordFile: String = ""
    /// The live migration's dual write: every event also goes to the other database (SQLite when
    /// ``databaseBackend`` is `postgres`, PostgreSQL when it is `sqlite`), which needs both
    /// ``postgresURL`` and the data folder's SQLite file.
    public var databaseMirror: Bool = false
    /// Connections each writer opens to PostgreSQL at most.
    public var postgresMaxConnections: Int = 10
    /// How long one PostgreSQL operation may take (waiting for a connection included) before it
    /// fails: the writer then says `degraded` and acknowledges nothing, and runners resend.
    public var postgresTimeoutMilliseconds: Int = 10_000
    /// SQLite `synchronous`: `full` survives power loss; `normal` only process crashes.
    public var databaseSynchronous: String = "full"
    /// How long a write waits for another writer process holding the database lock.
    public var databaseBusyTimeoutMilliseconds: Int = 5_000
    /// How long the ids of an ended audit's events are kept (exactly-once for resends); 0 keeps
    /// them for ever. After that a resend is applied again, to an audit no event can change.
    public var processedEventsRetentionMilliseconds: Int = 7 * 24 * 3_600_000
    /// Audits the memory store keeps (running and queued ones are never evicted).
    public var memoryMaxAudits: Int = 10_000
    /// Runners are expected to heartbeat this often.
    public var heartbeatIntervalMilliseconds: Int = ProtocolDefaults.heartbeatIntervalMilliseconds
    /// A runner silent for this long has its jobs requeued.
    public var runnerSilentTimeoutMilliseconds: Int = ProtocolDefaults.runnerSilentTimeoutMilliseconds
    /// Times an audit is handed out before it ends in `error`.
    public var maxJobAttempts: Int = ProtocolDefaults.maxJobAttempts
    /// The most events applied in one transaction (group commit).
    public var maxBatchEvents: Int = 512
    /// The largest screenshot accepted.
    public var maxScreenshotBytes: Int = ProtocolLimits.maxScreenshotBytes
    /// The writer's secret CURVE certificate (`.key_secret`); empty: every endpoint is plaintext.
    public var curveSecretKeyFile: String = ""
    /// Runner public keys admitted on the runners endpoint: a folder of `*.key` certificates, or a
    /// file of Z85 keys (one per line). Required with ``curveSecretKeyFile``.
    public var curveRunnerKeys: String = ""
    /// Client public keys admitted on the queries and feed endpoints (same forms). Required with
    /// ``curveSecretKeyFile``.
    public var curveClientKeys: String = ""
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String = "info"
    /// `json` (one object per line) or `text`.
    public var logFormat: String = "json"
    /// `host:port` of the Prometheus endpoint (`GET /metrics`); empty: no endpoint.
    public var metricsListen: String = ""

    public init() {}

    /// `<host>-<pid>`: unique enough across writers sharing a database on one host.
    public static func defaultWriterID() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(40).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        return "\(String(host))-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// The PostgreSQL password from the password file (its first line), else the setting, else
    /// `nil` (a password in the URL, or none).
    public func postgresPasswordGiven() throws(ConfigurationError) -> String? {
        if !postgresPasswordFile.isEmpty {
            guard let text = try? String(contentsOfFile: postgresPasswordFile, encoding: .utf8) else {
                throw ConfigurationError("cannot read persistence.postgres_password_file \(postgresPasswordFile)")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        return postgresPassword.isEmpty ? nil : postgresPassword
    }

    /// The SQLite database file.
    public var databasePath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(ProtocolDefaults.databaseFileName).path
    }
}
