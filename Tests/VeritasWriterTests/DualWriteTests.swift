import Foundation
import Testing
import VeritasProtocol

/// `USE_DB_PERSISTENCE`: on, every event lands in memory and SQLite and reads come from the
/// database; off, nothing touches SQLite; and reads fall back to memory when the database has
/// no row.
@Suite("Dual write and the persistence flag", .timeLimit(.minutes(1)))
struct DualWriteTests {
    /// Runs one audit through submit → job → started, screenshot, completed.
    private func runLifecycle(client: QueryClient, runner: FakeRunner) async throws -> Audit {
        let audit = try await client.submit(url: "https://shop.example/", tier: .quick)
        try await runner.connect(capacity: 1)
        let job = try await runner.nextJob()
        #expect(job.auditID == audit.id)
        try await runner.sendAndAwaitAcks([
            runner.started(job),
            runner.event(audit.id, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
            runner.event(audit.id, seq: 3, Samples.completed(findings: [Samples.finding, Samples.secondFinding])),
        ])
        return audit
    }

    @Test("flag on: rows in audits, audit_findings, audit_screenshots, processed_events; replies say source database")
    func flagOnWritesSQLite() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-db")
            let audit = try await runLifecycle(client: client, runner: runner)

            let path = writer.databasePath
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try DatabaseProbe.count(path, "audits", where: "id = ?", [audit.id.rawValue]) == 1)
            #expect(try DatabaseProbe.text(path, "SELECT status FROM audits WHERE id = ?", [audit.id.rawValue]) == "completed")
            #expect(try DatabaseProbe.count(path, "audit_findings", where: "audit_id = ?", [audit.id.rawValue]) == 2)
            #expect(try DatabaseProbe.count(path, "audit_screenshots", where: "audit_id = ?", [audit.id.rawValue]) == 1)
            #expect(try DatabaseProbe.count(path, "processed_events", where: "audit_id = ?", [audit.id.rawValue]) == 3)

            let status = try await client.status(audit.id)
            #expect(status.status == .completed)
            #expect(status.source == .database)
            #expect(try await client.findings(audit.id).source == .database)
            #expect(try await client.screenshots(audit.id).source == .database)
            #expect(try await client.list().source == .database)
            // On the wire, too.
            let raw = try await client.requestJSON(#"{"op":"status","audit_id":"\#(audit.id)"}"#)
            #expect(raw["audit"]?["source"]?.stringValue == "database")

            let health = try await client.health()
            #expect(health.persistenceEnabled)
            #expect(health.database == .ok)
        }
    }

    @Test("flag off: no database file at all, replies say source memory, the lifecycle still works")
    func flagOffIsMemoryOnly() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.persistenceEnabled = false }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-mem")
            let audit = try await runLifecycle(client: client, runner: runner)

            let status = try await client.status(audit.id)
            #expect(status.status == .completed)
            #expect(status.trustScore == 72)
            #expect(status.source == .memory)
            let findings = try await client.findings(audit.id)
            #expect(findings.findings == [Samples.finding, Samples.secondFinding])
            #expect(findings.source == .memory)
            let (shot, image) = try await client.request(#"{"op":"screenshot","audit_id":"\#(audit.id)","index":0}"#)
            guard case let .screenshot(info, source) = shot.reply else { Issue.record("screenshot failed: \(shot)"); return }
            #expect(source == .memory)
            #expect(info.fileSizeBytes == Samples.png.count)
            #expect(image == Samples.png)
            let list = try await client.list()
            #expect(list.source == .memory)
            #expect(list.audits.map(\.id) == [audit.id])

            let health = try await client.health()
            #expect(!health.persistenceEnabled)
            #expect(health.database == .disabled)
            #expect(health.status == .ok)
            #expect(health.counts.completed == 1)

            // Nothing touched SQLite: no veritas.sqlite (nor -wal, -shm, -journal) anywhere.
            let files = fileTree(writer.dataDirectory)
            #expect(!files.contains { $0.contains("sqlite") || $0.hasSuffix("-wal") || $0.hasSuffix("-shm") || $0.hasSuffix("-journal") },
                    "files in the data folder: \(files)")
            #expect(!FileManager.default.fileExists(atPath: writer.databasePath))
        }
    }

    @Test("flag off: a submitted audit is still handed out and answered from memory")
    func flagOffJobQueue() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.persistenceEnabled = false }
            let client = try bed.client(writer)
            let audit = try await client.submit()
            #expect(audit.source == .memory)
            #expect(try await client.health().queueDepth == 1)
            let runner = try bed.runner(writer, "runner-mem-2")
            try await runner.connect()
            let job = try await runner.nextJob()
            #expect(job.auditID == audit.id)
            #expect(job.attempt == 1)
            try await runner.sendAndAwaitAcks([runner.event(audit.id, seq: 1, .error(ErrorEventPayload(errorMessage: "DNS lookup failed")))])
            let status = try await client.status(audit.id)
            #expect(status.status == .error)
            #expect(status.errorMessage == "DNS lookup failed")
            #expect(try await client.health().queueDepth == 0)
        }
    }

    @Test("the memory store is bounded: old finished audits leave memory, the database still has them")
    func memoryIsBounded() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.memoryMaxAudits = 3 }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-bound")
            try await runner.connect(capacity: 1)
            var ids: [AuditID] = []
            for index in 0..<8 {
                let audit = try await client.submit(url: "https://bound.example/\(index)")
                ids.append(audit.id)
                let job = try await runner.nextJob()
                #expect(job.auditID == audit.id)
                try await runner.complete(job)
            }
            let health = try await client.health()
            #expect(health.memoryAudits == 3)
            #expect(health.counts.completed == 8)
            let oldest = try await client.status(ids[0])
            #expect(oldest.status == .completed)
            #expect(oldest.source == .database)
            #expect(try await client.list(limit: 100).audits.count == 8)
        }
    }

    @Test("flag off: evicted audits are gone (memory is all there is), active ones are kept")
    func memoryBoundWithoutDatabase() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter {
                $0.persistenceEnabled = false
                $0.memoryMaxAudits = 2
            }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-bound-mem")
            try await runner.connect(capacity: 1)
            var ids: [AuditID] = []
            for index in 0..<4 {
                let audit = try await client.submit(url: "https://bound.example/\(index)")
                ids.append(audit.id)
                try await runner.complete(try await runner.nextJob())
            }
            // Queued audits are never evicted, even beyond the bound.
            let queued = [try await client.submit(), try await client.submit(), try await client.submit()]
            #expect(try await client.error(for: #"{"op":"status","audit_id":"\#(ids[0])"}"#).code == .notFound)
            for audit in queued { #expect(try await client.status(audit.id).status != .completed) }
            #expect(try await client.health().memoryAudits <= 4)
        }
    }

    @Test("fallback read: a row deleted from SQLite is answered from memory")
    func fallbackToMemory() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-fallback")
            let audit = try await runLifecycle(client: client, runner: runner)
            #expect(try await client.status(audit.id).source == .database)

            try DatabaseProbe.execute(writer.databasePath, "DELETE FROM audits WHERE id = ?", [audit.id.rawValue])
            #expect(try DatabaseProbe.count(writer.databasePath, "audits", where: "id = ?", [audit.id.rawValue]) == 0)

            let status = try await client.status(audit.id)
            #expect(status.source == .memory)
            #expect(status.status == .completed)
            #expect(status.trustScore == 72)
            #expect(status.url == "https://shop.example/")
            let findings = try await client.findings(audit.id)
            #expect(findings.source == .memory)
            #expect(findings.findings.count == 2)
            let screenshots = try await client.screenshots(audit.id)
            #expect(screenshots.source == .memory)
            #expect(screenshots.screenshots.map(\.index) == [0])
        }
    }
}
