import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport
@testable import VeritasRunner

/// The runner's own health: `health.json` in its data folder, judged by `veritas-runner --health`.
@Suite("runner health")
struct RunnerHealthTests {
    static func report(connected: Bool = true, outboxBytes: Int = 0, browser: RunnerHealth.Browser = .usable, age: Int64 = 0) -> RunnerHealth {
        RunnerHealth(
            runnerID: "r1", writer: "tcp://127.0.0.1:5556", connected: connected, outboxEvents: outboxBytes > 0 ? 3 : 0,
            outboxBytes: outboxBytes, outboxLimitBytes: 1_000, activeAudits: 1, capacity: 2, browser: browser,
            browserProblem: browser == .failing ? "navigation timed out" : nil, updatedAt: Timestamp.now.adding(milliseconds: -age))
    }

    @Test("each problem is named: stale, not connected, outbox over its limit, no Chromium, failing renderings; round-trips through its file")
    func problems() throws {
        #expect(Self.report().problems().isEmpty)
        #expect(Self.report(age: 60_000).problems().first?.contains("not running") == true)
        #expect(Self.report(connected: false).problems() == ["not connected to the writer at tcp://127.0.0.1:5556"])
        #expect(Self.report(outboxBytes: 5_000).problems().first?.contains("over its 1000-byte limit") == true)
        #expect(Self.report(browser: .missing).problems().first?.contains("no Chromium") == true)
        #expect(Self.report(browser: .failing).problems().first?.contains("navigation timed out") == true)

        let folder = try TemporaryFolder("runner-health")
        defer { folder.remove() }
        let written = Self.report(outboxBytes: 5_000, browser: .failing)
        try written.write(to: folder.url)
        #expect(try RunnerHealth.read(from: folder.url) == written)
        try Data("{\"runner_id\": 1}".utf8).write(to: folder.url.appendingPathComponent(RunnerHealth.fileName))
        #expect(throws: RunnerHealthError.self) { try RunnerHealth.read(from: folder.url) }
    }

    @Test("veritas-runner --health: 0 while the runner is connected with a usable Chromium, 1 once its writer is gone or with no report")
    func healthCommand() async throws {
        let folder = try TemporaryFolder("runner-health")
        defer { folder.remove() }
        let runnerData = folder.url.appendingPathComponent("runner")
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        let runner = try await InProcessRunner.start(dataDirectory: runnerData, writer: writer.endpoints.runners) {
            $0.chromiumPath = ""  // on PATH, as in production (make test installs it)
        }
        let check = ["--health", "--data-dir", runnerData.path]
        try await eventually("healthy") {
            (try? await BuiltProducts.run("veritas-runner", check))?.status == 0
        }
        let healthy = try await BuiltProducts.run("veritas-runner", check)
        #expect(healthy.stdout.contains("connected to"), "\(healthy.stdout)")

        try await writer.stop()
        try await eventually("unhealthy once the writer is gone", timeout: .seconds(15)) {
            let outcome = try await BuiltProducts.run("veritas-runner", check)
            return outcome.status == 1 && outcome.stderr.contains("not connected to the writer")
        }
        try await runner.stop()

        let nowhere = try await BuiltProducts.run("veritas-runner", ["--health", "--data-dir", folder.url.appendingPathComponent("none").path])
        #expect(nowhere.status == 1)
        #expect(nowhere.stderr.contains("no health.json"))
    }
}
