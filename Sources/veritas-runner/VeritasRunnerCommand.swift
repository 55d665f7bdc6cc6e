import ArgumentParser
import Foundation
import Logging
import VeritasProtocol
import VeritasRunner
import VeritasService

/// `veritas-runner`: parses arguments and configuration, then runs ``RunnerService``.
@main
struct VeritasRunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas-runner",
        abstract: "Veritas audit runner: takes jobs from a writer, audits sites, sends events.",
        discussion: """
            Configuration: defaults, then the YAML file (--config, default config/runner.yaml when it \
            exists), then environment variables, then these flags. Connects to a writer's runners \
            endpoint, by default \(DefaultEndpoints.runnersConnect); keeps unacknowledged events in \
            <data-dir>/outbox.sqlite (default ./runner-data).
            """,
        version: VeritasVersion.current
    )

    @OptionGroup var service: ServiceOptions

    @Option(help: "The writers' runners endpoints, comma-separated (writer.endpoints).")
    var writer: String?

    @Option(help: "Runner id and routing id (runner.id).")
    var id: String?

    @Option(help: "Audits run at once (runner.capacity).")
    var capacity: Int?

    @Flag(help: ArgumentHelp(
        "Check the health of the runner using this data folder (its health.json) and exit: 0 healthy; 1 not running, not connected to its writer, outbox over its limit, or no usable Chromium."))
    var health = false

    func run() async throws {
        if service.listSettings {
            print(ServiceLauncher.settingsListing(keys: RunnerConfiguration.keys, defaults: RunnerConfiguration()))
            return
        }
        let flags: [String: String] = Dictionary(uniqueKeysWithValues: [
            writer.map { ("writer.endpoints", $0) },
            id.map { ("runner.id", $0) },
            capacity.map { ("runner.capacity", String($0)) },
        ].compactMap { $0 })
        let settings: RunnerConfiguration = try service.configuration(defaultFile: "config/runner.yaml", flags: flags, load: RunnerConfiguration.load)
        if health {
            try checkHealth(dataDirectory: settings.dataDirectory)
            return
        }
        try await ServiceLauncher.run(
            label: "veritas.runner", logFormat: settings.logFormat, logLevel: settings.logLevel, metricsListen: settings.metricsListen,
            makeService: { logger, factory in
                let metrics = RunnerMetrics(factory: factory)
                let engine = HTTPAuditEngine(configuration: settings, logger: logger, metrics: metrics)
                return RunnerService(configuration: settings, engine: engine, logger: logger, metrics: metrics)
            },
            beforeStart: { logger in Self.logSafetySettings(settings, logger: logger) })
    }

    /// The egress guard and the browser sandbox, said once at start-up (a warning when relaxed).
    private static func logSafetySettings(_ settings: RunnerConfiguration, logger: Logger) {
        let policy = settings.destinationPolicy
        let guardMetadata: Logger.Metadata = [
            "allow_private_networks": "\(policy.allowPrivateNetworks)",
            "allowed_ports": "\(policy.allowedPorts.sorted())",
            "allowed_networks": "\(policy.allowedNetworks.map(\.description))",
        ]
        if policy.allowPrivateNetworks {
            logger.warning("fetch.allow_private_networks is on: audits may reach loopback, private and link-local addresses (cloud metadata stays refused); only for the demo, tests and intranet audits", metadata: guardMetadata)
        } else {
            logger.info("egress guard: audits may not reach loopback, private, link-local or metadata addresses", metadata: guardMetadata)
        }
        if !settings.chromiumSandbox {
            logger.warning("chromium.sandbox is off: Chromium runs untrusted pages with --no-sandbox; turn it off only where the kernel or container allows no sandbox (docs/DEPLOYMENT.md)")
        }
    }

    /// `--health`: the runner's own report, judged; the compose health check of runners.
    private func checkHealth(dataDirectory: String) throws {
        let report: RunnerHealth
        do {
            report = try RunnerHealth.read(from: URL(fileURLWithPath: dataDirectory))
        } catch {
            FileHandle.standardError.write(Data("unhealthy: \(error)\n".utf8))
            throw ExitCode.failure
        }
        print("runner \(report.runnerID): \(report.connected ? "connected to" : "not connected to") \(report.writer); "
              + "\(report.activeAudits)/\(report.capacity) audits; outbox \(report.outboxEvents) events, \(report.outboxBytes) bytes; "
              + "browser \(report.browser.rawValue); reported \(report.updatedAt)")
        let problems = report.problems()
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data(("unhealthy: " + problems.joined(separator: "; ") + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
