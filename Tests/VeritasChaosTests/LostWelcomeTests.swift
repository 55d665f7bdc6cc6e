import Foundation
import Testing
import VeritasDemo
import VeritasProtocol
import ZeroMQ

extension ChaosTests {
    /// The smallest form of what the writer hard-bounce test found: a writer killed after a
    /// runner's `hello` reached it but before its `welcome` went out. The restarted writer adopts
    /// the runner from its heartbeats, as docs/PROTOCOL.md §6 says ("No `welcome` is sent"), and
    /// answers them, so the runner never sees silence; it must still not wait for a `welcome`
    /// forever while its outbox fills.
    ///
    /// A scripted writer (a ROUTER in this test) plays the restarted writer: it drops the first
    /// `hello` (lost with the killed writer), answers heartbeats, hands out one job of the honest
    /// sample shop, and welcomes and acknowledges normally from then on. A real `veritas-runner`
    /// must deliver that audit's events within 10 s.
    @Test("a runner whose hello was lost with a killed writer still delivers its events to the restarted writer",
          .timeLimit(.minutes(1)))
    func lostHelloIsRecovered() async throws {
        let runnerExecutable = try #require(ChaosExecutables.runner, "veritas-runner was not built next to the tests")
        let folder = try ChaosFolder("lost-hello")
        let checks = Checks()
        var passed = false
        defer { folder.finish(failed: !passed || checks.failures > 0) }
        let sites = try await SampleSiteServer.start()

        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.set(.linger, Duration.zero)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try #require(router.lastEndpoint)
        let loop = try SocketLoop(name: "scripted-writer")
        let socket = loop.register(router)

        let scratch = folder.url.appendingPathComponent("t", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var environment = ChaosTests.runnerSettings
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["VERITAS_LOG_FORMAT"] = "json"
        environment["VERITAS_RUNNER_ID"] = "lost-hello-runner"
        environment["VERITAS_WRITER_RUNNERS_ENDPOINT"] = endpoint
        environment["VERITAS_RUNNER_DATA_DIR"] = folder.url.appendingPathComponent("runner").path
        environment["TMPDIR"] = scratch.path
        environment["HOME"] = scratch.path
        let logs = folder.url.appendingPathComponent("logs", isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let runner = try ChaosProcess(name: "runner", executable: runnerExecutable, environment: environment, directory: folder.url, logs: logs)
        defer { runner.forceStop() }

        let writerID = try RunnerID("scripted-writer")
        let job = AuditJob(auditID: .generate(), url: sites.url(of: .honestShop), tier: .quick, verdictMode: .simple, attempt: 1, createdAt: .now)
        var hellos = 0
        var heartbeats = 0
        var jobSent = false
        var events: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, !events.contains(EventName.completed.rawValue) {
            guard let batch = await socket.receive(upTo: 64, timeout: .milliseconds(50)) else { break }
            for message in batch where message.count >= 2 {
                let routing = message[0]
                func reply(_ answer: WriterMessage) { socket.post([routing, Frame(answer.encode())]) }
                switch try? RunnerMessage.decode(frames: message.dropFirst().map(\.data)) {
                case .hello:
                    hellos += 1
                    // The first hello is lost with the writer that was killed; later ones are answered.
                    if hellos > 1 {
                        reply(.welcome(WriterWelcome(writerID: writerID, heartbeatIntervalMilliseconds: 200, heartbeatTimeoutMilliseconds: 1_500)))
                    }
                case .heartbeat:
                    heartbeats += 1
                    reply(.heartbeat(writerID: writerID))
                    // Adopted from its heartbeat, the runner gets a job, as the real writer does.
                    if !jobSent {
                        jobSent = true
                        reply(.job(job))
                    }
                case .event(let event):
                    events.append(event.name.rawValue)
                    reply(.ack(eventIDs: [event.eventID]))
                default:
                    break
                }
            }
        }
        let unsent = try outboxCount(folder.url.appendingPathComponent("runner/outbox.sqlite").path)
        let finishedAudits = runner.logLines("audit finished").count
        await socket.close()
        await loop.shutdown()
        await sites.stop()
        print("chaos: lost-hello: hellos=\(hellos) heartbeats=\(heartbeats) job_sent=\(jobSent) audits_finished_by_runner=\(finishedAudits) events_received=\(events.count) events_left_in_outbox=\(unsent)")

        checks.expect(jobSent, "the runner never heartbeated, so no job was handed out")
        checks.expect(
            events.contains(EventName.completed.rawValue),
            "in 10 s the runner sent \(events.count) events (\(events)) and \(hellos) hello(s) while \(heartbeats) heartbeats were answered; "
                + "it finished \(finishedAudits) audit(s) and holds \(unsent) unsent events in its outbox: it waits for a welcome that never comes")
        passed = true
    }
}
