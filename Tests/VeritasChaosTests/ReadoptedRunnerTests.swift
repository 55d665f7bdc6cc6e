import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

extension ChaosTests {
    /// The smallest form of a second finding of the chaos runs: audits started long after they
    /// were handed out, requeued while they waited, and run twice.
    ///
    /// A runner that goes quiet for longer than the silence timeout (a stalled link, a reconnect
    /// while a writer restarts) has its jobs requeued, although it keeps running them. When it is
    /// heard again its heartbeat lists the audit it is running in `active`. The writer must then
    /// not hand it that same audit again as a new attempt (it claims it for the runner again),
    /// nor more jobs than its free capacity (capacity minus `active`). The runner, for its part,
    /// lists every job it holds in `active`, waiting ones included, and ignores a job for an
    /// audit it already holds (RunnerState.accept).
    ///
    /// A scripted runner (capacity 2) against a real in-process writer: hello, job A, `started`,
    /// 2.5 s of silence (A is requeued), then heartbeats with `active` = [A] while B and C wait.
    @Test("a runner heard again after a silence gets neither its running audit again nor more jobs than its free slots",
          .timeLimit(.minutes(1)))
    func readoptedRunnerIsNotOverloaded() async throws {
        let folder = try ChaosFolder("readopted")
        let checks = Checks()
        var passed = false
        defer { folder.finish(failed: !passed || checks.failures > 0) }
        let writer = try await InProcessWriter.start(dataDirectory: folder.url) { configuration in
            configuration.heartbeatIntervalMilliseconds = 100
            configuration.runnerSilentTimeoutMilliseconds = 1_000
        }
        let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3))
        let runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "readopted-runner")
        do {
            let auditA = try await client.submit(url: "https://a.example/").id
            try await runner.send(.hello(RunnerHello(runnerID: runner.runnerID, capacity: 2, version: "chaos-test")))
            let first = try await runner.jobs(count: 1, within: .seconds(3))
            try #require(first.map(\.auditID) == [auditA], "the first job is A: \(first)")
            try await runner.send(.event(AuditEvent(
                auditID: auditA, seq: 1, runnerID: runner.runnerID,
                payload: .started(StartedEventPayload(url: first[0].url, tier: first[0].tier, verdictMode: first[0].verdictMode)))))

            // Silence: the writer drops the session and requeues A (the runner is still on it).
            let requeued = try await eventually(timeout: .seconds(5), every: .milliseconds(100)) { try await client.status(auditA).status == .queued }
            try #require(requeued, "A was not requeued after the runner's silence")
            let auditB = try await client.submit(url: "https://b.example/").id
            let auditC = try await client.submit(url: "https://c.example/").id

            // Heard again: heartbeats saying it is running A. One slot is free.
            var received: [AuditJob] = []
            let deadline = ContinuousClock.now + .milliseconds(1_500)
            while ContinuousClock.now < deadline {
                // As a real runner does, it lists every job it holds: A and whatever it received.
                try await runner.send(.heartbeat(RunnerHeartbeat(runnerID: runner.runnerID, capacity: 2, active: [auditA] + received.map(\.auditID))))
                received += try await runner.jobs(count: .max, within: .milliseconds(100), required: false)
            }
            let names = [auditA: "A", auditB: "B", auditC: "C"]
            let summary = received.map { "\(names[$0.auditID] ?? "?") (attempt \($0.attempt))" }
            print("chaos: readopted: jobs after the runner was heard again with active=[A], capacity 2: \(summary)")
            checks.expect(!received.contains { $0.auditID == auditA },
                          "A, which the runner lists as active, was handed to it again: \(summary)")
            checks.expect(received.count <= 1, "capacity 2 with A active leaves one slot, but the writer sent \(received.count) jobs: \(summary)")
        } catch {
            await runner.close()
            await client.close()
            try? await writer.stop()
            throw error
        }
        await runner.close()
        await client.close()
        try await writer.stop()
        passed = true
    }
}
