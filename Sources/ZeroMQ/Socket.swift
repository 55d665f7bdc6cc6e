import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ socket.
///
/// A socket is not thread-safe: it belongs to one thread (or one ``SocketLoop``) at a time,
/// which the compiler enforces because `Socket` is not `Sendable`. Pass it on with
/// `sending` when handing it to another owner, e.g. ``SocketLoop/register(_:options:)``.
///
/// Sockets get a short linger (``defaultLinger``) so that closing one with messages still
/// queued for an absent peer never holds up shutdown. Close explicitly with ``close()``;
/// `deinit` closes a socket that is still open.
public final class Socket {
    /// The linger every new socket gets: how long unsent messages are kept after close.
    public static let defaultLinger: Duration = .milliseconds(100)

    /// The socket's pattern.
    public let type: SocketType
    /// The context the socket belongs to (kept alive by the socket).
    public let context: Context
    private(set) var handle: UnsafeMutableRawPointer?
    // One scratch message reused by every send, so a send allocates nothing.
    private let scratch = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)

    /// Creates a socket of `type` in `context`.
    public init(_ context: Context, type: SocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            scratch.deallocate()
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.handle = handle
        try set(.linger, Self.defaultLinger)
    }

    deinit {
        close()
        scratch.deallocate()
    }

    /// Closes the socket. Safe to call more than once.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    func requireHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(errno: ENOTSOCK, operation: operation() + " on a closed socket") }
        return handle
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, such as `"tcp://*:5555"`, `"tcp://127.0.0.1:*"` (an ephemeral port;
    /// read it back from ``lastEndpoint``) or `"inproc://name"`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("zmq_bind(\(endpoint))")
        _ = try retryingOnInterrupt("zmq_bind(\(endpoint))") { zmq_bind(handle, endpoint) }
    }

    /// Connects to `endpoint`. libzmq connects (and reconnects) in the background.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("zmq_connect(\(endpoint))")
        _ = try retryingOnInterrupt("zmq_connect(\(endpoint))") { zmq_connect(handle, endpoint) }
    }

    /// Stops listening on a bound `endpoint`.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("zmq_unbind(\(endpoint))")
        _ = try retryingOnInterrupt("zmq_unbind(\(endpoint))") { zmq_unbind(handle, endpoint) }
    }

    /// Disconnects from a connected `endpoint`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try requireHandle("zmq_disconnect(\(endpoint))")
        _ = try retryingOnInterrupt("zmq_disconnect(\(endpoint))") { zmq_disconnect(handle, endpoint) }
    }

    // MARK: Sending

    /// Sends `bytes` as one frame; libzmq copies them.
    /// - Parameters:
    ///   - more: more frames of the same message follow.
    ///   - dontWait: fail with ``ZMQError/again`` instead of blocking when the queue is full.
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        let handle = try requireHandle("zmq_send")
        let status = Self.sendCopying(handle, bytes, flags: Self.sendFlags(more: more, dontWait: dontWait))
        if status != 0 { throw ZMQError(errno: status, operation: "zmq_send(\(type))") }
    }

    /// Sends `bytes` as one frame; libzmq copies them.
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        let handle = try requireHandle("zmq_send")
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        let status = bytes.withUnsafeBytes { Self.sendCopying(handle, $0, flags: flags) }
        if status != 0 { throw ZMQError(errno: status, operation: "zmq_send(\(type))") }
    }

    /// Sends the UTF-8 bytes of `string` as one frame.
    public func send(_ string: String, more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        let handle = try requireHandle("zmq_send")
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        var string = string
        let status = string.withUTF8 { Self.sendCopying(handle, UnsafeRawBufferPointer($0), flags: flags) }
        if status != 0 { throw ZMQError(errno: status, operation: "zmq_send(\(type))") }
    }

    private static func sendFlags(more: Bool, dontWait: Bool) -> Int32 {
        (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
    }

    /// `zmq_send` retried on EINTR; returns 0 or the errno.
    private static func sendCopying(_ handle: UnsafeMutableRawPointer, _ bytes: UnsafeRawBufferPointer, flags: Int32) -> Int32 {
        while zmq_send(handle, bytes.baseAddress, bytes.count, flags) < 0 {
            let error = zmq_errno()
            if error != EINTR { return error }
        }
        return 0
    }

    /// Sends `frame`. The frame stays valid: large payloads are shared, not copied.
    public func send(_ frame: Frame, more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        let handle = try requireHandle("zmq_msg_send")
        frame.copy(into: scratch)
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        do throws(ZMQError) {
            _ = try retryingOnInterrupt("zmq_msg_send(\(type))") { zmq_msg_send(scratch, handle, flags) }
        } catch {
            zmq_msg_close(scratch)
            throw error
        }
    }

    /// Sends a multipart message as one unit: the peer receives all frames or none.
    ///
    /// With `dontWait`, only the first frame may fail with ``ZMQError/again``; once libzmq
    /// accepts the first frame of a message it accepts the rest.
    public func send(_ frames: [Frame], dontWait: Bool = false) throws(ZMQError) {
        guard !frames.isEmpty else { return }
        let last = frames.count - 1
        try send(frames[0], more: last > 0, dontWait: dontWait)
        if last == 0 { return }
        for index in 1...last {
            try send(frames[index], more: index < last)
        }
    }

    // MARK: Receiving

    /// Receives one frame of any size (the caller checks ``hasMoreFrames`` for multipart).
    public func receiveFrame(dontWait: Bool = false) throws(ZMQError) -> Frame {
        let handle = try requireHandle("zmq_msg_recv")
        let frame = Frame(receiving: ())
        _ = try retryingOnInterrupt("zmq_msg_recv(\(type))") {
            zmq_msg_recv(frame.message, handle, dontWait ? ZMQ_DONTWAIT : 0)
        }
        return frame
    }

    /// Receives a whole multipart message, of any size.
    ///
    /// - Parameters:
    ///   - dontWait: throw ``ZMQError/again`` instead of blocking when nothing is queued.
    ///   - maxFrames: a hostile peer can send a message of millions of empty frames; past
    ///     this many, the rest of the message is read and discarded and the call throws
    ///     ``ZMQError/messageTooLarge``, leaving the socket ready for the next message.
    public func receive(dontWait: Bool = false, maxFrames: Int = .max) throws(ZMQError) -> [Frame] {
        let first = try receiveFrame(dontWait: dontWait)
        var frames = [first]
        var more = zmq_msg_more(first.message) != 0
        var discarded = false
        // Once the first frame has arrived the whole message is queued, so the rest never blocks.
        while more {
            let next = try receiveFrame()
            more = zmq_msg_more(next.message) != 0
            if frames.count < maxFrames {
                frames.append(next)
            } else {
                discarded = true
            }
        }
        if discarded {
            throw ZMQError(errno: EMSGSIZE, operation: "receive: message has more than \(maxFrames) frames")
        }
        return frames
    }

    /// Whether the last frame received is followed by more frames of the same message.
    public var hasMoreFrames: Bool {
        (try? get(.receiveMore)) ?? false
    }
}
