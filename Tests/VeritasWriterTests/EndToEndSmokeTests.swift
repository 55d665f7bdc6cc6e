import Foundation
import Testing
import VeritasProtocol
@testable import VeritasWriter

@Suite("Writer end to end")
struct EndToEndSmokeTests {
    @Test("submit, hand out, apply events, ack, and answer queries from the database")
    func fullLifecycle() async throws {
        let writer = try await WriterHarness.start()
        defer { writer.removeData() }
        let client = try QueryClient(endpoint: writer.endpoints.queries)
        let runner = try FakeRunner(endpoint: writer.endpoints.runners, runnerID: "runner-a")

        let (submitted, _) = try await client.request(#"{"op":"submit","url":"https://shop.example/","tier":"quick"}"#)
        guard case let .submitted(audit) = submitted.reply else { Issue.record("submit failed: \(submitted)"); return }
        #expect(audit.status == .queued)
        #expect(audit.source == .database)

        try await runner.connect(capacity: 2)
        let job = try await runner.nextJob()
        #expect(job.auditID == audit.id)
        #expect(job.attempt == 1)

        try await runner.sendAndAwaitAcks([
            runner.event(audit.id, seq: 1, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode))),
            runner.event(audit.id, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
            runner.event(audit.id, seq: 3, Samples.completed()),
        ])

        let (status, _) = try await client.request(#"{"op":"status","audit_id":"\#(audit.id)"}"#)
        guard case let .audit(stored) = status.reply else { Issue.record("status failed: \(status)"); return }
        #expect(stored.status == .completed)
        #expect(stored.trustScore == 72)
        #expect(stored.source == .database)

        let (findings, _) = try await client.request(#"{"op":"findings","audit_id":"\#(audit.id)"}"#)
        guard case let .findings(list) = findings.reply else { Issue.record("findings failed: \(findings)"); return }
        #expect(list.findings == [Samples.finding])

        let (shot, image) = try await client.request(#"{"op":"screenshot","audit_id":"\#(audit.id)","index":0}"#)
        guard case let .screenshot(info, _) = shot.reply else { Issue.record("screenshot failed: \(shot)"); return }
        #expect(image == Samples.png)
        #expect(info.fileSizeBytes == Samples.png.count)
        #expect(FileManager.default.fileExists(atPath: writer.dataDirectory.appendingPathComponent(info.filePath).path))

        let (health, _) = try await client.request(#"{"op":"health"}"#)
        guard case let .health(report) = health.reply else { Issue.record("health failed: \(health)"); return }
        #expect(report.database == .ok)
        #expect(report.counts.completed == 1)
        #expect(report.connectedRunners == 1)

        await runner.close()
        await client.close()
        try await writer.stop()
    }
}
