import Foundation
import Synchronization
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A real in-process writer plus a client of it, torn down after `body` whatever happens.
/// Runners get a long silence timeout so scripted runners need no heartbeats.
func withWriter(_ body: (InProcessWriter, WriterClient) async throws -> Void) async throws {
    let folder = try TemporaryFolder("veritas-client")
    defer { folder.remove() }
    let writer = try await InProcessWriter.start(dataDirectory: folder.url) { configuration in
        configuration.runnerSilentTimeoutMilliseconds = 60_000
    }
    let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3))
    do {
        try await body(writer, client)
    } catch {
        await client.close()
        try? await writer.stop()
        throw error
    }
    await client.close()
    try await writer.stop()
}

/// An endpoint nobody listens on: an IPC path that does not exist. (A TCP port bound and closed
/// again is not safe: a writer of a test running in parallel may get the same ephemeral port.)
func unusedEndpoint() -> String {
    "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("veritas-nobody-\(UUID().uuidString)").path
}

/// Sample payloads, as the writer's own tests use them.
enum Samples {
    /// A minimal whole PNG (signature, IHDR, IEND).
    static let png: Data = {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89]
        bytes += [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        return Data(bytes)
    }()

    static let findings = [
        Finding(patternType: .countdownTimer, severity: .medium, confidence: 0.9, evidence: "Offer ends in 09:59", location: "div.timer"),
        Finding(patternType: .lowStock, severity: .low, confidence: 0.5, evidence: "Only 2 left!"),
    ]

    static let completed = EventPayload.completed(CompletedEventPayload(
        trustScore: 72, riskLevel: .medium, narrative: "Mostly fine; one urgency pattern.",
        signalScores: ["security": 80, "dark_patterns": 60], siteType: .shop,
        securityResults: .object(["grade": .string("B")]),
        darkPatternSummary: DarkPatternSummary(findings: findings)))
}

/// A scripted runner: a DEALER on the runners endpoint that says hello, takes jobs and sends the
/// events it is told to, waiting for each to be acknowledged.
final class ScriptedRunner: Sendable {
    let runnerID: RunnerID
    private let loop: SocketLoop
    private let socket: AsyncSocket
    private let state = Mutex(State())

    private struct State {
        var welcomed = false
        var jobs: [AuditJob] = []
        var acked: Set<EventID> = []
        var rejected: [String] = []
        var seq: [AuditID: Int] = [:]
    }

    init(endpoint: String, name: String = "runner-\(UInt16.random(in: 1 ... .max))", curve: CurveClientCredentials? = nil) throws {
        runnerID = try RunnerID(name)
        let context = try Context()
        let dealer = try Socket(context, type: .dealer)
        if let curve { try dealer.configureCurveClient(curve) }
        try dealer.set(.linger, Duration.zero)
        try dealer.set(.routingID, Array(name.utf8))
        try dealer.connect(endpoint)
        loop = try SocketLoop(name: "test-runner")
        socket = loop.register(dealer)
    }

    /// Says hello and waits for the welcome.
    func hello(capacity: Int = 1) async throws {
        try await send(.hello(RunnerHello(runnerID: runnerID, capacity: capacity, version: "test")))
        _ = try await waitFor("welcome") { $0.welcomed ? true : nil }
    }

    func nextJob() async throws -> AuditJob {
        try await waitFor("a job") { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
    }

    /// Sends one event of `auditID` (numbered per audit) and waits for its ack.
    @discardableResult
    func send(_ auditID: AuditID, _ payload: EventPayload) async throws -> AuditEvent {
        let seq = state.withLock { state in
            state.seq[auditID, default: 0] += 1
            return state.seq[auditID]!
        }
        let event = AuditEvent(auditID: auditID, seq: seq, runnerID: runnerID, payload: payload)
        try await send(.event(event))
        let outcome = try await waitFor("ack of \(event.name.rawValue) \(seq)") { state in
            if let reason = state.rejected.first { return "\(event.name.rawValue) rejected: \(reason)" }
            return state.acked.contains(event.eventID) ? "" : nil
        }
        if !outcome.isEmpty { throw TestFailure(outcome) }
        return event
    }

    /// started, progress 50 %, one PNG screenshot, completed.
    func complete(_ job: AuditJob) async throws {
        try await send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
        try await send(job.auditID, .progress(ProgressEventPayload(phase: "dark_patterns", percent: 50)))
        try await send(job.auditID, .screenshot(index: 0, label: "Viewport (1280x800)", contentType: .png, image: Samples.png))
        try await send(job.auditID, Samples.completed)
    }

    func close() async {
        await socket.close()
        await loop.shutdown()
    }

    private func send(_ message: RunnerMessage) async throws {
        try await socket.send(message.encodeFrames().map { Frame($0) })
    }

    /// Reads writer messages until `match` finds what it wants, for at most 4 s.
    private func waitFor<T>(_ what: String, _ match: (inout State) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(4)
        while true {
            if let found = state.withLock({ match(&$0) }) { return found }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw TestFailure("\(runnerID): \(what) did not arrive") }
            guard let batch = await socket.receive(upTo: 64, timeout: min(remaining, .milliseconds(100))) else {
                throw TestFailure("\(runnerID): socket closed while waiting for \(what)")
            }
            state.withLock { state in
                for frames in batch {
                    switch try? WriterMessage.decode(frames: frames.map(\.data)) {
                    case .welcome: state.welcomed = true
                    case .job(let job): state.jobs.append(job)
                    case .ack(let ids): state.acked.formUnion(ids)
                    case .reject(_, let error): state.rejected.append(error.description)
                    case .error(let error): state.rejected.append(error.description)
                    case .heartbeat, nil: break
                    }
                }
            }
        }
    }
}

/// Runs the built `veritas` executable, found next to the test binary.
enum VeritasCLI {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("veritas")
    }

    /// Runs `veritas arguments...` to completion on a thread of its own (never blocking the
    /// cooperative pool the in-process writer runs on).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                var merged = ProcessInfo.processInfo.environment
                merged["VERITAS_WRITER"] = nil
                merged["VERITAS_FEED"] = nil
                merged.merge(environment) { $1 }
                let base = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-cli-\(UUID().uuidString)")
                let out = base.appendingPathExtension("out")
                let err = base.appendingPathExtension("err")
                defer {
                    try? FileManager.default.removeItem(at: out)
                    try? FileManager.default.removeItem(at: err)
                }
                do {
                    let child = try SpawnedProcess(
                        executable: executable.path, arguments: arguments, environment: merged, stdout: out, stderr: err)
                    let status = child.waitForExit()
                    continuation.resume(returning: Outcome(status: status, stdout: child.stdout, stderr: child.stderr))
                } catch {
                    continuation.resume(throwing: TestFailure("cannot run \(executable.path): \(error)"))
                }
            }
            thread.start()
        }
    }
}
