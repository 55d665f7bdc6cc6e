import ArgumentParser
import Foundation
import Logging
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

    @Flag(help: ArgumentHelp(
        "Live migration: copy every audit from the source of truth (persistence.backend) to the other database, resuming where a previous run stopped, then verify and copy again what differs; exit 0 when both hold the same."))
    var backfill = false

    @Flag(help: "Live migration: compare the two databases (row counts, and each audit's fingerprint); exit 0 when they hold the same, 1 when not.")
    var verify = false

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
        if backfill || verify {
            guard !settings.postgresURL.isEmpty else {
                throw ValidationError("--backfill and --verify work between SQLite and PostgreSQL: set persistence.postgres_url (VERITAS_DATABASE_URL)")
            }
            let logger = Logger(label: "veritas.writer.migration")
            let migration = try await DatabaseMigration.open(settings, logger: logger)
            defer { migration.closeAll() }
            let copy = migration.copy(dataDirectory: settings.dataDirectory)
            if backfill {
                print("backfill \(migration.direction), checkpoint \(copy.checkpoint.path)")
                let report = try await copy.backfill { progress in
                    print("  copied \(progress.copied) audits, \(progress.images) images so far")
                }
                print("copied \(report.copied) audits and \(report.images) images; \(report.failed.count) failed")
                for (id, reason) in report.failed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { print("  failed \(id): \(reason)") }
                // Audits written while the copy ran were mirrored or will be copied now.
                let repaired = try await copy.repair(try await copy.verify())
                if repaired > 0 { print("copied again \(repaired) audits that changed during the copy") }
            }
            let report = try await copy.verify()
            print("verify \(migration.direction): \(report.compared) audits compared")
            print("  source:      \(report.sourceCounts)")
            print("  destination: \(report.destinationCounts)")
            for (name, ids) in [("missing", report.missing), ("different", report.different), ("only in the destination", report.extra)] where !ids.isEmpty {
                print("  \(name): \(ids.count): \(ids.prefix(20).map(\.rawValue).joined(separator: " "))\(ids.count > 20 ? " ..." : "")")
            }
            print(report.identical ? "identical" : "DIFFERENT")
            if !report.identical { throw ExitCode(1) }
            return
        }
        try await ServiceLauncher.run(
            label: "veritas.writer", logFormat: settings.logFormat, logLevel: settings.logLevel, metricsListen: settings.metricsListen
        ) { logger, metrics in
            WriterService(configuration: settings, logger: logger, metrics: metrics)
        }
    }
}
