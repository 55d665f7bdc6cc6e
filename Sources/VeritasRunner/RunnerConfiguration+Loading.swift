import Foundation
@_exported import VeritasConfiguration
import VeritasProtocol

extension RunnerConfiguration {
    /// Every setting, once: YAML path, environment variable, meaning.
    public static let keys: [ConfigurationKey<RunnerConfiguration>] = [
        .string("runner.id", env: "VERITAS_RUNNER_ID", "runner name and ZeroMQ routing id (default: runner-host-pid)", \.runnerID),
        .integer("runner.capacity", env: "VERITAS_RUNNER_CAPACITY", "audits run at once", \.capacity, range: 1...ProtocolLimits.maxRunnerCapacity),
        .string("writer.endpoint", env: "VERITAS_WRITER_RUNNERS_ENDPOINT", "one writer's runners endpoint: writer.endpoints with one entry (older files; writer.endpoints wins when both are set)", \.writers),
        .string("writer.endpoints", env: "VERITAS_WRITER_RUNNERS_ENDPOINTS", "the writers' runners endpoints, comma-separated: one at a time, the next when it stops answering (writers of one database)", \.writers),
        .string("data.directory", env: "VERITAS_RUNNER_DATA_DIR", "runner data folder (holds outbox.sqlite)", \.dataDirectory),
        .integer("outbox.max_bytes", env: "VERITAS_OUTBOX_MAX_BYTES", "unacknowledged bytes above which no new audit starts", \.outboxMaxBytes, range: 1_048_576...(1 << 40)),
        .integer("outbox.resend_window", env: "VERITAS_OUTBOX_RESEND_WINDOW", "events in flight without an ack", \.resendWindow, range: 1...10_000),
        .integer("outbox.ack_timeout_ms", env: "VERITAS_ACK_RESEND_TIMEOUT_MS", "resend an event not acknowledged within this time", \.ackResendTimeoutMilliseconds, range: 50...600_000),
        .integer("link.heartbeat_interval_ms", env: "VERITAS_RUNNER_HEARTBEAT_INTERVAL_MS", "heartbeat interval until the writer's welcome says otherwise", \.heartbeatIntervalMilliseconds, range: 10...3_600_000),
        .integer("link.heartbeat_timeout_ms", env: "VERITAS_RUNNER_HEARTBEAT_TIMEOUT_MS", "writer silence that means reconnect, until welcome says otherwise", \.heartbeatTimeoutMilliseconds, range: 50...3_600_000),
        .integer("link.reconnect_initial_ms", env: "VERITAS_RECONNECT_INITIAL_MS", "first reconnect delay (doubles, with jitter)", \.reconnectInitialMilliseconds, range: 1...60_000),
        .integer("link.reconnect_max_ms", env: "VERITAS_RECONNECT_MAX_MS", "longest reconnect delay", \.reconnectMaxMilliseconds, range: 1...600_000),
        .integer("shutdown.grace_ms", env: "VERITAS_SHUTDOWN_GRACE_MS", "SIGTERM: time for running audits to finish before they are released", \.shutdownGraceMilliseconds, range: 0...3_600_000),
        .integer("shutdown.drain_ms", env: "VERITAS_SHUTDOWN_DRAIN_MS", "SIGTERM: wait for the outbox to be acknowledged", \.shutdownDrainMilliseconds, range: 0...3_600_000),
        .string("chromium.path", env: "VERITAS_CHROMIUM_PATH", "headless Chromium binary (empty: chromium or chromium-browser on PATH)", \.chromiumPath, allowEmpty: true),
        .integer("chromium.timeout_ms", env: "VERITAS_SCREENSHOT_TIMEOUT_MS", "headless Chromium: a navigation or command taking longer is abandoned (the audit then reads the raw HTML)", \.screenshotTimeoutMilliseconds, range: 1_000...600_000),
        .integer("chromium.late_content_ms", env: "VERITAS_LATE_CONTENT_MS", "headless Chromium: wait for the page's timers due this long after navigation (pop-ups opened at 3-8 s) and read the page again; 0: never", \.lateContentMilliseconds, range: 0...30_000),
        .boolean("chromium.sandbox", env: "VERITAS_CHROMIUM_SANDBOX", "Chromium's sandbox around page code (false adds --no-sandbox: only where the kernel allows none; as root Chromium runs as nobody)", \.chromiumSandbox),
        .integer("fetch.max_page_bytes", env: "VERITAS_MAX_PAGE_BYTES", "largest page body fetched", \.maxPageBytes, range: 1_024...(64 * 1024 * 1024)),
        .boolean("fetch.allow_private_networks", env: "VERITAS_FETCH_ALLOW_PRIVATE_NETWORKS", "let audits reach loopback, private and link-local addresses, any port (off: refused; for the demo, tests, intranets; cloud metadata stays refused)", \.allowPrivateNetworks),
        .string("fetch.allowed_schemes", env: "VERITAS_FETCH_ALLOWED_SCHEMES", "URL schemes audits may use, comma-separated (http, https)", \.allowedSchemes),
        .string("fetch.allowed_ports", env: "VERITAS_FETCH_ALLOWED_PORTS", "ports audits may connect to, comma-separated", \.allowedPorts),
        .integer("fetch.max_connections_per_audit", env: "VERITAS_FETCH_MAX_CONNECTIONS_PER_AUDIT", "connections one audit may open (fetch, redirects, all the browser loads)", \.maxConnectionsPerAudit, range: 1...100_000),
        .integer("fetch.max_bytes_per_audit", env: "VERITAS_FETCH_MAX_BYTES_PER_AUDIT", "bytes one audit may receive over all its connections", \.maxBytesPerAudit, range: 65_536...(4 << 30)),
        .string("fetch.allowed_networks", env: "VERITAS_FETCH_ALLOWED_NETWORKS", "CIDR blocks audits may reach although private, comma-separated", \.allowedNetworks, allowEmpty: true),
        .string("security.curve_secret_key_file", env: "VERITAS_CURVE_SECRET_KEY_FILE", "this runner's secret CURVE certificate (.key_secret); empty: plaintext", \.curveSecretKeyFile, allowEmpty: true),
        .string("security.writer_key_file", env: "VERITAS_CURVE_WRITER_KEY_FILE", "the writer's public CURVE certificate (.key), pinned", \.curveWriterKeyFile, allowEmpty: true),
        .string("log.level", env: "VERITAS_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical", \.logLevel, allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        .string("log.format", env: "VERITAS_LOG_FORMAT", "json or text", \.logFormat, allowed: ["json", "text"]),
        .string("metrics.listen", env: "VERITAS_METRICS_LISTEN", "host:port of the Prometheus endpoint GET /metrics (empty: off; e.g. 127.0.0.1:9465)", \.metricsListen, allowEmpty: true),
    ]

    /// Builds the configuration from the YAML file (if any), the environment and overrides.
    ///
    /// - Parameters:
    ///   - file: a YAML file; `nil` uses none. A missing file that was named is an error.
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - overrides: dotted keys set by command-line flags, applied last.
    public static func load(
        file: String?, environment: [String: String], overrides: [String: String] = [:]
    ) throws(ConfigurationError) -> RunnerConfiguration {
        let settings = try ConfigurationLoader.load(
            RunnerConfiguration(), keys: keys, file: file, environment: environment, overrides: overrides)
        guard !settings.writerEndpoints.isEmpty else {
            throw ConfigurationError("writer.endpoints must name at least one writer's runners endpoint")
        }
        do {
            _ = try RunnerID(settings.runnerID)
        } catch {
            throw ConfigurationError("runner.id: \(error.message)")
        }
        for port in settings.allowedPorts.split(separator: ",", omittingEmptySubsequences: false) {
            guard let number = Int(port.trimmingCharacters(in: .whitespaces)), (1...65_535).contains(number) else {
                throw ConfigurationError("fetch.allowed_ports: '\(port)' is not a port (1-65535); use a comma-separated list such as 80,443")
            }
        }
        for scheme in settings.allowedSchemes.split(separator: ",", omittingEmptySubsequences: false) {
            guard ["http", "https"].contains(scheme.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw ConfigurationError("fetch.allowed_schemes: '\(scheme)' is not http or https; audits fetch web pages only")
            }
        }
        for block in settings.allowedNetworks.split(separator: ",") where IPNetwork(String(block)) == nil {
            throw ConfigurationError("fetch.allowed_networks: '\(block)' is not a CIDR block such as 10.20.0.0/16 or fd00::/8")
        }
        if settings.curveSecretKeyFile.isEmpty != settings.curveWriterKeyFile.isEmpty {
            throw ConfigurationError(
                "CURVE needs both security.curve_secret_key_file and security.writer_key_file "
                    + "(VERITAS_CURVE_SECRET_KEY_FILE, VERITAS_CURVE_WRITER_KEY_FILE), or neither")
        }
        return settings
    }

    /// `key = value` of the effective configuration, for the start-up log.
    public var summary: [String: String] {
        ConfigurationLoader.summary(of: self, keys: Self.keys)
    }
}
