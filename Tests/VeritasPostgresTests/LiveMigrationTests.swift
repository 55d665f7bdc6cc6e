import Foundation
import Logging
import Testing
import VeritasClient
import VeritasPostgres
import VeritasProtocol
import VeritasStore
import VeritasTestSupport
import VeritasWriter

/// Moving a running SQLite deployment to PostgreSQL without downtime, end to end, with real
/// writers: SQLite with data → dual write → backfill (interrupted, resumed, repeated) → verify →
/// switch → rollback, nothing lost at any step.
@Suite("PostgreSQL: live migration from SQLite", .timeLimit(.minutes(3)))
struct LiveMigrationTests {
    @Test("SQLite with data, dual write, a resumable and idempotent backfill, verification, the switch and the rollback: every audit, finding and screenshot in both databases")
    func liveMigration() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let folder = try TemporaryFolder("live-migration")
        defer { folder.remove() }
        let png = SampleImages.minimalPNG
        func configure(backend: String, mirror: Bool) -> (inout WriterConfiguration) -> Void {
            { configuration in
                configuration.databaseBackend = backend
                configuration.databaseMirror = mirror
                configuration.postgresURL = database.url
                configuration.postgresTimeoutMilliseconds = 5_000
                // Scripted runners do not heartbeat: keep their jobs claimed while the test works.
                configuration.runnerSilentTimeoutMilliseconds = 60_000
            }
        }
        func started(_ job: AuditJob) -> EventPayload { .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)) }
        let shot = EventPayload.screenshot(ScreenshotEventPayload(index: 0, label: "viewport", contentType: .png, byteCount: png.count), bytes: png)
        func completed(_ url: String) -> EventPayload { .completed(PostgresWritersTests.verdict(for: url)) }

        // 1. SQLite only, with data: two audits done, one half way, one waiting.
        var writer = try await InProcessWriter.start(dataDirectory: folder.url, configure(backend: "sqlite", mirror: false))
        var client = try WriterClient(endpoint: writer.endpoints.queries)
        var runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "migrating-runner")
        try await runner.hello(capacity: 3)
        var ids: [AuditID] = []
        for number in 1...4 { ids.append(try await client.submit(url: "https://migrate-\(number).example/").id) }
        let jobs = try await runner.jobs(count: 3, within: .seconds(5))
        #expect(jobs.map(\.auditID) == Array(ids.prefix(3)))
        for job in jobs.prefix(2) {
            try await runner.send(job.auditID, started(job))
            try await runner.send(job.auditID, shot)
            try await runner.send(job.auditID, completed(job.url))
        }
        try await runner.send(jobs[2].auditID, started(jobs[2]))
        await runner.close()
        await client.close()
        try await writer.stop()
        #expect(try database.psql("SELECT count(*) FROM pg_tables WHERE schemaname = '\(database.schema)' AND tablename = 'audits'")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "0", "PostgreSQL untouched so far")

        // 2. Dual write: SQLite stays the truth; PostgreSQL gets every new write.
        writer = try await InProcessWriter.start(dataDirectory: folder.url, configure(backend: "sqlite", mirror: true))
        client = try WriterClient(endpoint: writer.endpoints.queries)
        runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "migrating-runner")
        try await runner.hello(capacity: 3)
        #expect(try await client.status(ids[0]).status == .completed, "audits from before the mirror read from SQLite")
        ids.append(try await client.submit(url: "https://migrate-5.example/").id)
        // Whatever the runner is handed now is claimed in SQLite and copied to PostgreSQL as claimed.
        let handedOut = try await runner.jobs(count: 3, within: .seconds(3), required: false)
        #expect(!handedOut.isEmpty)
        try await runner.send(ids[4], .started(StartedEventPayload(url: "https://migrate-5.example/", tier: .standard, verdictMode: .simple)))
        try await runner.send(ids[4], shot)
        try await runner.send(ids[4], completed("https://migrate-5.example/"))
        // The half-done audit from before finishes during the dual write.
        try await runner.send(ids[2], shot)
        try await runner.send(ids[2], completed("https://migrate-3.example/"))
        #expect(try await client.status(ids[4]).status == .completed)

        let migration = try await DatabaseMigration.open(writer.configuration, logger: Logger(label: "test"))
        defer { migration.closeAll() }
        let copy = migration.copy(dataDirectory: folder.url.path)
        var verification = try await copy.verify()
        #expect(!verification.identical, "before the backfill PostgreSQL lacks the older audits")
        #expect(Set(verification.missing).isSuperset(of: [ids[0], ids[1], ids[2]]))
        // Interrupted after two audits, then resumed from its checkpoint.
        let partial = try await copy.backfill(pageSize: 1, limit: 2)
        #expect(partial.copied == 2 && !partial.finished)
        let rest = try await copy.backfill(pageSize: 2)
        #expect(rest.finished)
        #expect(rest.copied == ids.count - 2, "resumed after the two audits already copied")
        #expect(rest.failed.isEmpty)
        verification = try await copy.verify()
        #expect(verification.identical, "after the backfill: \(verification)")
        #expect(verification.compared == ids.count)
        // Again from the start: the same result, nothing doubled.
        try FileManager.default.removeItem(at: copy.checkpoint)
        let again = try await copy.backfill()
        #expect(again.copied == ids.count)
        #expect(try await copy.verify().identical)
        #expect(try await migration.secondary.tableCounts() == (try await migration.primary.tableCounts()))
        await runner.close()
        await client.close()
        try await writer.stop()

        // 3. The switch: PostgreSQL is the truth, SQLite the mirror (for the rollback).
        writer = try await InProcessWriter.start(dataDirectory: folder.url, configure(backend: "postgres", mirror: true))
        client = try WriterClient(endpoint: writer.endpoints.queries)
        runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "migrating-runner")
        try await runner.hello(capacity: 3)
        let fourth = ids[3]
        try await runner.send(fourth, .started(StartedEventPayload(url: "https://migrate-4.example/", tier: .standard, verdictMode: .simple)))
        try await runner.send(fourth, shot)
        try await runner.send(fourth, completed("https://migrate-4.example/"))
        for id in ids {
            let audit = try await client.status(id)
            #expect(audit.status == .completed, "\(id) through the PostgreSQL writer")
            #expect(try await client.findings(id).findings.count == 1)
            let (info, bytes) = try await client.screenshot(id, index: 0)
            #expect(bytes == png)
            #expect(info.filePath.hasPrefix("screenshot_images/"), "served from the database: \(info.filePath)")
        }
        let switched = try await DatabaseMigration.open(writer.configuration, logger: Logger(label: "test"))
        defer { switched.closeAll() }
        #expect(switched.direction == "postgres → sqlite")
        let mirrored = try await switched.copy(dataDirectory: folder.url.path).verify()
        #expect(mirrored.identical, "SQLite kept up with PostgreSQL after the switch: \(mirrored)")
        await runner.close()
        await client.close()
        try await writer.stop()

        // 4. The rollback: SQLite again, with what was written after the switch.
        writer = try await InProcessWriter.start(dataDirectory: folder.url, configure(backend: "sqlite", mirror: false))
        client = try WriterClient(endpoint: writer.endpoints.queries)
        for id in ids {
            #expect(try await client.status(id).status == .completed, "\(id) after the rollback")
            let (info, bytes) = try await client.screenshot(id, index: 0)
            #expect(bytes == png)
            #expect(info.filePath.hasPrefix("screenshots/"), "served from the data folder: \(info.filePath)")
        }
        let health = try await client.health()
        #expect(health.counts.completed == ids.count)
        #expect(health.queueDepth == 0)
        await client.close()
        try await writer.stop()
    }
}
