import Foundation
import Testing
import VeritasProtocol
import VeritasRunner
import VeritasTestSupport

@Suite("graceful shutdown")
struct GracefulShutdownTests {
    @Test("an audit still running after the grace period is released back to the queue")
    func releasesUnfinished() async throws {
        let folder = try TemporaryFolder("runner-shutdown")
        defer { folder.remove() }
        let site = try await FixtureServer.start([
            "/slow": .init(body: "<html><body>late</body></html>", delay: .seconds(120)),
        ])
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners)
        let database = try WriterDatabase(folder.url.appendingPathComponent("writer"))

        let id = try await submit(writer, url: site.url("/slow"))
        try await eventually("audit running") { try database.status(id) == "running" }
        let start = ContinuousClock.now
        try await runner.stop()
        // Stop must not wait for the site (2 minutes): grace 0.3 s, the outbox drain (at most 2 s)
        // and the egress proxy's stop. The bound leaves room for a loaded machine running the
        // whole suite (5.25 s was seen there once), not for the audit.
        #expect(ContinuousClock.now - start < .seconds(20))
        // `release` requeued it at once (not the 2 s silence timeout); no runner is left to take it.
        try await eventually("audit requeued", timeout: .seconds(1)) { try database.status(id) == "queued" }
        let attempts = try database.count("SELECT attempts FROM audits WHERE id = ?", id)
        #expect(attempts == 1)

        try await writer.stop()
        await site.stop()
    }
}
