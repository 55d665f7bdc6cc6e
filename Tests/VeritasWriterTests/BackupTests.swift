import Foundation
import GRDB
import Testing
import VeritasTestSupport
import VeritasProtocol
import VeritasStore

/// Online backups (`veritas-writer --backup-to`): consistent while a runner streams events, never
/// overwriting, and runnable against a live writer process.
@Suite("Online backup", .timeLimit(.minutes(1)))
struct BackupTests {
    @Test("a backup taken while events stream in is consistent and holds every audit committed before it")
    func backupUnderLoad() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-backup")
            var audits: [AuditID] = []
            for index in 0..<5 { audits.append(try await client.submit(url: "https://backup.example/\(index)").id) }
            try await runner.connect(capacity: 5)
            let jobs = try await runner.jobs(5)
            for job in jobs { try await runner.complete(job) }

            // Keep a stream of progress events going while the backup runs.
            let busy = try await client.submit(url: "https://busy.example/")
            let busyJob = try await runner.nextJob()
            #expect(busyJob.auditID == busy.id)
            let streaming = Task {
                var seq = 1
                while !Task.isCancelled, seq < 2_000 {
                    let batch = (0..<20).map { offset in runner.event(busy.id, seq: seq + offset, Samples.progress(Double((seq + offset) % 100))) }
                    try? await runner.sendAndAwaitAcks(batch)
                    seq += 20
                }
            }
            let destination = bed.root.appendingPathComponent("backups/veritas-1.sqlite").path
            try FileManager.default.createDirectory(atPath: bed.root.appendingPathComponent("backups").path, withIntermediateDirectories: true)
            let report = try await Task.detached { try SQLiteBackup.run(source: writer.databasePath, destination: destination) }.value
            streaming.cancel()
            _ = await streaming.value

            #expect(report.audits == 6)
            #expect(report.bytes > 0)
            #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
            let copy = try DatabaseQueue(path: destination)
            let completedIDs = Set(audits.map(\.rawValue))
            let (integrity, statuses, orphans) = try await copy.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                    try Row.fetchAll(db, sql: "SELECT id, status FROM audits").map { (row: Row) -> (String, String) in (row["id"], row["status"]) },
                    // Every processed event in the copy belongs to an audit in the copy: one snapshot.
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM processed_events WHERE audit_id NOT IN (SELECT id FROM audits)")
                )
            }
            try copy.close()
            #expect(integrity == "ok")
            #expect(statuses.filter { completedIDs.contains($0.0) }.allSatisfy { $0.1 == "completed" })
            #expect(Set(statuses.map(\.0)).isSuperset(of: completedIDs))
            #expect(orphans == 0)

            let again = #expect(throws: SQLiteBackup.Failure.self) { try SQLiteBackup.run(source: writer.databasePath, destination: destination) }
            #expect(again?.description.contains("already exists") == true)
            #expect(throws: SQLiteBackup.Failure.self) {
                try SQLiteBackup.run(source: bed.root.appendingPathComponent("nothing.sqlite").path, destination: destination + "2")
            }
        }
    }

    @Test("veritas-writer --backup-to copies a running writer's database and exits 0",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func backupCommandAgainstARunningWriter() async throws {
        try await TestBed.run { bed in
            let data = bed.root.appendingPathComponent("live-data", isDirectory: true)
            let writer = try ProcessTests.WriterProcess(
                arguments: ProcessTests.ephemeral + ["--data-dir", data.path], directory: bed.root, environment: ["VERITAS_LOG_FORMAT": "json"])
            defer { writer.kill() }
            let endpoints = try await writer.waitUntilReady()
            let client = try bed.client(endpoint: endpoints.queries)
            let audit = try await client.submit(url: "https://live-backup.example/")

            let destination = bed.root.appendingPathComponent("live.sqlite").path
            let backup = try ProcessTests.WriterProcess(arguments: ["--data-dir", data.path, "--backup-to", destination], directory: bed.root)
            defer { backup.kill() }
            let exit = try #require(try await backup.waitForExit(timeout: .seconds(20)))
            #expect(exit.status == 0, "\(backup.stderrLines)")
            #expect(try await eventually { backup.stdout.contains("backed up 1 audits") }, "\(backup.stdout)")
            let copy = try DatabaseQueue(path: destination)
            #expect(try await copy.read { db in try String.fetchOne(db, sql: "SELECT url FROM audits WHERE id = ?", arguments: [audit.id.rawValue]) }
                    == "https://live-backup.example/")
            try copy.close()
            #expect(writer.process.isRunning, "the writer kept running")
        }
    }
}
