import Synchronization
import VeritasProtocol
import ZeroMQ

/// A scripted runner: a DEALER on the runners endpoint that speaks the runner side of the
/// protocol by hand. It says hello, takes jobs and sends the events (or any message) it is told
/// to, waiting for acknowledgements where asked.
public final class ScriptedRunner: Sendable {
    public let runnerID: RunnerID
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

    public init(endpoint: String, name: String = "runner-\(UInt16.random(in: 1 ... .max))", curve: CurveClientCredentials? = nil) throws {
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
    public func hello(capacity: Int = 1) async throws {
        try await send(.hello(RunnerHello(runnerID: runnerID, capacity: capacity, version: "test")))
        _ = try await waitFor("welcome") { $0.welcomed ? true : nil }
    }

    public func nextJob() async throws -> AuditJob {
        try await waitFor("a job") { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
    }

    /// Sends one event of `auditID` (numbered per audit) and waits for its ack.
    @discardableResult
    public func send(_ auditID: AuditID, _ payload: EventPayload) async throws -> AuditEvent {
        let seq = state.withLock { state in
            state.seq[auditID, default: 0] += 1
            return state.seq[auditID]!
        }
        let event = AuditEvent(auditID: auditID, seq: seq, runnerID: runnerID, payload: payload)
        try await deliver(event)
        return event
    }

    /// Sends `event` (a new one, or one sent before: a resend) and waits for its ack.
    public func deliver(_ event: AuditEvent) async throws {
        try await send(.event(event))
        let outcome = try await waitFor("ack of \(event.name.rawValue) \(event.seq)") { state in
            if let reason = state.rejected.first { return "\(event.name.rawValue) rejected: \(reason)" }
            return state.acked.contains(event.eventID) ? "" : nil
        }
        if !outcome.isEmpty { throw ScriptedRunnerError(outcome) }
    }

    /// The jobs that arrive within `within` (up to `count`); throws if `required` and none came.
    public func jobs(count: Int, within: Duration, required: Bool = true) async throws -> [AuditJob] {
        let deadline = ContinuousClock.now + within
        var jobs: [AuditJob] = []
        while jobs.count < count {
            let wanted = count - jobs.count
            let taken = state.withLock { state in
                let taken = Array(state.jobs.prefix(wanted))
                state.jobs.removeFirst(taken.count)
                return taken
            }
            jobs.append(contentsOf: taken)
            let remaining = deadline - ContinuousClock.now
            if jobs.count >= count || remaining <= .zero { break }
            guard await pump(within: min(remaining, .milliseconds(50))) else { break }
        }
        if required && jobs.isEmpty { throw ScriptedRunnerError("\(runnerID): no job within \(within)") }
        return jobs
    }

    public func close() async {
        await socket.close()
        await loop.shutdown()
    }

    /// Sends any runner message as is.
    public func send(_ message: RunnerMessage) async throws {
        try await socket.send(message.encodeFrames().map { Frame($0) })
    }

    /// Reads what the writer sent within `within` into the state; `false` once the socket closed.
    private func pump(within: Duration) async -> Bool {
        guard let batch = await socket.receive(upTo: 64, timeout: within) else { return false }
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
        return true
    }

    /// Reads writer messages until `match` finds what it wants, for at most 4 s.
    private func waitFor<T>(_ what: String, _ match: (inout State) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(4)
        while true {
            if let found = state.withLock({ match(&$0) }) { return found }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw ScriptedRunnerError("\(runnerID): \(what) did not arrive") }
            guard await pump(within: min(remaining, .milliseconds(100))) else {
                throw ScriptedRunnerError("\(runnerID): socket closed while waiting for \(what)")
            }
        }
    }
}

/// What a ``ScriptedRunner`` could not do.
public struct ScriptedRunnerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
