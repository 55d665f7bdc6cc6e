import Foundation
import GRDB

/// An online backup of a writer's database: SQLite's backup API, safe while writers run.
///
/// A plain file copy of a WAL database under load can miss the WAL or tear pages; the backup API
/// copies a consistent snapshot instead (one read transaction, so writers keep going). The copy is
/// written beside `destination`, checked with `PRAGMA integrity_check`, then renamed into place:
/// an interrupted backup never leaves a file that looks complete.
///
/// Screenshots are files that are never modified once stored (written to a temporary name, then
/// renamed), so copying the `screenshots/` folder after the database backup is safe under load.
public enum SQLiteBackup {
    /// What a backup produced.
    public struct Report: Sendable, Equatable {
        public let destination: String
        public let bytes: Int
        public let audits: Int
    }

    /// Why a backup did not happen.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Copies the database at `source` to `destination`, which must not exist yet.
    public static func run(source: String, destination: String) throws -> Report {
        guard FileManager.default.fileExists(atPath: source) else {
            throw Failure(description: "no database at \(source)")
        }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw Failure(description: "\(destination) already exists; not overwriting a backup")
        }
        let partial = destination + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(30)
            let database = try DatabaseQueue(path: source, configuration: configuration)
            let copy = try DatabaseQueue(path: partial)
            try database.backup(to: copy)
            let (integrity, audits) = try copy.read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "", try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audits") ?? 0)
            }
            try copy.close()
            try database.close()
            guard integrity == "ok" else {
                throw Failure(description: "the copy failed its integrity check: \(integrity)")
            }
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
            return Report(destination: destination, bytes: bytes, audits: audits)
        } catch let failure as Failure {
            try? FileManager.default.removeItem(atPath: partial)
            throw failure
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw Failure(description: "backup of \(source) failed: \(error)")
        }
    }
}
