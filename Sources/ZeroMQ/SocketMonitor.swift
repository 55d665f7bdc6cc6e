import CZeroMQ
import Synchronization

/// Reports a socket's connection events (libzmq's `zmq_socket_monitor`) on a thread of its own.
///
/// Servers use it to see the peers libzmq turns away before any message arrives: a plaintext
/// client knocking on a CURVE endpoint, a client that pinned the wrong server key, a key the
/// ``ZAPAuthenticator`` refused. Clients use it to tell "the server refused me" from "the
/// server is not there".
///
/// ```swift
/// let monitor = try SocketMonitor(watching: router, events: .handshakeFailures) { event in
///     logger.warning("handshake refused on \(event.endpoint): \(event.reason)")
/// }
/// ```
///
/// Create it while you own the socket (before handing the socket to a ``SocketLoop``);
/// ``stop()`` it before the context is closed. The monitor stops by itself when the socket closes.
public final class SocketMonitor: Sendable {
    /// One connection event.
    public struct Event: Sendable, CustomStringConvertible {
        /// What happened.
        public let kind: Kind
        /// The event's detail: a ZAP status code for ``Kind/handshakeFailedAuth``, a
        /// `ZMQ_PROTOCOL_ERROR_*` code for ``Kind/handshakeFailedProtocol``, an errno for
        /// failures, a descriptor for others.
        public let value: UInt32
        /// The endpoint the event concerns (the bound or connected address).
        public let endpoint: String

        /// Why a handshake failed, in words fit for a log line.
        public var reason: String {
            switch kind {
            case .handshakeFailedAuth:
                return "the authenticator refused the peer's key (ZAP status \(value))"
            case .handshakeFailedProtocol:
                switch Int32(bitPattern: value) {
                case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
                    return "security mechanism mismatch (a plaintext peer on a CURVE endpoint, or the reverse)"
                case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
                    return "CURVE handshake could not be decrypted (the client pinned a different server key)"
                default:
                    return "handshake protocol error 0x\(String(value, radix: 16))"
                }
            case .handshakeFailedNoDetail:
                return "handshake failed (errno \(value))"
            default:
                return kind.description
            }
        }

        public var description: String { "\(kind) \(endpoint): \(reason)" }
    }

    /// Kinds of event, combinable to choose which ones to receive.
    public struct Kind: OptionSet, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let connected = Kind(rawValue: ZMQ_EVENT_CONNECTED)
        public static let connectDelayed = Kind(rawValue: ZMQ_EVENT_CONNECT_DELAYED)
        public static let connectRetried = Kind(rawValue: ZMQ_EVENT_CONNECT_RETRIED)
        public static let listening = Kind(rawValue: ZMQ_EVENT_LISTENING)
        public static let bindFailed = Kind(rawValue: ZMQ_EVENT_BIND_FAILED)
        public static let accepted = Kind(rawValue: ZMQ_EVENT_ACCEPTED)
        public static let acceptFailed = Kind(rawValue: ZMQ_EVENT_ACCEPT_FAILED)
        public static let closed = Kind(rawValue: ZMQ_EVENT_CLOSED)
        public static let closeFailed = Kind(rawValue: ZMQ_EVENT_CLOSE_FAILED)
        public static let disconnected = Kind(rawValue: ZMQ_EVENT_DISCONNECTED)
        public static let monitorStopped = Kind(rawValue: ZMQ_EVENT_MONITOR_STOPPED)
        public static let handshakeFailedNoDetail = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        public static let handshakeSucceeded = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
        public static let handshakeFailedProtocol = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        public static let handshakeFailedAuth = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

        /// Every way a security handshake can fail.
        public static let handshakeFailures: Kind = [.handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth]

        public var description: String {
            let names: [(Kind, String)] = [
                (.connected, "connected"), (.connectDelayed, "connect-delayed"), (.connectRetried, "connect-retried"),
                (.listening, "listening"), (.bindFailed, "bind-failed"), (.accepted, "accepted"),
                (.acceptFailed, "accept-failed"), (.closed, "closed"), (.closeFailed, "close-failed"),
                (.disconnected, "disconnected"), (.monitorStopped, "monitor-stopped"),
                (.handshakeFailedNoDetail, "handshake-failed"), (.handshakeSucceeded, "handshake-succeeded"),
                (.handshakeFailedProtocol, "handshake-failed-protocol"), (.handshakeFailedAuth, "handshake-failed-auth"),
            ]
            let matching = names.filter { contains($0.0) }.map(\.1)
            return matching.isEmpty ? "event 0x\(String(rawValue, radix: 16))" : matching.joined(separator: "|")
        }
    }

    private static let nextAddress = Atomic<Int>(0)

    /// Shared with the monitor's thread (an `Atomic` cannot be captured by itself).
    private final class StopFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let wake: WakeSignal
    private let stopped = StopFlag()
    private let thread: DedicatedThread

    /// Starts reporting `events` of `socket` to `onEvent`, which runs on the monitor's thread.
    public init(
        watching socket: Socket, events: Kind, onEvent: @escaping @Sendable (Event) -> Void
    ) throws(ZMQError) {
        let handle = try socket.requireHandle("zmq_socket_monitor")
        // inproc addresses are per context; a process-wide counter keeps them unique.
        let address = "inproc://zeromq.monitor.\(Self.nextAddress.add(1, ordering: .relaxed).newValue)"
        guard zmq_socket_monitor(handle, address, events.rawValue) == 0 else {
            throw ZMQError.last("zmq_socket_monitor(\(address))")
        }
        let receiver = try Socket(socket.context, type: .pair)
        try receiver.set(.linger, .zero)
        try receiver.connect(address)
        let wake = try WakeSignal()
        self.wake = wake
        let transfer = SocketLoop.SocketTransfer(socket: receiver)
        let stopped = self.stopped
        thread = try DedicatedThread.start(name: "monitor") {
            Self.serve(transfer.socket, wake: wake, onEvent: onEvent) { stopped.value.load(ordering: .acquiring) }
        }
    }

    /// Stops reporting and waits for the monitor's thread. Idempotent.
    public func stop() {
        guard !stopped.value.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        thread.join()
    }

    deinit { stop() }

    private static func serve(
        _ socket: Socket, wake: WakeSignal, onEvent: @Sendable (Event) -> Void, isStopped: () -> Bool
    ) {
        defer { socket.close() }
        var poller = Poller()
        let events = poller.add(socket, events: .readable)
        let signal = poller.add(fileDescriptor: wake.fileDescriptor, events: .readable)
        while !isStopped() {
            guard (try? poller.poll(timeout: nil)) != nil else { return }
            if poller.events(at: signal).contains(.readable) { wake.drain() }
            guard poller.events(at: events).contains(.readable) else { continue }
            while let frames = try? socket.receive(dontWait: true, maxFrames: 4), !frames.isEmpty {
                guard let event = decode(frames) else { continue }
                if event.kind == .monitorStopped { return }
                onEvent(event)
            }
        }
    }

    /// Frame 0: a 16-bit event and a 32-bit value in host byte order; frame 1: the endpoint.
    static func decode(_ frames: [Frame]) -> Event? {
        guard frames.count >= 2 else { return nil }
        let header = frames[0].bytes
        guard header.count >= 6 else { return nil }
        let kind = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        let value = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        return Event(kind: Kind(rawValue: Int32(kind)), value: value, endpoint: frames[1].string ?? "")
    }
}
