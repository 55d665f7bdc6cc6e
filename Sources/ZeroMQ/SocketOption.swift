import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A typed socket option: the libzmq option number together with the Swift type of its value.
///
/// ```swift
/// try socket.set(.sendHighWaterMark, 10_000)
/// try socket.set(.linger, .zero)
/// try socket.set(.receiveTimeout, .seconds(2))   // nil waits forever
/// let endpoint = try socket.get(.lastEndpoint)
/// ```
public struct SocketOption<Value: SocketOptionValue>: Sendable, CustomStringConvertible {
    /// The libzmq option number (`ZMQ_*`).
    public let rawValue: Int32
    /// The option's name, for error messages.
    public let name: String

    /// Declares an option; the built-in ones cover what Veritas needs.
    public init(_ rawValue: Int32, name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    public var description: String { name }
}

/// A Swift type that maps to a libzmq option value.
public protocol SocketOptionValue: Sendable {
    /// Writes `value` as option `option` of `socket`.
    static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Self) -> Int32
    /// Reads option `option` of `socket`.
    static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Self?
}

extension Socket {
    /// Sets a socket option.
    public func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws(ZMQError) {
        let handle = try requireHandle("zmq_setsockopt(\(option))")
        _ = try retryingOnInterrupt("zmq_setsockopt(\(option))") { Value.setOption(option.rawValue, of: handle, to: value) }
    }

    /// Reads a socket option.
    public func get<Value>(_ option: SocketOption<Value>) throws(ZMQError) -> Value {
        let handle = try requireHandle("zmq_getsockopt(\(option))")
        while true {
            if let value = Value.getOption(option.rawValue, of: handle) { return value }
            let error = zmq_errno()
            if error != EINTR { throw ZMQError(errno: error, operation: "zmq_getsockopt(\(option))") }
        }
    }

    /// The endpoint the socket last bound or connected to, with an ephemeral port resolved.
    public var lastEndpoint: String? { try? get(.lastEndpoint) }
}

// MARK: Value encodings

extension Int32: SocketOptionValue {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Int32) -> Int32 {
        withUnsafeBytes(of: value) { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Int32? {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return zmq_getsockopt(socket, option, &value, &size) == 0 ? value : nil
    }
}

extension Int64: SocketOptionValue {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Int64) -> Int32 {
        withUnsafeBytes(of: value) { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Int64? {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        return zmq_getsockopt(socket, option, &value, &size) == 0 ? value : nil
    }
}

extension Bool: SocketOptionValue {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Bool) -> Int32 {
        Int32.setOption(option, of: socket, to: value ? 1 : 0)
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Bool? {
        Int32.getOption(option, of: socket).map { $0 != 0 }
    }
}

/// Intervals are whole milliseconds in libzmq; sub-millisecond parts are rounded up.
extension Duration: SocketOptionValue {
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Duration) -> Int32 {
        Int32.setOption(option, of: socket, to: value.clampedMilliseconds)
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Duration? {
        Int32.getOption(option, of: socket).map { .milliseconds($0) }
    }
}

/// Timeouts: `nil` means wait forever (libzmq's -1).
extension Optional: SocketOptionValue where Wrapped == Duration {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: Duration?) -> Int32 {
        Int32.setOption(option, of: socket, to: value?.clampedMilliseconds ?? -1)
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> Duration?? {
        guard let raw = Int32.getOption(option, of: socket) else { return nil }
        return .some(raw < 0 ? nil : .milliseconds(raw))
    }
}

extension Array: SocketOptionValue where Element == UInt8 {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(socket, option, &buffer, &size) == 0 else { return nil }
        return Array(buffer.prefix(size))
    }
}

extension String: SocketOptionValue {
    public static func setOption(_ option: Int32, of socket: UnsafeMutableRawPointer, to value: String) -> Int32 {
        [UInt8].setOption(option, of: socket, to: Array(value.utf8))
    }
    public static func getOption(_ option: Int32, of socket: UnsafeMutableRawPointer) -> String? {
        // String options come back NUL-terminated.
        [UInt8].getOption(option, of: socket).map { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

// MARK: The options

extension SocketOption where Value == Int32 {
    /// Messages queued for sending per peer before sends block or fail (default 1000).
    public static var sendHighWaterMark: Self { .init(ZMQ_SNDHWM, name: "ZMQ_SNDHWM") }
    /// Messages queued on receipt per peer before the peer is pushed back (default 1000).
    public static var receiveHighWaterMark: Self { .init(ZMQ_RCVHWM, name: "ZMQ_RCVHWM") }
    /// Pending events on the socket (`ZMQ_POLLIN`/`ZMQ_POLLOUT` bits), re-checked after ``fileDescriptor`` fires.
    public static var events: Self { .init(ZMQ_EVENTS, name: "ZMQ_EVENTS") }
    /// A file descriptor that becomes readable (edge-triggered) when ``events`` may have changed.
    public static var fileDescriptor: Self { .init(ZMQ_FD, name: "ZMQ_FD") }
    /// TCP keepalive: -1 system default, 0 off, 1 on.
    public static var tcpKeepalive: Self { .init(ZMQ_TCP_KEEPALIVE, name: "ZMQ_TCP_KEEPALIVE") }
}

extension SocketOption where Value == Int64 {
    /// The largest inbound frame accepted; a peer sending more is disconnected. -1: no limit.
    public static var maxMessageSize: Self { .init(ZMQ_MAXMSGSIZE, name: "ZMQ_MAXMSGSIZE") }
}

extension SocketOption where Value == Bool {
    /// Queue messages only to completed connections, so nothing waits for a peer that never comes.
    public static var immediate: Self { .init(ZMQ_IMMEDIATE, name: "ZMQ_IMMEDIATE") }
    /// ROUTER: fail with ``ZMQError/hostUnreachable`` or ``ZMQError/again`` instead of dropping silently.
    public static var routerMandatory: Self { .init(ZMQ_ROUTER_MANDATORY, name: "ZMQ_ROUTER_MANDATORY") }
    /// ROUTER: a new peer with a routing id already in use takes it over (a reconnecting runner).
    public static var routerHandover: Self { .init(ZMQ_ROUTER_HANDOVER, name: "ZMQ_ROUTER_HANDOVER") }
    /// Act as the CURVE server (the side holding the long-term secret that clients know the public key of).
    public static var curveServer: Self { .init(ZMQ_CURVE_SERVER, name: "ZMQ_CURVE_SERVER") }
    /// Keep only the last message (for status-like feeds).
    public static var conflate: Self { .init(ZMQ_CONFLATE, name: "ZMQ_CONFLATE") }
    /// Use IPv6 as well as IPv4.
    public static var ipv6: Self { .init(ZMQ_IPV6, name: "ZMQ_IPV6") }
    /// Whether more frames of the current message follow (read-only).
    public static var receiveMore: Self { .init(ZMQ_RCVMORE, name: "ZMQ_RCVMORE") }
}

extension SocketOption where Value == Duration {
    /// How long unsent messages survive `close` (``Socket/defaultLinger`` unless changed).
    public static var linger: Self { .init(ZMQ_LINGER, name: "ZMQ_LINGER") }
    /// ZMTP heartbeat: send a PING this often on every connection.
    public static var heartbeatInterval: Self { .init(ZMQ_HEARTBEAT_IVL, name: "ZMQ_HEARTBEAT_IVL") }
    /// ZMTP heartbeat: drop a connection whose peer has not answered within this time.
    public static var heartbeatTimeout: Self { .init(ZMQ_HEARTBEAT_TIMEOUT, name: "ZMQ_HEARTBEAT_TIMEOUT") }
    /// ZMTP heartbeat: ask the peer to drop us after this long without traffic.
    public static var heartbeatTTL: Self { .init(ZMQ_HEARTBEAT_TTL, name: "ZMQ_HEARTBEAT_TTL") }
    /// First delay before reconnecting to a lost peer.
    public static var reconnectInterval: Self { .init(ZMQ_RECONNECT_IVL, name: "ZMQ_RECONNECT_IVL") }
    /// Cap of the exponential reconnect backoff (zero: no backoff).
    public static var reconnectIntervalMax: Self { .init(ZMQ_RECONNECT_IVL_MAX, name: "ZMQ_RECONNECT_IVL_MAX") }
    /// How long a connection may take to complete its handshake (CURVE included).
    public static var handshakeInterval: Self { .init(ZMQ_HANDSHAKE_IVL, name: "ZMQ_HANDSHAKE_IVL") }
}

extension SocketOption where Value == Duration? {
    /// How long a blocking send waits before failing with ``ZMQError/again``; `nil`: forever.
    public static var sendTimeout: Self { .init(ZMQ_SNDTIMEO, name: "ZMQ_SNDTIMEO") }
    /// How long a blocking receive waits before failing with ``ZMQError/again``; `nil`: forever.
    public static var receiveTimeout: Self { .init(ZMQ_RCVTIMEO, name: "ZMQ_RCVTIMEO") }
}

extension SocketOption where Value == [UInt8] {
    /// The identity a DEALER/REQ presents to a ROUTER (1–255 bytes, not starting with 0).
    public static var routingID: Self { .init(ZMQ_ROUTING_ID, name: "ZMQ_ROUTING_ID") }
    /// SUB: receive messages whose first frame starts with these bytes (empty: all).
    public static var subscribe: Self { .init(ZMQ_SUBSCRIBE, name: "ZMQ_SUBSCRIBE") }
    /// SUB: undo a ``subscribe``.
    public static var unsubscribe: Self { .init(ZMQ_UNSUBSCRIBE, name: "ZMQ_UNSUBSCRIBE") }
}

extension SocketOption where Value == String {
    /// The endpoint last bound or connected, with `*` ports resolved (read-only).
    public static var lastEndpoint: Self { .init(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    /// The ZAP domain: lets one ZAP handler apply different allowlists to different sockets.
    public static var zapDomain: Self { .init(ZMQ_ZAP_DOMAIN, name: "ZMQ_ZAP_DOMAIN") }
}

extension SocketOption where Value == CurveKey {
    /// This socket's long-term CURVE public key.
    public static var curvePublicKey: Self { .init(ZMQ_CURVE_PUBLICKEY, name: "ZMQ_CURVE_PUBLICKEY") }
    /// This socket's long-term CURVE secret key.
    public static var curveSecretKey: Self { .init(ZMQ_CURVE_SECRETKEY, name: "ZMQ_CURVE_SECRETKEY") }
    /// Client side: the server's public key, which authenticates the server.
    public static var curveServerKey: Self { .init(ZMQ_CURVE_SERVERKEY, name: "ZMQ_CURVE_SERVERKEY") }
}
