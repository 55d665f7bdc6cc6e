import Foundation
import Logging
import Synchronization
import VeritasProtocol
import ZeroMQ

/// The runner's connection to a writer: a DEALER whose routing id is the runner id, the
/// `hello`/`welcome` handshake, heartbeats both ways, and the outbox pump (docs/PROTOCOL.md §6, §9).
///
/// One task (``run()``) owns the conversation. Each pass of its loop reads what the writer sent
/// (waiting at most ``tick``), then does the timed work: heartbeat when due, reconnect when the
/// writer has been silent for its `heartbeat_timeout_ms`, and pump the outbox when new events
/// were stored, acks freed room, or an ack is overdue.
///
/// The pump never sends more than ``RunnerConfiguration/resendWindow`` unacknowledged events, so a
/// runner that comes back with a full outbox does not flood the writer. After every (re)connect
/// the whole outbox is sent again, oldest first: the writer stores each event once whatever
/// arrives twice.
///
/// Sends never block (``AsyncSocket/post(_:)``): a message lost on the way is covered by the
/// resend timer, and a lost heartbeat by the next one.
///
/// **Failover.** With several writers (``RunnerConfiguration/writerEndpoints``, writers of one
/// database), a connection that is lost or never welcomed moves the link to the next writer in
/// the list at once; the backoff applies only once every writer has been tried without a welcome.
/// The new writer gets `hello` with the audits still running (it takes their jobs over) and the
/// whole outbox, so nothing is lost, and its store answers resends of events the old writer
/// committed as duplicates, so nothing is applied twice.
public final class WriterLink: Sendable {
    /// What the link reports to its owner.
    public struct Handlers: Sendable {
        /// A `job` arrived; `false` when the runner has no free slot for it (the link hands it
        /// straight back with `release`).
        public var job: @Sendable (AuditJob) -> Bool
        /// The audits still running, for `hello` and `heartbeat`.
        public var activeAudits: @Sendable () -> [AuditID]

        public init(job: @escaping @Sendable (AuditJob) -> Bool, activeAudits: @escaping @Sendable () -> [AuditID]) {
            self.job = job
            self.activeAudits = activeAudits
        }
    }

    /// How the link is doing, for tests and health.
    public struct Statistics: Sendable, Equatable {
        /// Connections opened (1 for the first, +1 per reconnect).
        public var connections = 0
        /// `welcome`s received.
        public var welcomes = 0
        /// Event sends, first sends and resends alike.
        public var eventsSent = 0
        /// Event ids acknowledged by the writer.
        public var acked = 0
        /// Events the writer rejected.
        public var rejected = 0
        /// Heartbeats received from the writer.
        public var writerHeartbeats = 0
    }

    private let configuration: RunnerConfiguration
    private let runnerID: RunnerID
    private let outbox: Outbox
    private let context: Context
    private let loop: SocketLoop
    private let curve: CurveClientCredentials?
    private let handlers: Handlers
    private let logger: Logger
    private let version: String

    private let stopRequested = Atomic<Bool>(false)
    private let wakeRequested = Atomic<Bool>(false)
    private let current = Mutex<AsyncSocket?>(nil)
    private let welcomed = Atomic<Bool>(false)
    private let stats = Mutex(Statistics())
    /// The writers to try, in order, and the one the next connection goes to.
    private let endpoints: Mutex<(list: [String], index: Int)>

    /// How long one pass waits for writer messages: the latency of a newly stored event.
    let tick: Duration = .milliseconds(20)

    /// - Parameter curve: the CURVE credentials to connect with; `nil` for plaintext.
    public init(
        configuration: RunnerConfiguration, runnerID: RunnerID, outbox: Outbox, context: Context, loop: SocketLoop,
        curve: CurveClientCredentials? = nil, version: String, logger: Logger, handlers: Handlers
    ) {
        self.curve = curve
        self.configuration = configuration
        self.runnerID = runnerID
        self.outbox = outbox
        self.context = context
        self.loop = loop
        self.version = version
        self.logger = logger
        self.handlers = handlers
        let list = configuration.writerEndpoints
        self.endpoints = Mutex((list.isEmpty ? [DefaultEndpoints.runnersConnect] : list, 0))
    }

    /// Whether the writer has answered `hello` on the current connection.
    public var isConnected: Bool { welcomed.load(ordering: .relaxed) }

    /// Counters since start.
    public var statistics: Statistics { stats.withLock { $0 } }

    /// The endpoint of the current connection (or of the next attempt).
    public var writerEndpoint: String { endpoints.withLock { $0.list[$0.index] } }

    /// Switches to another writer endpoint: the current connection is dropped and the next one
    /// goes to `newEndpoint` (the outbox is resent there, like after any reconnect).
    public func reconnect(to newEndpoint: String) {
        endpoints.withLock { $0 = ([newEndpoint], 0) }
        forceReconnect.store(true, ordering: .relaxed)
    }

    /// Moves to the next writer of the list; returns whether the list started over (every writer
    /// was tried since the last welcome, when `welcomed` is false).
    private func failOver() -> Bool {
        endpoints.withLock { state in
            state.index = (state.index + 1) % state.list.count
            return state.index == 0
        }
    }
    private let forceReconnect = Atomic<Bool>(false)

    /// New events are in the outbox: send them at the next pass.
    public func wake() {
        wakeRequested.store(true, ordering: .relaxed)
    }

    /// Ends ``run()`` after its current pass; the socket closes (lingering to flush what is queued).
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Sends a control message (`release`, `bye`) on the current connection; `false` when there is
    /// none or the send failed.
    @discardableResult
    public func send(_ message: RunnerMessage) async -> Bool {
        guard let socket = current.withLock({ $0 }) else { return false }
        do {
            try await socket.send(message.encodeFrames().map { Frame(noCopy: $0) })
            return true
        } catch {
            logger.warning("could not send to the writer", metadata: ["type": "\(message.type.rawValue)", "error": "\(error)"])
            return false
        }
    }

    /// Sends several control messages back to back (`release`s then `bye`), so the writer
    /// reads them in one batch: no job is handed out again between a `release` and the `bye`.
    @discardableResult
    public func send(_ messages: [RunnerMessage]) async -> Bool {
        guard let socket = current.withLock({ $0 }), let last = messages.last else { return false }
        for message in messages.dropLast() { post(message, on: socket) }
        return await send(last)
    }

    // MARK: The connection loop

    private enum Ending {
        case stopped
        case lost
    }

    /// Connects, converses, and reconnects with exponential backoff and jitter until ``stop()``.
    public func run() async {
        var failures = 0
        while !stopRequested.load(ordering: .relaxed) && !Task.isCancelled {
            let target = writerEndpoint
            let socket: (socket: AsyncSocket, monitor: SocketMonitor?)
            do {
                socket = try openSocket(to: target)
            } catch {
                logger.error("cannot open the writer connection", metadata: ["endpoint": "\(target)", "error": "\(error)"])
                failures += 1
                await backoff(failures)
                continue
            }
            stats.withLock { $0.connections += 1 }
            current.withLock { $0 = socket.socket }
            let welcomesBefore = stats.withLock(\.welcomes)
            let ending = await converse(on: socket.socket)
            current.withLock { $0 = nil }
            welcomed.store(false, ordering: .relaxed)
            // What is still queued on an abandoned connection must not reach a writer later (a
            // restarted one: libzmq reconnects during the linger): a stale heartbeat there would
            // take over jobs this runner now holds through another writer. Only a graceful stop
            // lingers, so `release` and `bye` leave.
            await socket.socket.close(discardUnsent: ending == .lost)
            socket.monitor?.stop()
            if ending == .stopped { break }
            let wasWelcomed = stats.withLock(\.welcomes) > welcomesBefore
            if wasWelcomed { failures = 0 }
            if forceReconnect.exchange(false, ordering: .relaxed) {
                failures = 0
                continue
            }
            if endpoints.withLock({ $0.list.count }) > 1 {
                // Another writer of the same database may well answer: try it at once, and back
                // off only after a whole round of writers without a welcome.
                let startedOver = failOver()
                logger.warning("failing over to the next writer", metadata: ["endpoint": "\(writerEndpoint)", "runner_id": "\(runnerID)"])
                if !startedOver { continue }
            }
            failures = wasWelcomed ? 1 : failures + 1
            await backoff(failures)
        }
    }

    private func openSocket(to target: String) throws(ZMQError) -> (socket: AsyncSocket, monitor: SocketMonitor?) {
        let socket = try Socket(context, type: .dealer)
        if let curve { try socket.configureCurveClient(curve) }
        // A refused handshake looks like silence from here: say why, once per attempt.
        let hint = curve == nil
            ? "the writer may require CURVE: set security.curve_secret_key_file and security.writer_key_file"
            : "check that the writer's runner allowlist holds this runner's public key and that security.writer_key_file is the writer's key"
        let monitor = try? SocketMonitor(watching: socket, events: .handshakeFailures) { [logger] event in
            logger.error("the writer refused this runner's connection", metadata: [
                "endpoint": "\(event.endpoint)", "reason": "\(event.reason)",
                "hint": "\(hint)",
            ])
        }
        try socket.set(.routingID, Array(runnerID.rawValue.utf8))
        // Long enough for `release` and `bye` to leave on a graceful stop.
        try socket.set(.linger, .seconds(1))
        try socket.set(.reconnectInterval, .milliseconds(Int64(configuration.reconnectInitialMilliseconds)))
        try socket.set(.reconnectIntervalMax, .milliseconds(Int64(configuration.reconnectMaxMilliseconds)))
        try socket.set(.maxMessageSize, Int64(ProtocolLimits.maxWriterMessageBytes * 2))
        try socket.connect(target)
        return (loop.register(socket, options: .init(receiveBufferLimit: 1024, maxFrames: 4, sendTimeout: .seconds(5))), monitor)
    }

    private func backoff(_ failures: Int) async {
        guard failures > 0 else { return }
        let base = Double(configuration.reconnectInitialMilliseconds) * pow(2, Double(min(failures - 1, 20)))
        let capped = min(base, Double(configuration.reconnectMaxMilliseconds))
        // "Equal jitter": at least half the delay, so a fleet of runners spreads out without
        // ever hammering a writer that is coming back.
        let delay = capped / 2 + Double.random(in: 0...(capped / 2))
        let deadline = ContinuousClock.now + .milliseconds(Int64(delay))
        while ContinuousClock.now < deadline && !stopRequested.load(ordering: .relaxed) && !Task.isCancelled {
            try? await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
    }

    private func converse(on socket: AsyncSocket) async -> Ending {
        let clock = ContinuousClock()
        var heartbeatInterval = Duration.milliseconds(configuration.heartbeatIntervalMilliseconds)
        var silenceTimeout = Duration.milliseconds(configuration.heartbeatTimeoutMilliseconds)
        var lastHeard = clock.now
        var lastHeartbeat = clock.now
        var lastPump = clock.now
        var isWelcomed = false

        do {
            try await outbox.markAllUnsent()
        } catch {
            logger.error("outbox unreadable", metadata: ["error": "\(error)"])
        }
        post(.hello(RunnerHello(runnerID: runnerID, capacity: configuration.capacity, active: active(), version: version)), on: socket)
        let helloSent = clock.now
        logger.info("connecting to writer", metadata: ["endpoint": "\(writerEndpoint)", "runner_id": "\(runnerID)"])

        while true {
            if stopRequested.load(ordering: .relaxed) || Task.isCancelled { return .stopped }
            if forceReconnect.load(ordering: .relaxed) { return .lost }
            guard let messages = await socket.receive(upTo: 256, timeout: tick) else { return .lost }
            var pumpNow = false
            for frames in messages {
                lastHeard = clock.now
                let message: WriterMessage
                do {
                    message = try WriterMessage.decode(frames: frames.map(\.data))
                } catch {
                    logger.warning("unreadable message from the writer", metadata: ["error": "\(error)"])
                    continue
                }
                switch message {
                case .welcome(let welcome):
                    heartbeatInterval = .milliseconds(welcome.heartbeatIntervalMilliseconds)
                    silenceTimeout = .milliseconds(welcome.heartbeatTimeoutMilliseconds)
                    isWelcomed = true
                    welcomed.store(true, ordering: .relaxed)
                    stats.withLock { $0.welcomes += 1 }
                    pumpNow = true
                    logger.info("writer welcomed the runner", metadata: [
                        "writer_id": "\(welcome.writerID)", "heartbeat_interval_ms": "\(welcome.heartbeatIntervalMilliseconds)",
                        "heartbeat_timeout_ms": "\(welcome.heartbeatTimeoutMilliseconds)", "outbox": "\(outbox.count)",
                    ])
                case .job(let job):
                    if !handlers.job(job) {
                        // More jobs than slots: writers that took turns with this runner (it
                        // failed over and back) each counted its slots. Back at once, so another
                        // runner takes it instead of it waiting here past its lease.
                        logger.notice("job beyond this runner's capacity; handed back", metadata: ["audit_id": "\(job.auditID)"])
                        post(.release(JobRelease(runnerID: runnerID, auditID: job.auditID, reason: "runner \(runnerID) has no free slot")), on: socket)
                    }
                case .ack(let eventIDs):
                    do {
                        let removed = try await outbox.remove(eventIDs)
                        stats.withLock { $0.acked += removed }
                    } catch {
                        logger.error("could not delete acknowledged events from the outbox", metadata: ["error": "\(error)"])
                    }
                    pumpNow = true
                case .reject(let eventID, let error):
                    logger.error("writer rejected an event; it is dropped (a runner bug)", metadata: [
                        "event_id": "\(eventID?.rawValue ?? "-")", "code": "\(error.code.rawValue)", "message": "\(error.message)",
                    ])
                    if let eventID {
                        stats.withLock { $0.rejected += 1 }
                        _ = try? await outbox.remove([eventID])
                    }
                    pumpNow = true
                case .heartbeat:
                    stats.withLock { $0.writerHeartbeats += 1 }
                case .error(let error) where error.code == .notRegistered:
                    // The writer holds no session for this connection (e.g. after our `bye`):
                    // start over with a new hello.
                    logger.warning("writer holds no session for this runner; reconnecting with hello", metadata: ["message": "\(error.message)"])
                    return .lost
                case .error(let error):
                    logger.error("writer reported an error", metadata: ["code": "\(error.code.rawValue)", "message": "\(error.message)"])
                }
            }

            let now = clock.now
            // A writer that restarted after reading `hello` answers heartbeats but never welcomes
            // this connection, and events are sent only after a welcome: start over, with a new hello.
            if !isWelcomed, now - helloSent > silenceTimeout {
                logger.warning("no welcome from the writer; reconnecting", metadata: ["waited_ms": "\((now - helloSent).components.seconds * 1000)"])
                return .lost
            }
            if now - lastHeard > silenceTimeout {
                logger.warning("writer silent; reconnecting", metadata: ["silent_ms": "\((now - lastHeard).components.seconds * 1000)"])
                return .lost
            }
            if now - lastHeartbeat >= heartbeatInterval {
                lastHeartbeat = now
                post(.heartbeat(RunnerHeartbeat(runnerID: runnerID, capacity: configuration.capacity, active: active())), on: socket)
            }
            if wakeRequested.exchange(false, ordering: .relaxed) { pumpNow = true }
            // Overdue acks are looked for a few times per resend timeout.
            if now - lastPump >= .milliseconds(max(10, configuration.ackResendTimeoutMilliseconds / 4)) { pumpNow = true }
            if isWelcomed && pumpNow {
                lastPump = now
                await pump(socket)
            }
        }
    }

    private func pump(_ socket: AsyncSocket) async {
        let now = Timestamp.now.millisecondsSinceEpoch
        do {
            let entries = try await outbox.takeForSending(
                window: configuration.resendWindow,
                resendBefore: now - Int64(configuration.ackResendTimeoutMilliseconds), now: now)
            for entry in entries {
                socket.post(entry.frames.map { Frame(noCopy: $0) })
            }
            if !entries.isEmpty { stats.withLock { $0.eventsSent += entries.count } }
        } catch {
            logger.error("outbox unreadable; retrying", metadata: ["error": "\(error)"])
        }
    }

    private func post(_ message: RunnerMessage, on socket: AsyncSocket) {
        socket.post(message.encodeFrames().map { Frame(noCopy: $0) })
    }

    private func active() -> [AuditID] {
        Array(handlers.activeAudits().prefix(ProtocolLimits.maxActiveAuditsPerRunner))
    }
}
