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

    @Option(help: "YAML configuration file.")
    var config: String?

    @Option(help: "Queries endpoint to bind (endpoints.queries).")
    var queries: String?

    @Option(help: "Runners endpoint to bind (endpoints.runners).")
    var runners: String?

    @Option(help: "Feed endpoint to bind (endpoints.feed).")
    var feed: String?

    @Option(name: .customLong("data-dir"), help: "Data folder (data.directory).")
    var dataDirectory: String?

    @Option(name: .customLong("set"), help: "Any setting as key=value, e.g. --set memory.max_audits=500.")
    var settings: [String] = []

    @Flag(help: "Print every setting with its environment variable and exit.")
    var listSettings = false

    @Option(name: .customLong("backup-to"), help: ArgumentHelp(
        "Write an online backup of the database (SQLite's backup API, safe while a writer runs) to this new file, then exit.",
        valueName: "file"))
    var backupDestination: String?

    func run() async throws {
        if listSettings {
            print(ServiceLauncher.settingsListing(keys: WriterConfiguration.keys, defaults: WriterConfiguration()))
            return
        }
        var overrides: [String: String]
        do {
            overrides = try ServiceLauncher.overrides(fromSetFlags: settings)
        } catch {
            throw ValidationError(error.description)
        }
        if let queries { overrides["endpoints.queries"] = queries }
        if let runners { overrides["endpoints.runners"] = runners }
        if let feed { overrides["endpoints.feed"] = feed }
        if let dataDirectory { overrides["data.directory"] = dataDirectory }
        let file = config ?? (FileManager.default.fileExists(atPath: "config/writer.yaml") ? "config/writer.yaml" : nil)
        let settings: WriterConfiguration
        do {
            settings = try WriterConfiguration.load(file: file, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            throw ValidationError(error.description)
        }
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
