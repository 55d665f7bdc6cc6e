import Foundation
import Testing
import VeritasProtocol

/// A database that cannot be written (another process holds the write lock): no acks, reads
/// from memory, health `degraded`; once the lock goes, resends are stored and health recovers.
@Suite("Degraded database", .timeLimit(.minutes(1)))
struct DegradedDatabaseTests {
    @Test("write lock held elsewhere: no ack, status from memory, health degraded; released: resends land, health ok")
    func lockedDatabase() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.databaseBusyTimeoutMilliseconds = 100 }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-degraded")
            let audit = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])
            #expect(try await client.health().status == .ok)

            let lock = try await DatabaseWriteLock.acquire(path: writer.databasePath)
            var released = false
            do {
                let events = [
                    runner.event(audit.id, seq: 2, Samples.progress(50)),
                    runner.event(audit.id, seq: 3, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
                    runner.event(audit.id, seq: 4, Samples.completed()),
                ]
                for event in events { try await runner.send(.event(event)) }
                #expect(await runner.anyAcked(events.map(\.eventID), within: .seconds(1)) == false, "acknowledged while the database could not commit")
                #expect(runner.snapshot.rejects.isEmpty, "a database failure is not the event's fault")

                // Health says degraded; status still answers, from memory, with what memory holds.
                #expect(try await eventually { try await client.health().status == .degraded })
                let health = try await client.health()
                #expect(health.database == .degraded)
                #expect(health.persistenceEnabled)
                let status = try await client.status(audit.id)
                #expect(status.source == .memory)
                #expect(status.status == .completed)
                #expect(try DatabaseProbe.count(writer.databasePath, "processed_events", where: "audit_id = ?", [audit.id.rawValue]) == 1)

                // A submit cannot be stored durably: unavailable, not a false success.
                let submitError = try await client.error(for: #"{"op":"submit","url":"https://while-locked.example/"}"#)
                #expect(submitError.code == .unavailable)

                try await lock.release()
                released = true

                // The runner's outbox resends every 300 ms until acknowledged.
                try await runner.sendUntilAcked(events, resendEvery: .milliseconds(300), timeout: .seconds(5))
                #expect(try DatabaseProbe.count(writer.databasePath, "processed_events", where: "audit_id = ?", [audit.id.rawValue]) == 4)
                #expect(try DatabaseProbe.text(writer.databasePath, "SELECT status FROM audits WHERE id = ?", [audit.id.rawValue]) == "completed")
                #expect(try DatabaseProbe.count(writer.databasePath, "audit_screenshots", where: "audit_id = ?", [audit.id.rawValue]) == 1)
                #expect(try DatabaseProbe.count(writer.databasePath, "audit_findings", where: "audit_id = ?", [audit.id.rawValue]) == 1)
                #expect(try await eventually { try await client.health().status == .ok })
                #expect(try await client.health().database == .ok)
                let recovered = try await client.status(audit.id)
                #expect(recovered.source == .database)
                #expect(recovered.status == .completed)
                #expect(recovered.trustScore == 72)
            } catch {
                // Never leave the lock held behind a failed test.
                if !released { try? await lock.release() }
                throw error
            }
        }
    }
}
