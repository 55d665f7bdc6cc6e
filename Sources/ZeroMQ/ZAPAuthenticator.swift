import CZeroMQ
import Synchronization

/// A ZAP handler (ZeroMQ RFC 27) that admits only CURVE clients whose public key is on an
/// allowlist.
///
/// libzmq asks the context's ZAP handler about every new connection to a socket that has a
/// ZAP domain. This one answers on its own thread: `200` for a CURVE client whose key is on
/// the allowlist of the socket's domain, `400` for anything else (unlisted key, unknown
/// domain, other mechanisms). Plaintext (NULL) peers never reach it: a CURVE server refuses
/// them during the handshake.
///
/// ```swift
/// let auth = try ZAPAuthenticator(context: context, allowlists: ["runners": runnerKeys]) { decision in
///     if !decision.allowed { logger.warning("refused \(decision.address): \(decision.reason)") }
/// }
/// try router.configureCurveServer(secretKey: keys.secretKey, zapDomain: "runners")
/// ```
///
/// Start it before binding the sockets it guards; ``stop()`` it before the context goes.
public final class ZAPAuthenticator: Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    /// What the authenticator decided about one connection attempt.
    public struct Decision: Sendable, CustomStringConvertible {
        /// The ZAP domain of the socket being connected to.
        public let domain: String
        /// The peer's address, e.g. `127.0.0.1`.
        public let address: String
        /// `CURVE`, `NULL` or `PLAIN`.
        public let mechanism: String
        /// The client's long-term public key (CURVE only).
        public let clientKey: CurveKey?
        /// Whether the connection was admitted.
        public let allowed: Bool
        /// Why, in words fit for a log line.
        public let reason: String

        public var description: String {
            "\(allowed ? "admitted" : "refused") \(mechanism) peer \(address) on '\(domain)'"
                + (clientKey.map { " key \($0.z85)" } ?? "") + ": \(reason)"
        }
    }

    private let wake: WakeSignal
    private let handler: Handler
    private let thread: DedicatedThread

    /// Binds the ZAP endpoint of `context` and starts answering.
    /// - Parameters:
    ///   - allowlists: per ZAP domain, the client public keys to admit.
    ///   - onDecision: called on the authenticator's thread for every decision (for logs).
    public init(
        context: Context,
        allowlists: [String: Set<CurveKey>],
        onDecision: @escaping @Sendable (Decision) -> Void = { _ in }
    ) throws(ZMQError) {
        let wake = try WakeSignal()
        self.wake = wake
        let socket = try Socket(context, type: .rep)
        try socket.set(.linger, .zero)
        try socket.bind(Self.endpoint)
        let transfer = SocketLoop.SocketTransfer(socket: socket)
        let handler = Handler(allowlists: allowlists, onDecision: onDecision)
        self.handler = handler
        thread = try DedicatedThread.start(name: "zap") {
            handler.serve(transfer.socket, wake: wake)
        }
    }

    /// How many connections were admitted and refused so far.
    public var statistics: (allowed: Int, refused: Int) { handler.counts.withLock { $0 } }

    /// Stops answering, closes the ZAP socket and waits for the thread. Idempotent.
    public func stop() {
        guard !handler.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        thread.join()
    }

    deinit { stop() }

    /// The decision logic, separate from the socket plumbing.
    static func decide(
        domain: String, mechanism: String, credentials: [Frame], allowlists: [String: Set<CurveKey>]
    ) -> (allowed: Bool, key: CurveKey?, reason: String) {
        guard mechanism == "CURVE" else {
            return (false, nil, "mechanism \(mechanism) is not accepted; CURVE is required")
        }
        guard let credential = credentials.first, let key = try? CurveKey(bytes: credential.bytes) else {
            return (false, nil, "CURVE request without a 32-byte client key")
        }
        guard let allowed = allowlists[domain] else {
            return (false, key, "no allowlist for domain '\(domain)'")
        }
        return allowed.contains(key) ? (true, key, "key is on the allowlist") : (false, key, "key is not on the allowlist")
    }

    private final class Handler: Sendable {
        let allowlists: [String: Set<CurveKey>]
        let onDecision: @Sendable (Decision) -> Void
        let stopped = Atomic<Bool>(false)
        let counts = Mutex<(allowed: Int, refused: Int)>((0, 0))

        init(allowlists: [String: Set<CurveKey>], onDecision: @escaping @Sendable (Decision) -> Void) {
            self.allowlists = allowlists
            self.onDecision = onDecision
        }

        func serve(_ socket: Socket, wake: WakeSignal) {
            defer { socket.close() }
            var poller = Poller()
            let request = poller.add(socket, events: .readable)
            let signal = poller.add(fileDescriptor: wake.fileDescriptor, events: .readable)
            while !stopped.load(ordering: .acquiring) {
                guard (try? poller.poll(timeout: nil)) != nil else { return }
                if poller.events(at: signal).contains(.readable) { wake.drain() }
                guard poller.events(at: request).contains(.readable) else { continue }
                guard let frames = try? socket.receive(dontWait: true, maxFrames: 16) else { continue }
                answer(frames, on: socket)
            }
        }

        private func answer(_ frames: [Frame], on socket: Socket) {
            // version, request id, domain, address, routing id, mechanism, credentials...
            let requestID = frames.count > 1 ? frames[1] : Frame()
            guard frames.count >= 6, frames[0].string == "1.0" else {
                reply(on: socket, requestID: requestID, status: "500", text: "malformed ZAP request")
                return
            }
            let domain = frames[2].string ?? ""
            let address = frames[3].string ?? ""
            let mechanism = frames[5].string ?? ""
            let verdict = ZAPAuthenticator.decide(
                domain: domain, mechanism: mechanism, credentials: Array(frames.dropFirst(6)), allowlists: allowlists
            )
            counts.withLock { counts in
                if verdict.allowed { counts.allowed += 1 } else { counts.refused += 1 }
            }
            onDecision(Decision(
                domain: domain, address: address, mechanism: mechanism, clientKey: verdict.key,
                allowed: verdict.allowed, reason: verdict.reason
            ))
            reply(
                on: socket, requestID: requestID,
                status: verdict.allowed ? "200" : "400", text: verdict.reason,
                userID: verdict.key?.z85 ?? ""
            )
        }

        private func reply(on socket: Socket, requestID: Frame, status: String, text: String, userID: String = "") {
            try? socket.send([Frame("1.0"), requestID, Frame(status), Frame(text), Frame(userID), Frame()])
        }
    }
}
