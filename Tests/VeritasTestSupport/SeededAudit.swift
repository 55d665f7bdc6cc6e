import Foundation
import VeritasProtocol
import VeritasStore

/// Puts an audit into a writer's database as if it had been submitted and handed out earlier to
/// another runner (claimed, with an hour's lease): the writer accepts events for it but never
/// hands it to a test's runner. For tests that need an audit id without a job in the way.
public func seedHandedOutAudit(databasePath: String, url: String = "https://seeded.example/") async throws -> AuditID {
    try FileManager.default.createDirectory(
        at: URL(fileURLWithPath: databasePath).deletingLastPathComponent(), withIntermediateDirectories: true)
    let store = try SQLiteAuditStore(path: databasePath, synchronous: .normal)
    let audit = Audit(id: .generate(), url: url, tier: .quick, verdictMode: .simple, status: .queued, createdAt: .now, source: .database)
    try await store.enqueue(audit)
    let elsewhere = try RunnerID("runner-elsewhere-\(UInt32.random(in: 0...UInt32.max))")
    let claimed = try await store.claimJobs(for: elsewhere, writer: "seed", limit: 100, leaseUntil: Timestamp.now.adding(milliseconds: 3_600_000))
    guard claimed.contains(where: { $0.auditID == audit.id }) else {
        throw InProcessWriterError(description: "seeding: the new audit's job was not claimed")
    }
    return audit.id
}
