import ArgumentParser
import Foundation
import VeritasProtocol
import VeritasService
import VeritasStore
import VeritasWriter

/// `veritas-writer`: parses arguments and configuration, then runs ``WriterService``.
@main
struct VeritasWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas-writer",
        abstract: "Veritas persistence worker: stores audit events (memory + SQLite), serves queries.",
        discussion: """
            Configuration: defaults, then the YAML file (--config, default config/writer.yaml when it \
            exists), then environment variables, then these flags. USE_DB_PERSISTENCE=false runs from \
            memory only. Endpoints default to \(DefaultEndpoints.queriesBind) (queries), \
            \(DefaultEndpoints.runnersBind) (runners) and \(DefaultEndpoints.feedBind) (feed).
            """,
        version: VeritasVersion.current
    )

    @OptionGroup var service: ServiceOptions

    @Option(help: "Queries endpoint to bind (endpoints.queries).")
    var queries: String?

    @Option(help: "Runners endpoint to bind (endpoints.runners).")
    var runners: String?

    @Option(help: "Feed endpoint to bind (endpoints.feed).")
    var feed: String?

    @Option(name: .customLong("backup-to"), help: ArgumentHelp(
        "Write an online backup of the database (SQLite's backup API, safe while a writer runs) to this new file, then exit.",
        valueName: "file"))
    var backupDestination: String?

    func run() async throws {
        if service.listSettings {
            print(ServiceLauncher.settingsListing(keys: WriterConfiguration.keys, defaults: WriterConfiguration()))
            return
        }
        let flags: [String: String] = Dictionary(uniqueKeysWithValues: [
            queries.map { ("endpoints.queries", $0) },
            runners.map { ("endpoints.runners", $0) },
            feed.map { ("endpoints.feed", $0) },
        ].compactMap { $0 })
        let settings: WriterConfiguration = try service.configuration(defaultFile: "config/writer.yaml", flags: flags, load: WriterConfiguration.load)
        if let backupDestination {
            do {
                let report = try SQLiteBackup.run(source: settings.databasePath, destination: backupDestination)
                print("backed up \(report.audits) audits, \(report.bytes) bytes, to \(report.destination)")
                return
            } catch {
                throw ValidationError("\(error)")
            }
        }
        try await ServiceLauncher.run(
            label: "veritas.writer", logFormat: settings.logFormat, logLevel: settings.logLevel, metricsListen: settings.metricsListen
        ) { logger, metrics in
            WriterService(configuration: settings, logger: logger, metrics: metrics)
        }
    }
}
