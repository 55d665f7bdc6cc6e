import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// A writer killed and restarted knows nothing in memory. When events arrive for an audit it did
/// not see submitted and then its database turns degraded, memory must not answer with a state it
/// made up from those events: the steps an independent client used to find that defect.
@Suite("Reads after a restart", .timeLimit(.minutes(1)))
struct RestartedWriterReadTests {
    @Test("kill -9, restart, a progress event, a locked database: status, findings and counts stay true",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func readsStayTrueAfterRestart() async throws {
        try await TestBed.run { bed in
            let data = bed.root.appendingPathComponent("restart-data", isDirectory: true)
            let arguments = ProcessTests.ephemeral + ["--data-dir", data.path]
            let environment = ["VERITAS_LOG_FORMAT": "json", "VERITAS_DB_BUSY_TIMEOUT_MS": "100"]
            let findings = [Samples.finding, Samples.secondFinding, Samples.finding]

            // (1) Submit, started and completed, both acknowledged.
            let first = try ProcessTests.WriterProcess(arguments: arguments, directory: bed.root, environment: environment)
            defer { first.kill() }
            let firstEndpoints = try await first.waitUntilReady()
            let audit = try await bed.client(endpoint: firstEndpoints.queries).submit(url: "https://restart.example/")
            let runner = try FakeRunner(endpoint: firstEndpoints.runners, runnerID: "runner-restart")
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job), runner.event(audit.id, seq: 2, Samples.completed(findings: findings, trustScore: 64))])
            await runner.close()

            // (2) kill -9; restart on the same data.
            first.kill()
            let second = try ProcessTests.WriterProcess(arguments: arguments, directory: bed.root, environment: environment)
            defer { second.kill() }
            let endpoints = try await second.waitUntilReady()
            let client = try bed.client(endpoint: endpoints.queries)
            let feed = try bed.feed(endpoint: endpoints.feed, topics: [Data(audit.id.rawValue.utf8)])
            let again = try FakeRunner(endpoint: endpoints.runners, runnerID: "runner-restart")
            defer { Task { await again.close() } }
            try await again.connect()

            // (3) One new valid event for the audit, acknowledged; the feed says what the audit is.
            try await again.sendAndAwaitAcks([again.event(audit.id, seq: 3, Samples.progress(100, phase: "scoring"))])
            let published = try await feed.collect { $0.event == .progress }
            #expect(published.last?.status == .completed, "the feed published \(published.map(\.status)) for a completed audit")

            // (4) Another connection holds the write lock; the next event's commit fails.
            let lock = try await DatabaseWriteLock.acquire(path: data.appendingPathComponent("veritas.sqlite").path)
            var released = false
            do {
                let blocked = again.event(audit.id, seq: 4, Samples.progress(100, phase: "scoring"))
                try await again.send(.event(blocked))
                #expect(try await eventually { try await client.health().database == .degraded })
                #expect(await again.anyAcked([blocked.eventID], within: .milliseconds(300)) == false)

                // (5) Every read says what the database holds, or the fresher truth, never a skeleton.
                let status = try await client.status(audit.id)
                #expect(status.status == .completed)
                #expect(status.url == "https://restart.example/")
                #expect(status.trustScore == 64)
                #expect(try await client.findings(audit.id).findings.count == 3)
                let health = try await client.health()
                #expect(health.counts.completed == 1)
                #expect(health.counts.running == 0)
                #expect(health.countsSource == .database)
                let listed = try await client.list()
                #expect(listed.audits.map(\.status) == [.completed])

                try await lock.release()
                released = true
                try await again.sendUntilAcked([blocked])
                #expect(try await client.status(audit.id).status == .completed)
            } catch {
                if !released { try? await lock.release() }
                throw error
            }
        }
    }

    @Test("a database that cannot be read: an audit memory does not hold is unavailable, not not_found or made up")
    func unreadableDatabaseSaysItDoesNotKnow() async throws {
        try await TestBed.run { bed in
            let first = try await bed.startWriter()
            let audit = try await bed.client(first).submit(url: "https://unreadable.example/")
            try await bed.stop(first)

            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            // Make the file unreadable under the running writer: its tables are gone.
            try DatabaseProbe.execute(writer.databasePath, "ALTER TABLE audits RENAME TO audits_moved")
            let error = try await client.error(for: #"{"op":"status","audit_id":"\#(audit.id)"}"#)
            #expect(error.code == .unavailable, "\(error)")
            #expect(error.message.contains("cannot be read"))
            let health = try await client.health()
            #expect(health.countsSource == .memory, "counts from memory say so")
        }
    }
}
