import Foundation
import GRDB
import VeritasProtocol
import VeritasStore

/// Puts an audit into a writer's database as if it had been submitted and handed out earlier to
/// another runner (claimed, with an hour's lease), in one transaction, so a writer serving runners
/// right now can never hand it to one of them: it accepts the audit's events, that is all. For
/// tests that need a real audit id without a job in the way.
public func seedHandedOutAudit(databasePath: String, url: String = "https://seeded.example/") async throws -> AuditID {
    try FileManager.default.createDirectory(
        at: URL(fileURLWithPath: databasePath).deletingLastPathComponent(), withIntermediateDirectories: true)
    // Opening the store creates or migrates the file, so the tables below exist.
    _ = try SQLiteAuditStore(path: databasePath, synchronous: .normal)
    let id = AuditID.generate()
    let now = Timestamp.now
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
    try await queue.write { db in
        try db.execute(
            sql: """
                INSERT INTO audits (id, url, tier, verdict_mode, status, attempts, created_at)
                VALUES (?, ?, 'quick', 'simple', 'queued', 1, ?)
                """,
            arguments: [id.rawValue, url, now.description])
        try db.execute(
            sql: """
                INSERT INTO jobs (audit_id, state, runner_id, writer_id, enqueued_at, claimed_at, lease_until, handouts)
                VALUES (?, 'claimed', 'runner-elsewhere', 'seed', ?, ?, ?, 1)
                """,
            arguments: [id.rawValue, now.description, now.description, now.adding(milliseconds: 3_600_000).description])
    }
    try queue.close()
    return id
}
