import Foundation
import Testing
import VeritasProtocol
import VeritasRunner
import VeritasTestSupport

@Suite("outbox: every event reaches the writer exactly once")
struct OutboxDeliveryTests {
    @Test("events stored while the writer is down arrive once after it restarts on the same folder and endpoint")
    func writerRestart() async throws {
        let folder = try TemporaryFolder("runner-writer-restart")
        defer { folder.remove() }
        let writerFolder = folder.url.appendingPathComponent("writer")
        let endpoint = try freeLoopbackEndpoint()
        var writer = try await startWriter(writerFolder, runnersEndpoint: endpoint)
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: endpoint)
        try await eventually("runner welcomed") { runner.handle.link.isConnected }

        try await writer.stop()
        let (id, events) = try sampleEvents(runner: "outbox-writer-restart", auditID: try await seedHandedOutAudit(writerFolder: writerFolder))
        for event in events { try await runner.handle.outbox.store(event) }
        runner.handle.link.wake()
        #expect(runner.handle.outbox.count == 3)

        writer = try await startWriter(writerFolder, runnersEndpoint: endpoint)
        let database = try WriterDatabase(writerFolder)
        try await eventually("events acknowledged") { runner.handle.outbox.count == 0 }
        #expect(try database.status(id) == "completed")
        #expect(try database.processedEvents(id) == 3)
        #expect(runner.handle.link.statistics.eventsSent >= 3)

        try await runner.stop()
        try await writer.stop()
    }

    @Test("events left in the outbox by a stopped runner are resent and acknowledged when it starts again")
    func runnerRestart() async throws {
        let folder = try TemporaryFolder("runner-restart")
        defer { folder.remove() }
        let runnerFolder = folder.url.appendingPathComponent("runner")
        let seeded = try await seedHandedOutAudit(writerFolder: folder.url.appendingPathComponent("writer"))
        let (id, events) = try sampleEvents(runner: "outbox-runner-restart", auditID: seeded)
        do {
            let leftover = try Outbox(directory: runnerFolder)
            for event in events { try await leftover.store(event) }
            #expect(leftover.count == 3)
        }
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        let runner = try await InProcessRunner.start(dataDirectory: runnerFolder, writer: writer.endpoints.runners)
        let database = try WriterDatabase(folder.url.appendingPathComponent("writer"))
        try await eventually("outbox drained") { runner.handle.outbox.count == 0 }
        #expect(try database.status(id) == "completed")
        #expect(try database.processedEvents(id) == 3)

        try await runner.stop()
        try await writer.stop()
    }

    @Test("a rejected event is deleted from the outbox, not resent")
    func reject() async throws {
        let folder = try TemporaryFolder("runner-reject")
        defer { folder.remove() }
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners)
        // Valid on the wire, but not a whole PNG: the writer answers `reject`.
        let bogus = AuditEvent(
            auditID: .generate(), seq: 1, runnerID: try RunnerID("reject-test"),
            payload: .screenshot(index: 0, label: "viewport", contentType: .png, image: Data("not a png".utf8)))
        try await runner.handle.outbox.store(bogus)
        runner.handle.link.wake()
        try await eventually("rejected event dropped") { runner.handle.outbox.count == 0 }
        #expect(runner.handle.link.statistics.rejected == 1)
        #expect(runner.handle.link.statistics.acked == 0)

        try await runner.stop()
        try await writer.stop()
    }
}
