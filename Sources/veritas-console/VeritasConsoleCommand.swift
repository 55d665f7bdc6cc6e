import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VeritasConsole
import VeritasProtocol
import VeritasService
import ZeroMQ

/// `veritas-console`: parses arguments and configuration, then serves ``ConsoleServer``.
@main
struct VeritasConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas-console",
        abstract: "Veritas web console: a read-only site over one or more writers (audits, reports, live progress, health, a submit form).",
        discussion: """
            Configuration: defaults, then the YAML file (--config, default config/console.yaml when it \
            exists), then environment variables, then these flags. Serves HTTP on \(DefaultEndpoints.consoleListen) \
            by default (loopback only: put a TLS proxy in front to open it to others) and reads the writer at \
            \(DefaultEndpoints.queriesConnect) and its feed at \(DefaultEndpoints.feedConnect).
            """,
        version: VeritasVersion.current
    )

    @OptionGroup var service: ServiceOptions

    @Option(help: "host:port to serve on (console.listen).")
    var listen: String?

    @Option(help: "The writers' queries endpoints, comma-separated (console.writers).")
    var writers: String?

    @Option(help: "The writers' feed endpoints, comma-separated (console.feeds).")
    var feeds: String?

    func run() async throws {
        if service.listSettings {
            print(ServiceLauncher.settingsListing(keys: ConsoleConfiguration.keys, defaults: ConsoleConfiguration()))
            return
        }
        let flags: [String: String] = Dictionary(uniqueKeysWithValues: [
            listen.map { ("console.listen", $0) },
            writers.map { ("console.writers", $0) },
            feeds.map { ("console.feeds", $0) },
        ].compactMap { $0 })
        let settings: ConsoleConfiguration = try service.configuration(defaultFile: "config/console.yaml", flags: flags, load: ConsoleConfiguration.load)
        let curve: CurveClientCredentials?
        do {
            curve = try CurveClientCredentials.optional(secretKeyFile: settings.curveSecretKeyFile, serverKeyFile: settings.curveWriterKeyFile)
        } catch {
            throw ValidationError("security.curve_secret_key_file/security.writer_key_file: \(error.description)")
        }
        let pool = try WriterPool(
            endpoints: settings.writerEndpoints, timeout: .milliseconds(Int64(settings.queryTimeoutMilliseconds)), curve: curve)
        try await ServiceLauncher.run(
            label: "veritas.console", logFormat: settings.logFormat, logLevel: settings.logLevel, metricsListen: "",
            makeService: { logger, _ in
                ConsoleServer(configuration: settings, pool: pool, curve: curve, logger: logger).application { port in
                    logger.info("console serving", metadata: ["listen": "\(settings.listen)", "port": "\(port)", "writers": "\(settings.writers)"])
                }
            })
        await pool.close()
    }
}
