import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import VeritasConfiguration

/// What `veritas-writer` and `veritas-runner` do the same way around their service: read `--set`
/// overrides, list the settings, set up logging and the metrics endpoint, and run the service
/// until SIGTERM or SIGINT.
public enum ServiceLauncher {
    /// `--set key=value` flags as dotted-key overrides.
    /// - Throws: a message naming the flag that has no `=`.
    public static func overrides(fromSetFlags flags: [String]) throws(ServiceLaunchError) -> [String: String] {
        var overrides: [String: String] = [:]
        for setting in flags {
            guard let equals = setting.firstIndex(of: "=") else { throw ServiceLaunchError("--set takes key=value; got '\(setting)'") }
            overrides[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        return overrides
    }

    /// `--list-settings`: one line per setting, tab-separated: key, environment variable,
    /// default, what it does (the table in the README, from the code itself).
    public static func settingsListing<Settings>(keys: [ConfigurationKey<Settings>], defaults: Settings) -> String {
        let values = ConfigurationLoader.summary(of: defaults, keys: keys)
        return keys.map { key in
            "\(key.path)\t\(key.environment)\t\(values[key.path] ?? "")\t\(key.summary)"
        }.joined(separator: "\n")
    }

    /// Sets up logging (JSON lines or text, at `logLevel`), serves metrics on `metricsListen`
    /// (none when empty), makes the service with the metrics factory and runs it until SIGTERM or
    /// SIGINT.
    public static func run(
        label: String, logFormat: String, logLevel: String, metricsListen: String,
        makeService: (Logger, any MetricsFactory) throws -> any Service,
        beforeStart: (Logger) -> Void = { _ in }
    ) async throws {
        LoggingSystem.bootstrapVeritas(format: logFormat, level: logLevel)
        let logger = Logger(label: label)
        beforeStart(logger)
        let registry = PrometheusCollectorRegistry()
        let endpoint = try await MetricsEndpoint.serve(metricsListen, registry: registry, logger: logger)
        defer { if let endpoint { Task { await endpoint.stop() } } }
        let service = try makeService(logger, PrometheusMetricsFactory(registry: registry))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// A launch problem to report as a usage error (`ValidationError` in the executables).
public struct ServiceLaunchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
