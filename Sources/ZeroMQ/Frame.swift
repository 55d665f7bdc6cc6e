import CZeroMQ
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One part of a ZeroMQ message, owning a `zmq_msg_t`.
///
/// A multipart message is an array of frames, sent and received as one unit by
/// ``Socket/send(_:dontWait:)`` and ``Socket/receive(dontWait:maxFrames:)``.
///
/// Frames are immutable after creation and may be passed between threads. Sending a frame
/// does not consume it: the socket sends a reference-counted copy (libzmq shares the bytes
/// of large frames, so no payload is copied), and the frame stays readable.
///
/// Creating a frame:
/// - ``init(_:)-(some Collection<UInt8>)`` copies bytes (best for small payloads);
/// - ``init(count:initializingWith:)`` lets you write straight into libzmq's buffer;
/// - ``init(noCopy:)-([UInt8])`` hands an array's storage to libzmq without copying; the
///   frame keeps the array alive until libzmq's I/O thread has sent the last copy.
public final class Frame: @unchecked Sendable {
    // Safety: `message` is written only during init. Reading the data pointer and size is
    // safe from any thread; zmq_msg_copy mutates the source's refcount metadata, so it runs
    // under `copyLock`.
    let message: UnsafeMutablePointer<zmq_msg_t>
    private let copyLock = Mutex<Void>(())

    /// An empty frame (zero bytes), such as the REQ envelope delimiter.
    public init() {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    /// A frame holding a copy of `bytes`.
    public init(_ bytes: some Collection<UInt8>) {
        message = .allocate(capacity: 1)
        let count = bytes.count
        guard count > 0, zmq_msg_init_size(message, count) == 0 else {
            zmq_msg_init(message)
            return
        }
        let destination = UnsafeMutableRawBufferPointer(start: zmq_msg_data(message), count: count)
        let copied: Void? = bytes.withContiguousStorageIfAvailable { destination.copyMemory(from: UnsafeRawBufferPointer($0)) }
        if copied == nil { _ = destination.initializeMemory(as: UInt8.self, from: bytes) }
    }

    /// A frame holding the UTF-8 bytes of `string`.
    public convenience init(_ string: String) {
        self.init(Array(string.utf8))
    }

    /// A frame of `count` bytes that `body` fills in place, with no intermediate copy.
    ///
    /// ```swift
    /// let frame = try Frame(count: fileSize) { buffer in try file.read(into: buffer) }
    /// ```
    public init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        message = .allocate(capacity: 1)
        guard count > 0, zmq_msg_init_size(message, count) == 0 else {
            zmq_msg_init(message)
            try body(UnsafeMutableRawBufferPointer(start: nil, count: 0))
            return
        }
        // If `body` throws, `deinit` still runs (every stored property is initialised) and
        // closes and frees the message; freeing it here as well was a double free.
        try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(message), count: count))
    }

    /// A frame that lends `bytes`' storage to libzmq instead of copying it.
    ///
    /// Use it for large payloads (screenshots). The array is kept alive by a retained box
    /// that libzmq releases, on its I/O thread, when the last copy of the frame is sent.
    public init(noCopy bytes: [UInt8]) {
        message = .allocate(capacity: 1)
        Self.initialize(message, lending: OwnedBytes(bytes))
    }

    /// A frame that lends `data`'s storage to libzmq instead of copying it.
    ///
    /// Small `Data` values keep their bytes inline (their address is not stable), so below
    /// ``noCopyThreshold`` bytes the payload is copied instead; the copy costs nothing there.
    public init(noCopy data: Data) {
        message = .allocate(capacity: 1)
        if data.count < Self.noCopyThreshold {
            let count = data.count
            if count > 0, zmq_msg_init_size(message, count) == 0 {
                data.copyBytes(to: zmq_msg_data(message).assumingMemoryBound(to: UInt8.self), count: count)
            } else {
                zmq_msg_init(message)
            }
        } else {
            Self.initialize(message, lending: OwnedBytes(data))
        }
    }

    /// Below this size ``init(noCopy:)-(Data)`` copies: a copy is cheaper than the bookkeeping.
    public static let noCopyThreshold = 1024

    /// An uninitialised frame for `Socket` to receive into.
    init(receiving: Void) {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    private static func initialize(_ message: UnsafeMutablePointer<zmq_msg_t>, lending owner: OwnedBytes) {
        let (base, count) = owner.baseAndCount
        guard count > 0, let base else {
            zmq_msg_init(message)
            return
        }
        let hint = Unmanaged.passRetained(owner).toOpaque()
        let free: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, hint in
            guard let hint else { return }
            Unmanaged<OwnedBytes>.fromOpaque(hint).release()
        }
        if zmq_msg_init_data(message, base, count, free, hint) != 0 {
            // Only fails on allocation failure; fall back to an owned copy.
            Unmanaged<OwnedBytes>.fromOpaque(hint).release()
            if zmq_msg_init_size(message, count) == 0 {
                zmq_msg_data(message).copyMemory(from: base, byteCount: count)
            } else {
                zmq_msg_init(message)
            }
        }
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }

    /// The number of bytes in the frame.
    public var count: Int { zmq_msg_size(message) }

    /// Whether the frame has no bytes.
    public var isEmpty: Bool { count == 0 }

    /// Calls `body` with the frame's bytes, without copying them.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)))
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// A copy of the frame's bytes as `Data`.
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// The frame's bytes as UTF-8 text, or `nil` when they are not valid UTF-8.
    public var string: String? {
        withUnsafeBytes { String(validating: $0.bindMemory(to: UInt8.self), as: UTF8.self) }
    }

    /// Initialises `destination` as a reference-counted copy of this frame, for sending.
    func copy(into destination: UnsafeMutablePointer<zmq_msg_t>) {
        copyLock.withLock { _ in
            zmq_msg_init(destination)
            _ = zmq_msg_copy(destination, message)
        }
    }
}

extension Frame: Equatable {
    /// Frames are equal when their bytes are.
    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in left.elementsEqual(right) } }
    }
}

extension Frame: CustomStringConvertible {
    public var description: String { "Frame(\(count) bytes)" }
}

/// Keeps lent bytes alive for libzmq. Immutable; released from libzmq's I/O thread.
private final class OwnedBytes: @unchecked Sendable {
    private let array: [UInt8]?
    private let data: Data?
    let baseAndCount: (UnsafeMutableRawPointer?, Int)

    init(_ array: [UInt8]) {
        self.array = array
        self.data = nil
        // A native array's heap buffer does not move while this box holds the only
        // reference it will ever see mutated through (none: `array` is a `let`).
        baseAndCount = array.withUnsafeBytes { (UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
    }

    init(_ data: Data) {
        self.array = nil
        self.data = data
        // Data at or above Frame.noCopyThreshold keeps its bytes in a heap storage object.
        baseAndCount = data.withUnsafeBytes { (UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
    }
}
