import Foundation
import Synchronization
import Testing
import ZeroMQ

// Shared helpers. Every wait below is bounded, so a lost message fails its test instead of
// hanging the suite; the bounds are generous because only a failing test reaches them.

/// How long a blocking receive waits before the test counts the message as lost.
let lostAfter: Duration = .seconds(2)

/// How long an async wait (a receive on an ``AsyncSocket``, a task finishing) may take.
// Long enough that a starved cooperative pool (2 threads, a parallel suite) is not mistaken
// for a hang; a real hang still fails instead of blocking the run.
let asyncLimit: Duration = .seconds(30)

extension Socket {
    /// Binds to an ephemeral loopback port and returns the resolved endpoint.
    func bindEphemeral() throws -> String {
        try bind("tcp://127.0.0.1:*")
        let endpoint = try #require(lastEndpoint)
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix(":*"))
        return endpoint
    }

    /// Makes blocking receives fail with ``ZMQError/again`` after `timeout` instead of hanging.
    func failReceives(after timeout: Duration = lostAfter) throws {
        try set(.receiveTimeout, timeout)
    }
}

/// The frames of a message as text (non-UTF-8 frames as a marker).
func strings(_ frames: [Frame]) -> [String] {
    frames.map { $0.string ?? "<\($0.count) bytes>" }
}

/// An endpoint that nothing listens on: an ephemeral port bound, read back and released.
func unusedTCPEndpoint(_ context: Context) throws -> String {
    let probe = try Socket(context, type: .pull)
    defer { probe.close() }
    let endpoint = try probe.bindEphemeral()
    try probe.unbind(endpoint)
    return endpoint
}

/// `count` pseudo-random bytes (SplitMix64 from a random seed: fast even in debug builds).
func randomBytes(_ count: Int) -> [UInt8] {
    var state = UInt64.random(in: .min ... .max)
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        let raw = UnsafeMutableRawBufferPointer(buffer)
        var offset = 0
        while offset < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            let chunk = min(8, count - offset)
            withUnsafeBytes(of: mixed) { word in
                raw.baseAddress!.advanced(by: offset).copyMemory(from: word.baseAddress!, byteCount: chunk)
            }
            offset += chunk
        }
        initialized = count
    }
}

/// Expects `message` to be one frame holding exactly `bytes`. Reports sizes, never the bytes:
/// a failing `#expect` on megabyte arrays would print every byte.
func expectSingleFrame(
    _ message: [Frame], holding bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard message.count == 1 else {
        Issue.record("expected 1 frame, got \(message.count)", sourceLocation: sourceLocation)
        return
    }
    expectSameBytes(message[0], bytes, comment, sourceLocation: sourceLocation)
}

/// Expects `frame` to hold exactly `bytes`, reporting sizes rather than contents on failure.
func expectSameBytes(
    _ frame: Frame, _ bytes: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let intact = sameBytes(frame, bytes)
    #expect(intact, "\(frame.count) bytes received, \(bytes.count) expected, contents differ. \(comment?.rawValue ?? "")",
            sourceLocation: sourceLocation)
}

/// Whether `frame` holds exactly `bytes` (memcmp: fast on megabytes, even unoptimised).
func sameBytes(_ frame: Frame, _ bytes: [UInt8]) -> Bool {
    frame.withUnsafeBytes { received in
        bytes.withUnsafeBytes { expected in
            received.count == expected.count
                && (received.count == 0 || memcmp(received.baseAddress!, expected.baseAddress!, received.count) == 0)
        }
    }
}

// MARK: Bounded waits

/// Resumes a continuation exactly once, whoever comes first.
private final class OneShot<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func fire(_ value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}

/// The result of `operation`, or `nil` when it has not finished within `limit`. On timeout the
/// operation is cancelled (``AsyncSocket/receive()`` then returns) but not waited for.
func awaitWithin<Value: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async -> Value
) async -> Value? {
    let slot = OneShot<Value?>()
    var tasks: [Task<Void, Never>] = []
    let value = await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
        slot.arm(continuation)
        tasks.append(Task { slot.fire(await operation()) })
        tasks.append(Task {
            try? await Task.sleep(for: limit)
            slot.fire(nil)
        })
    }
    for task in tasks { task.cancel() }
    return value
}

/// Runs blocking `body` on its own OS thread, off Swift's cooperative pool.
func onThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

extension AsyncSocket {
    /// The next message, or `nil` if none arrives within `limit` (or the socket is closed).
    func receive(within limit: Duration) async -> [Frame]? {
        await awaitWithin(limit) { await self.receive() } ?? nil
    }
}

/// Proves a ``SocketLoop`` has caught up: a round trip through a PAIR registered on that loop.
/// Once it returns, the loop has polled (and read whatever it was willing to) since everything
/// queued before the call, because the reply can only arrive through a later poll.
final class LoopBarrier {
    private let ping: AsyncSocket
    private let pong: Socket
    private var rounds = 0

    init(_ context: Context, _ loop: SocketLoop, name: String) throws {
        let socket = try Socket(context, type: .pair)
        try socket.bind("inproc://barrier-\(name)")
        ping = loop.register(socket)
        pong = try Socket(context, type: .pair)
        try pong.failReceives()
        try pong.connect("inproc://barrier-\(name)")
    }

    func wait(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        rounds += 1
        try await ping.send([Frame("ping \(rounds)")])
        #expect(strings(try pong.receive()) == ["ping \(rounds)"], sourceLocation: sourceLocation)
        try pong.send("pong \(rounds)")
        let reply = await ping.receive(within: asyncLimit)
        #expect(reply.map(strings) == ["pong \(rounds)"], "the loop did not answer", sourceLocation: sourceLocation)
    }

    func close() {
        pong.close()
    }
}

/// A connected PAIR over loopback TCP; the receiver's receives fail after ``lostAfter``.
func connectedPair(_ context: Context) throws -> (sender: Socket, receiver: Socket) {
    let receiver = try Socket(context, type: .pair)
    try receiver.failReceives()
    let endpoint = try receiver.bindEphemeral()
    let sender = try Socket(context, type: .pair)
    try sender.connect(endpoint)
    return (sender, receiver)
}
