import Foundation
import VeritasProtocol

/// Everything a runner can be told, with the defaults it runs with when told nothing.
///
/// Sources, later ones winning: these defaults, the YAML file (`config/runner.yaml`), the
/// environment (`VERITAS_*`), then command-line flags. Every key is listed once, with its
/// environment variable, in ``RunnerConfiguration/keys``.
public struct RunnerConfiguration: Sendable, Equatable {
    /// The runner's name and ZeroMQ routing id; unique per running process.
    public var runnerID: String = RunnerConfiguration.defaultRunnerID()
    /// The writers' runners endpoints, comma-separated, in order of preference: the runner works
    /// with one at a time and moves to the next when it stops answering (writers of one database).
    public var writers: String = DefaultEndpoints.runnersConnect
    /// ``writers`` as a list.
    public var writerEndpoints: [String] {
        writers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    /// The runner's own data folder: the outbox lives here.
    public var dataDirectory: String = "runner-data"
    /// Audits run at once (announced to the writer as `capacity`).
    public var capacity: Int = 4
    /// Above this many bytes of unacknowledged events, no new audit starts until the outbox drains.
    public var outboxMaxBytes: Int = 256 * 1024 * 1024
    /// Most events sent and not yet acknowledged at any time (also the resend batch after a reconnect).
    public var resendWindow: Int = 256
    /// An event not acknowledged within this time is sent again.
    public var ackResendTimeoutMilliseconds: Int = ProtocolDefaults.ackResendTimeoutMilliseconds
    /// Heartbeat interval until a `welcome` announces the writer's.
    public var heartbeatIntervalMilliseconds: Int = ProtocolDefaults.heartbeatIntervalMilliseconds
    /// Writer silence that means the link is down, until a `welcome` announces the writer's.
    public var heartbeatTimeoutMilliseconds: Int = ProtocolDefaults.runnerSilentTimeoutMilliseconds
    /// First delay before reconnecting; it doubles (with jitter) up to ``reconnectMaxMilliseconds``.
    public var reconnectInitialMilliseconds: Int = 100
    /// Longest delay between reconnect attempts.
    public var reconnectMaxMilliseconds: Int = 5_000
    /// On SIGTERM, how long running audits may take to finish before they are cancelled and released.
    public var shutdownGraceMilliseconds: Int = 10_000
    /// On SIGTERM, how long to wait for the outbox to be acknowledged before saying `bye`.
    public var shutdownDrainMilliseconds: Int = 5_000
    /// Headless Chromium for screenshots; empty: look for `chromium` or `chromium-browser` on PATH.
    public var chromiumPath: String = ""
    /// A headless-Chromium navigation or command taking longer is abandoned (`chromium.timeout_ms`);
    /// the audit then reads the raw HTML, without screenshots.
    public var screenshotTimeoutMilliseconds: Int = 30_000
    /// Chromium's sandbox around the page processes (`chromium.sandbox`); off only where the
    /// kernel or container allows none (a warning at start-up).
    public var chromiumSandbox: Bool = true
    /// How long after a page's navigation a pending `setTimeout` may be due for the renderer to
    /// wait for it and read the page once more (`chromium.late_content_ms`): pop-ups and toasts
    /// that open 3 to 8 s after load. 0: never wait.
    public var lateContentMilliseconds: Int = 8_000
    /// The largest page body fetched.
    public var maxPageBytes: Int = 5 * 1024 * 1024
    /// Let audits reach loopback, private, link-local and unique-local addresses (the demo, tests,
    /// intranet audits). Off: the SSRF guard refuses them (``DestinationPolicy``).
    public var allowPrivateNetworks: Bool = false
    /// URL schemes audits may use, comma-separated: `http`, `https` (e.g. `https` alone).
    public var allowedSchemes: String = "http,https"
    /// Ports audits may connect to, comma-separated.
    public var allowedPorts: String = DestinationPolicy.defaultPorts.sorted().map(String.init).joined(separator: ",")
    /// CIDR blocks allowed even though their class is refused, comma-separated (e.g. `10.20.0.0/16`).
    public var allowedNetworks: String = ""
    /// Connections one audit may open (fetch, redirects, everything the browser loads).
    public var maxConnectionsPerAudit: Int = 300
    /// Bytes one audit may receive over all its connections.
    public var maxBytesPerAudit: Int = 64 * 1024 * 1024
    /// This runner's secret CURVE certificate (`.key_secret`); empty: plaintext. The writer's
    /// runner allowlist must hold its public key.
    public var curveSecretKeyFile: String = ""
    /// The writer's public CURVE certificate (`.key`), pinned: a writer with another key is refused.
    public var curveWriterKeyFile: String = ""
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String = "info"
    /// `json` (one object per line) or `text`.
    public var logFormat: String = "json"
    /// `host:port` of the Prometheus endpoint (`GET /metrics`); empty: no endpoint.
    public var metricsListen: String = ""

    public init() {}

    /// The SSRF guard's rules from ``allowPrivateNetworks``, ``allowedPorts`` and
    /// ``allowedNetworks`` (an unreadable entry is skipped here; ``load(file:environment:overrides:)``
    /// refuses it).
    public var destinationPolicy: DestinationPolicy {
        DestinationPolicy(
            allowPrivateNetworks: allowPrivateNetworks,
            allowedPorts: Set(allowedPorts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }),
            allowedSchemes: Set(allowedSchemes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }),
            allowedNetworks: allowedNetworks.split(separator: ",").compactMap { IPNetwork(String($0)) },
            maxConnectionsPerAudit: maxConnectionsPerAudit, maxBytesPerAudit: maxBytesPerAudit)
    }

    /// `runner-<host>-<pid>`, reduced to the runner-id alphabet.
    public static func defaultRunnerID() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(40).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "-" }
        return "runner-\(String(host))-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// The outbox database file.
    public var outboxPath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(Outbox.fileName).path
    }
}
