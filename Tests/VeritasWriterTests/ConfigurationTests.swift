import Foundation
import Testing
import VeritasProtocol
import VeritasWriter

/// `WriterConfiguration.load`: defaults, then the YAML file, then the environment, then
/// command-line overrides; every mistake is an error that names the setting.
@Suite("Configuration")
struct ConfigurationTests {
    /// `config/writer.yaml` of this package.
    static let defaultFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/writer.yaml").path

    /// Writes `yaml` to a temporary file, runs `body` with its path, removes it.
    private func withYAML<T>(_ yaml: String, _ body: (String) throws -> T) throws -> T {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try body(file.path)
    }

    /// The error `load` throws (recording an issue if it does not throw).
    private func loadError(file: String? = nil, environment: [String: String] = [:], overrides: [String: String] = [:]) -> String {
        do {
            let settings = try WriterConfiguration.load(file: file, environment: environment, overrides: overrides)
            Issue.record("expected an error, got \(settings)")
            return ""
        } catch {
            return error.description
        }
    }

    static let fullYAML = """
        # every setting, nested
        writer:
          id: writer-from-yaml
        endpoints:
          queries: tcp://127.0.0.1:6555
          runners: tcp://127.0.0.1:6556
          feed: tcp://127.0.0.1:6557
        data:
          directory: /var/lib/veritas
        persistence:
          enabled: true
          synchronous: normal
          busy_timeout_ms: 250
        memory:
          max_audits: 123
        runners:
          heartbeat_interval_ms: 500
          silent_timeout_ms: 2500
        jobs:
          max_attempts: 4
        ingest:
          max_batch_events: 64
        limits:
          max_screenshot_bytes: 1000000
        log:
          level: debug
          format: text
        """

    @Test("defaults without a file or environment")
    func defaults() throws {
        let settings = try WriterConfiguration.load(file: nil, environment: [:])
        #expect(settings.persistenceEnabled)
        #expect(settings.queriesEndpoint == "tcp://*:5555")
        #expect(settings.runnersEndpoint == "tcp://*:5556")
        #expect(settings.feedEndpoint == "tcp://*:5557")
        #expect(settings.dataDirectory == "data")
        #expect(settings.databasePath.hasSuffix("data/veritas.sqlite"))
        #expect(settings.maxJobAttempts == 3)
        #expect(settings.runnerSilentTimeoutMilliseconds == 5_000)
        #expect(settings.heartbeatIntervalMilliseconds == 1_000)
    }

    @Test("a YAML file with nested keys sets every setting")
    func yamlFile() throws {
        let settings = try withYAML(Self.fullYAML) { try WriterConfiguration.load(file: $0, environment: [:]) }
        #expect(settings.writerID == "writer-from-yaml")
        #expect(settings.queriesEndpoint == "tcp://127.0.0.1:6555")
        #expect(settings.runnersEndpoint == "tcp://127.0.0.1:6556")
        #expect(settings.feedEndpoint == "tcp://127.0.0.1:6557")
        #expect(settings.dataDirectory == "/var/lib/veritas")
        #expect(settings.databasePath == "/var/lib/veritas/veritas.sqlite")
        #expect(settings.persistenceEnabled)
        #expect(settings.databaseSynchronous == "normal")
        #expect(settings.databaseBusyTimeoutMilliseconds == 250)
        #expect(settings.memoryMaxAudits == 123)
        #expect(settings.heartbeatIntervalMilliseconds == 500)
        #expect(settings.runnerSilentTimeoutMilliseconds == 2_500)
        #expect(settings.maxJobAttempts == 4)
        #expect(settings.maxBatchEvents == 64)
        #expect(settings.maxScreenshotBytes == 1_000_000)
        #expect(settings.logLevel == "debug")
        #expect(settings.logFormat == "text")
    }

    @Test("environment overrides the file: USE_DB_PERSISTENCE=false, VERITAS_MEMORY_MAX_AUDITS")
    func environmentOverrides() throws {
        let settings = try withYAML(Self.fullYAML) {
            try WriterConfiguration.load(file: $0, environment: [
                "USE_DB_PERSISTENCE": "false", "VERITAS_MEMORY_MAX_AUDITS": "77", "UNRELATED_VARIABLE": "whatever",
            ])
        }
        #expect(settings.persistenceEnabled == false)
        #expect(settings.memoryMaxAudits == 77)
        #expect(settings.maxJobAttempts == 4, "settings the environment does not name keep the file's value")

        for (text, expected) in [("0", false), ("no", false), ("OFF", false), ("FALSE", false), ("true", true), ("1", true), (" yes ", true)] {
            let flagged = try WriterConfiguration.load(file: nil, environment: ["USE_DB_PERSISTENCE": text])
            #expect(flagged.persistenceEnabled == expected, "USE_DB_PERSISTENCE=\(text)")
        }
    }

    @Test("command-line overrides come last")
    func overridesLast() throws {
        let settings = try withYAML(Self.fullYAML) {
            try WriterConfiguration.load(
                file: $0,
                environment: ["VERITAS_MEMORY_MAX_AUDITS": "77", "USE_DB_PERSISTENCE": "false", "VERITAS_DATA_DIR": "/from/env"],
                overrides: ["memory.max_audits": "5", "persistence.enabled": "true", "data.directory": "/from/flag"]
            )
        }
        #expect(settings.memoryMaxAudits == 5)
        #expect(settings.persistenceEnabled)
        #expect(settings.dataDirectory == "/from/flag")
        #expect(settings.maxJobAttempts == 4)
    }

    @Test("an unknown key is an error naming it")
    func unknownKey() throws {
        let message = try withYAML("persistence:\n  enabeld: false\n") { loadError(file: $0) }
        #expect(message.contains("persistence.enabeld"), "\(message)")
        let topLevel = try withYAML("colour: blue\n") { loadError(file: $0) }
        #expect(topLevel.contains("colour"), "\(topLevel)")
        let override = loadError(overrides: ["memory.maximum": "3"])
        #expect(override.contains("memory.maximum"), "\(override)")
    }

    @Test("bad values are errors naming the key", arguments: [
        ("memory:\n  max_audits: many\n", "memory.max_audits"),
        ("memory:\n  max_audits: 0\n", "memory.max_audits"),
        ("persistence:\n  enabled: perhaps\n", "persistence.enabled"),
        ("persistence:\n  synchronous: sometimes\n", "persistence.synchronous"),
        ("persistence:\n  busy_timeout_ms: -5\n", "persistence.busy_timeout_ms"),
        ("jobs:\n  max_attempts: 1.5\n", "jobs.max_attempts"),
        ("runners:\n  heartbeat_interval_ms: 99999999999999999999\n", "runners.heartbeat_interval_ms"),
        ("log:\n  format: xml\n", "log.format"),
        ("log:\n  level: loud\n", "log.level"),
        ("endpoints:\n  queries: [a, b]\n", "endpoints.queries"),
    ])
    func badFileValues(yaml: String, key: String) throws {
        let message = try withYAML(yaml) { loadError(file: $0) }
        #expect(message.contains(key), "\(message)")
    }

    @Test("bad environment values are errors naming the setting")
    func badEnvironmentValues() {
        let memory = loadError(environment: ["VERITAS_MEMORY_MAX_AUDITS": "lots"])
        #expect(memory.contains("memory.max_audits"), "\(memory)")
        let flag = loadError(environment: ["USE_DB_PERSISTENCE": "maybe"])
        #expect(flag.contains("persistence.enabled"), "\(flag)")
        #expect(flag.contains("maybe"), "\(flag)")
        let override = loadError(overrides: ["jobs.max_attempts": "0"])
        #expect(override.contains("jobs.max_attempts"), "\(override)")
    }

    @Test("a missing file or invalid YAML is an error")
    func unreadableFiles() throws {
        let missing = loadError(file: "/nonexistent/writer.yaml")
        #expect(missing.contains("/nonexistent/writer.yaml"), "\(missing)")
        let invalid = try withYAML("persistence: [unclosed\n") { loadError(file: $0) }
        #expect(!invalid.isEmpty)
        let empty = try withYAML("# only a comment\n") { try WriterConfiguration.load(file: $0, environment: [:]) }
        #expect(empty == (try WriterConfiguration.load(file: nil, environment: [:])).withWriterID(empty.writerID))
    }

    @Test("config/writer.yaml, the documented default, loads cleanly",
          .enabled(if: FileManager.default.fileExists(atPath: ConfigurationTests.defaultFile), "config/writer.yaml does not exist yet"))
    func documentedDefaultFile() throws {
        let settings = try WriterConfiguration.load(file: Self.defaultFile, environment: [:])
        #expect(settings.persistenceEnabled, "the documented default keeps persistence on")
        #expect(settings.databasePath.hasSuffix("veritas.sqlite"))
        // Together with the usual environment override.
        let memoryOnly = try WriterConfiguration.load(file: Self.defaultFile, environment: ["USE_DB_PERSISTENCE": "false"])
        #expect(memoryOnly.persistenceEnabled == false)
    }
}

extension WriterConfiguration {
    fileprivate func withWriterID(_ id: String) -> WriterConfiguration {
        var copy = self
        copy.writerID = id
        return copy
    }
}
