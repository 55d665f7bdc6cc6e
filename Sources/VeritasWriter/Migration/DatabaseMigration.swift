import Foundation
import Logging
import VeritasPostgres
import VeritasProtocol
import VeritasStore

/// The two databases of a live migration, opened from a writer's configuration: the source of
/// truth (`persistence.backend`) and the other one. What `veritas-writer --backfill` and
/// `--verify` work on, and what a mirroring writer writes to.
public struct DatabaseMigration: Sendable {
    public let primary: any AuditCopying
    public let primaryImages: any ScreenshotStore
    public let secondary: any AuditCopying
    public let secondaryImages: any ScreenshotStore
    /// `sqlite → postgres` or `postgres → sqlite`.
    public let direction: String
    private let close: @Sendable () -> Void

    /// Opens SQLite (the data folder's file) and PostgreSQL (`persistence.postgres_url`).
    public static func open(_ configuration: WriterConfiguration, logger: Logger) async throws -> DatabaseMigration {
        let sqlite = try configuration.openSQLite()
        let postgres = try await PostgresAuditStore.open(try configuration.postgresSettings(), logger: logger)
        let files = ScreenshotFiles(dataDirectory: URL(fileURLWithPath: configuration.dataDirectory), maxBytes: configuration.maxScreenshotBytes)
        let images = PostgresScreenshots(store: postgres, maxBytes: configuration.maxScreenshotBytes)
        let close: @Sendable () -> Void = {
            try? sqlite.close()
            postgres.close()
        }
        if configuration.databaseBackend == "postgres" {
            return DatabaseMigration(primary: postgres, primaryImages: images, secondary: sqlite, secondaryImages: files, direction: "postgres → sqlite", close: close)
        }
        return DatabaseMigration(primary: sqlite, primaryImages: files, secondary: postgres, secondaryImages: images, direction: "sqlite → postgres", close: close)
    }

    /// The copy from the source of truth to the other database, its checkpoint in the data folder.
    public func copy(dataDirectory: String) -> DatabaseCopy {
        let name = direction.replacingOccurrences(of: " → ", with: "-to-")
        return DatabaseCopy(
            source: primary, sourceImages: primaryImages, destination: secondary, destinationImages: secondaryImages,
            checkpoint: URL(fileURLWithPath: dataDirectory).appendingPathComponent("backfill-\(name).checkpoint"))
    }

    /// The mirroring store and screenshot store of a writer with `persistence.mirror` on.
    public func mirroring(logger: Logger) -> (database: MirroredStore, screenshots: MirroredScreenshots) {
        let direction = self.direction
        let report: @Sendable (String, [AuditID], any Error) -> Void = { operation, audits, error in
            logger.warning("mirror write failed; the other database is behind on these audits until a backfill repairs them", metadata: [
                "direction": "\(direction)", "operation": "\(operation)", "audits": "\(audits.map(\.rawValue).prefix(10).joined(separator: ","))",
                "error": "\(error)",
            ])
        }
        let database = MirroredStore(
            primary: primary, secondary: secondary, readsSecondaryFirst: secondary is PostgresAuditStore,
            translate: secondaryImages.located, mirrorFailed: report)
        let screenshots = MirroredScreenshots(primary: primaryImages, secondary: secondaryImages) { operation, audits, error in
            database.markStale(Set(audits))
            report(operation, audits, error)
        }
        return (database, screenshots)
    }

    /// Closes both databases.
    public func closeAll() {
        close()
    }
}

extension WriterConfiguration {
    /// The data folder's SQLite database, opened (and migrated) as these settings say.
    public func openSQLite() throws -> SQLiteAuditStore {
        try SQLiteAuditStore(
            path: databasePath, synchronous: databaseSynchronous == "normal" ? .normal : .full,
            busyTimeout: .milliseconds(databaseBusyTimeoutMilliseconds))
    }

    /// The PostgreSQL connection these settings describe (password from the file or the
    /// environment, never shown).
    public func postgresSettings() throws -> PostgresSettings {
        try PostgresSettings(
            url: postgresURL, password: try postgresPasswordGiven(), maximumConnections: postgresMaxConnections,
            operationTimeout: .milliseconds(postgresTimeoutMilliseconds))
    }
}
