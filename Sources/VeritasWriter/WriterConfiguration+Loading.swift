import Foundation
import VeritasProtocol
import Yams

extension WriterConfiguration {
    /// Every setting, once: YAML path, environment variable, meaning.
    public static let keys: [ConfigurationKey<WriterConfiguration>] = [
        .string("writer.id", env: "VERITAS_WRITER_ID", "name of this writer in job claims and logs (default: host-pid)", \.writerID),
        .string("endpoints.queries", env: "VERITAS_QUERIES_ENDPOINT", "queries ROUTER bind address", \.queriesEndpoint),
        .string("endpoints.runners", env: "VERITAS_RUNNERS_ENDPOINT", "runners ROUTER bind address", \.runnersEndpoint),
        .string("endpoints.feed", env: "VERITAS_FEED_ENDPOINT", "feed PUB bind address", \.feedEndpoint),
        .string("data.directory", env: "VERITAS_DATA_DIR", "data folder (database and screenshots)", \.dataDirectory),
        .boolean("persistence.enabled", env: "USE_DB_PERSISTENCE", "false: memory only, the database is never opened", \.persistenceEnabled),
        .string("persistence.synchronous", env: "VERITAS_DB_SYNCHRONOUS", "SQLite synchronous: full (survives power loss) or normal", \.databaseSynchronous, allowed: ["full", "normal"]),
        .integer("persistence.busy_timeout_ms", env: "VERITAS_DB_BUSY_TIMEOUT_MS", "wait for another writer's database lock before failing", \.databaseBusyTimeoutMilliseconds, range: 1...600_000),
        .integer("memory.max_audits", env: "VERITAS_MEMORY_MAX_AUDITS", "audits kept in memory (active ones are never evicted)", \.memoryMaxAudits, range: 1...10_000_000),
        .integer("runners.heartbeat_interval_ms", env: "VERITAS_HEARTBEAT_INTERVAL_MS", "how often runners heartbeat", \.heartbeatIntervalMilliseconds, range: 50...3_600_000),
        .integer("runners.silent_timeout_ms", env: "VERITAS_RUNNER_SILENT_TIMEOUT_MS", "silence after which a runner's jobs are requeued", \.runnerSilentTimeoutMilliseconds, range: 100...3_600_000),
        .integer("jobs.max_attempts", env: "VERITAS_MAX_JOB_ATTEMPTS", "hand-outs before an audit ends in error", \.maxJobAttempts, range: 1...100),
        .integer("ingest.max_batch_events", env: "VERITAS_MAX_BATCH_EVENTS", "events per transaction (group commit)", \.maxBatchEvents, range: 1...10_000),
        .integer("limits.max_screenshot_bytes", env: "VERITAS_MAX_SCREENSHOT_BYTES", "largest screenshot accepted", \.maxScreenshotBytes, range: 1...ProtocolLimits.maxScreenshotBytes),
        .string("log.level", env: "VERITAS_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical", \.logLevel, allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        .string("log.format", env: "VERITAS_LOG_FORMAT", "json or text", \.logFormat, allowed: ["json", "text"]),
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
        var settings = WriterConfiguration()
        let byPath = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })
        if let file {
            for (path, value) in try flattenYAML(file: file) {
                guard let key = byPath[path] else {
                    throw ConfigurationError("\(file): unknown setting '\(path)'; known: \(keys.map(\.path).joined(separator: ", "))")
                }
                try key.assign(&settings, value)
            }
        }
        for key in keys {
            if let value = environment[key.environment] { try key.assign(&settings, value) }
        }
        for (path, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let key = byPath[path] else { throw ConfigurationError("unknown setting '\(path)'") }
            try key.assign(&settings, value)
        }
        return settings
    }

    /// `key = value` lines of the effective configuration, for the start-up log.
    public var summary: [String: String] {
        Dictionary(uniqueKeysWithValues: Self.keys.map { ($0.path, $0.render(self)) })
    }

    /// Reads a YAML file of nested mappings into dotted paths with scalar values.
    static func flattenYAML(file: String) throws(ConfigurationError) -> [(String, String)] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read configuration file \(file): \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(file) is not valid YAML: \(error)")
        }
        guard let root else { return [] }
        var pairs: [(String, String)] = []
        func walk(_ node: Node, _ prefix: String) throws(ConfigurationError) {
            switch node {
            case let .mapping(mapping):
                for (key, value) in mapping {
                    guard let name = key.string else { throw ConfigurationError("\(file): a key under '\(prefix)' is not text") }
                    try walk(value, prefix.isEmpty ? name : "\(prefix).\(name)")
                }
            case let .scalar(scalar):
                // An empty value (`key:`) keeps the default.
                if !scalar.string.isEmpty && scalar.string != "~" && scalar.string != "null" {
                    pairs.append((prefix, scalar.string))
                }
            case .sequence:
                throw ConfigurationError("\(file): '\(prefix)' is a list; settings are single values")
            case .alias:
                throw ConfigurationError("\(file): '\(prefix)' uses a YAML alias, which is not supported")
            }
        }
        try walk(root, "")
        return pairs
    }
}
