import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by libzmq, carrying the `errno` it set.
///
/// Compare against the named cases to decide what to do:
///
/// ```swift
/// do { try socket.send(frames, dontWait: true) }
/// catch let error as ZMQError where error == .again { /* peer's queue is full */ }
/// ```
///
/// Equality looks at ``errno`` only; ``operation`` is context for logs.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value libzmq reported.
    public let errno: Int32
    /// The libzmq call that failed, e.g. `"zmq_bind(tcp://*:5555)"`.
    public let operation: String

    /// Creates an error for `errno` raised by `operation`.
    public init(errno: Int32, operation: String = "") {
        self.errno = errno
        self.operation = operation
    }

    /// Captures the calling thread's current `zmq_errno()`.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(errno: zmq_errno(), operation: operation())
    }

    /// libzmq's text for ``errno``.
    public var message: String { String(cString: zmq_strerror(errno)) }

    public var description: String {
        operation.isEmpty ? "\(message) (errno \(errno))" : "\(operation): \(message) (errno \(errno))"
    }

    public static func == (lhs: ZMQError, rhs: ZMQError) -> Bool { lhs.errno == rhs.errno }
    public func hash(into hasher: inout Hasher) { hasher.combine(errno) }

    /// Non-blocking operation could not complete now, or a send/receive timeout expired.
    public static let again = ZMQError(errno: EAGAIN)
    /// A signal interrupted the call. The binding retries these itself.
    public static let interrupted = ZMQError(errno: EINTR)
    /// The context was shut down or terminated; the socket must be closed.
    public static let contextTerminated = ZMQError(errno: ETERM)
    /// The operation is not valid in the socket's current state (e.g. REQ sending twice).
    public static let efsm = ZMQError(errno: EFSM)
    /// ROUTER with `routerMandatory`: the peer is unknown or gone.
    public static let hostUnreachable = ZMQError(errno: EHOSTUNREACH)
    /// An argument was invalid (bad option value, malformed endpoint).
    public static let invalidArgument = ZMQError(errno: EINVAL)
    /// The endpoint is already bound by another socket.
    public static let addressInUse = ZMQError(errno: EADDRINUSE)
    /// The transport named in the endpoint is not supported.
    public static let protocolNotSupported = ZMQError(errno: EPROTONOSUPPORT)
    /// The socket was closed, or is not a socket.
    public static let notSocket = ZMQError(errno: ENOTSOCK)
    /// The message is larger than the socket's `maxMessageSize`.
    public static let messageTooLarge = ZMQError(errno: EMSGSIZE)
    /// The socket type does not support the operation (e.g. receiving on PUB).
    public static let notSupported = ZMQError(errno: ENOTSUP)
}

/// Runs a libzmq call that returns -1 on failure, retrying when a signal interrupts it.
@inline(__always)
func retryingOnInterrupt(
    _ operation: @autoclosure () -> String,
    _ call: () -> Int32
) throws(ZMQError) -> Int32 {
    while true {
        let result = call()
        if result >= 0 { return result }
        let error = zmq_errno()
        if error != EINTR { throw ZMQError(errno: error, operation: operation()) }
    }
}
