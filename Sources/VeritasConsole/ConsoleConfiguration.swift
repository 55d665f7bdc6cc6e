import Foundation
@_exported import VeritasConfiguration
import VeritasProtocol

/// The web console's settings: where it listens and which writers it reads.
public struct ConsoleConfiguration: Sendable, Equatable {
    /// `host:port` the console serves on; loopback by default, so it is only reachable from the
    /// machine it runs on until an operator decides otherwise.
    public var listen = DefaultEndpoints.consoleListen
    /// The writers' queries endpoints, comma-separated: queries go to the first that answers.
    public var writers = DefaultEndpoints.queriesConnect
    /// The writers' feed endpoints, comma-separated: live progress is read from all of them.
    public var feeds = DefaultEndpoints.feedConnect
    /// How long one writer may take to answer a query before the next is asked.
    public var queryTimeoutMilliseconds = 5_000
    public var curveSecretKeyFile = ""
    public var curveWriterKeyFile = ""
    public var logLevel = "info"
    public var logFormat = "json"

    public init() {}

    /// ``writers`` as a list.
    public var writerEndpoints: [String] { Self.list(writers) }
    /// ``feeds`` as a list.
    public var feedEndpoints: [String] { Self.list(feeds) }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// ``listen`` split into host and port.
    public var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// Every setting, once: YAML path, environment variable, meaning.
    public static let keys: [ConfigurationKey<ConsoleConfiguration>] = [
        .string("console.listen", env: "VERITAS_CONSOLE_LISTEN", "host:port the console serves HTTP on (loopback by default)", \.listen),
        .string("console.writers", env: "VERITAS_CONSOLE_WRITERS", "the writers' queries endpoints, comma-separated; the first that answers is used", \.writers),
        .string("console.feeds", env: "VERITAS_CONSOLE_FEEDS", "the writers' feed endpoints, comma-separated; live progress is read from all", \.feeds),
        .integer("console.query_timeout_ms", env: "VERITAS_CONSOLE_QUERY_TIMEOUT_MS", "one writer's time to answer before the next is asked", \.queryTimeoutMilliseconds, range: 100...600_000),
        .string("security.curve_secret_key_file", env: "VERITAS_CURVE_SECRET_KEY_FILE", "the console's secret CURVE certificate (.key_secret), for writers that require CURVE; empty: plaintext", \.curveSecretKeyFile, allowEmpty: true),
        .string("security.writer_key_file", env: "VERITAS_CURVE_WRITER_KEY_FILE", "the writers' public CURVE certificate (.key), pinned", \.curveWriterKeyFile, allowEmpty: true),
        .string("log.level", env: "VERITAS_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical", \.logLevel, allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        .string("log.format", env: "VERITAS_LOG_FORMAT", "json or text", \.logFormat, allowed: ["json", "text"]),
    ]

    /// Builds the configuration from the YAML file (if any), the environment and overrides.
    public static func load(file: String?, environment: [String: String], overrides: [String: String] = [:]) throws(ConfigurationError) -> ConsoleConfiguration {
        let settings = try ConfigurationLoader.load(ConsoleConfiguration(), keys: keys, file: file, environment: environment, overrides: overrides)
        guard settings.listenAddress != nil else {
            throw ConfigurationError("console.listen must be host:port, e.g. 127.0.0.1:8088; got '\(settings.listen)'")
        }
        guard !settings.writerEndpoints.isEmpty else { throw ConfigurationError("console.writers must name at least one endpoint") }
        guard !settings.feedEndpoints.isEmpty else { throw ConfigurationError("console.feeds must name at least one endpoint") }
        return settings
    }
}
