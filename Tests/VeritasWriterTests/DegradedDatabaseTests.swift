import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// Storage that refuses writes: a database whose write lock another process holds, and a disk
/// that is full. No acks, reads from memory, health `degraded`; once the fault clears, resends
/// are stored and health recovers, with or without traffic.
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
                // The three events may reach memory in two batches (the second starts when the
                // first commit has failed), so wait for memory to hold the last one.
                #expect(try await eventually { let status = try await client.status(audit.id); return status.source == .memory && status.status == .completed })
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

    @Test("health recovers by itself once the lock goes, with no traffic at all (the writer probes)")
    func healthRecoversWithoutTraffic() async throws {
        try await TestBed.run { bed in
            // No runner: nothing else writes to the database, so only the probe can clear degraded.
            // The sweep for expired leases (also a write) runs at start, then once per silent timeout.
            let writer = try await bed.startWriter {
                $0.databaseBusyTimeoutMilliseconds = 100
                $0.runnerSilentTimeoutMilliseconds = 120_000
            }
            let client = try bed.client(writer)
            let lock = try await DatabaseWriteLock.acquire(path: writer.databasePath)
            var released = false
            do {
                let refused = try await client.error(for: #"{"op":"submit","url":"https://while-locked.example/"}"#)
                #expect(refused.code == .unavailable)
                #expect(try await client.health().status == .degraded)
                #expect(try DatabaseProbe.count(writer.databasePath, "write_probe") == 0)
                // The health check a deployment runs fails while the writer acknowledges nothing.
                let check = ["health", "--writer", writer.endpoints.queries, "--timeout", "5"]
                let degraded = try await BuiltProducts.run("veritas", check)
                #expect(degraded.status == 9, "veritas health while degraded: \(degraded.status) \(degraded.stderr)")
                #expect(degraded.stderr.contains("degraded"))
                try await lock.release()
                released = true
                #expect(try await eventually(timeout: .seconds(5)) { try await client.health().status == .ok })
                let healthy = try await BuiltProducts.run("veritas", check)
                #expect(healthy.status == 0, "veritas health once recovered: \(healthy.stderr)")
                #expect(try DatabaseProbe.count(writer.databasePath, "write_probe", where: "id = 1") == 1, "recovered through the probe write")
                let audit = try await client.submit(url: "https://after-the-lock.example/")
                #expect(try await client.status(audit.id).source == .database)
            } catch {
                if !released { try? await lock.release() }
                throw error
            }
        }
    }

    @Test(
        "disk full (a size-limited tmpfs): the screenshot is not acked, health degraded, reads from memory; space freed: everything lands",
        .enabled(if: SmallDisk.isAvailable, "mounting a size-limited tmpfs needs root")
    )
    func fullDisk() async throws {
        let disk = try SmallDisk(megabytes: 16)
        defer { disk.unmount() }
        try await TestBed.run { bed in
            let writer = try await bed.startWriter(dataDirectory: disk.url.appendingPathComponent("data", isDirectory: true)) {
                $0.databaseBusyTimeoutMilliseconds = 100
            }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-full-disk")
            let audit = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])

            let filler = try disk.fill()
            #expect(disk.freeBytes < 64 * 1024)
            let image = Samples.png(filler: 512 * 1024, seed: 7)
            let screenshot = runner.event(audit.id, seq: 3, .screenshot(index: 0, label: "full page", contentType: .png, image: image))
            let events = [
                runner.event(audit.id, seq: 2, Samples.progress(50)),
                screenshot,
                runner.event(audit.id, seq: 4, Samples.completed()),
            ]
            for event in events { try await runner.send(.event(event)) }

            #expect(try await eventually { try await client.health().status == .degraded })
            #expect(await runner.anyAcked([screenshot.eventID], within: .seconds(1)) == false, "a screenshot that could not be written was acknowledged")
            #expect(runner.snapshot.rejects.isEmpty, "a full disk is not the event's fault: no reject, the runner keeps it")
            #expect(try await client.health().database == .degraded)
            // Whatever was acknowledged is in the database; reads come from memory meanwhile.
            for event in events where runner.ackCount(event.eventID) > 0 {
                #expect(try DatabaseProbe.count(writer.databasePath, "processed_events", where: "event_id = ?", [event.eventID.rawValue]) == 1)
            }
            let status = try await client.status(audit.id)
            #expect(status.source == .memory)
            #expect(status.status == .completed)
            // Still degraded a while later: a committed batch does not hide the disk problem.
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await client.health().status == .degraded)

            try FileManager.default.removeItem(at: filler)
            try await runner.sendUntilAcked(events, resendEvery: .milliseconds(300), timeout: .seconds(10))
            #expect(try await eventually(timeout: .seconds(5)) { try await client.health().status == .ok })
            let path = writer.databasePath
            #expect(try DatabaseProbe.count(path, "processed_events", where: "audit_id = ?", [audit.id.rawValue]) == 4)
            #expect(try DatabaseProbe.text(path, "SELECT status FROM audits WHERE id = ?", [audit.id.rawValue]) == "completed")
            let stored = try await client.screenshots(audit.id)
            #expect(stored.screenshots.count == 1)
            let info = try #require(stored.screenshots.first)
            #expect(info.fileSizeBytes == image.count)
            let file = writer.dataDirectory.appendingPathComponent(info.filePath)
            #expect(try Data(contentsOf: file) == image, "the stored file is the whole image")
            let leftovers = fileTree(writer.dataDirectory.appendingPathComponent("screenshots")).filter { $0.hasSuffix(".tmp") || $0.contains("write-probe") }
            #expect(leftovers.isEmpty, "no temporary or probe file is left behind: \(leftovers)")
        }
    }
}
