import CZeroMQ
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An async handle to a socket owned by a ``SocketLoop``.
///
/// `Sendable`: any task may send through it. Receiving is meant for one consumer at a time
/// (like an `AsyncStream`); messages arrive in order as arrays of frames.
public struct AsyncSocket: Sendable {
    /// How the loop treats a registered socket.
    public struct Options: Sendable {
        /// Messages buffered for the reader before the loop stops reading the socket (which
        /// makes libzmq push back on the peer).
        public var receiveBufferLimit: Int = 256
        /// Messages with more frames than this are read, discarded and counted in
        /// ``Statistics/droppedOversized``.
        public var maxFrames: Int = 64
        /// How long a send may wait for room in a full queue before failing with ``ZMQError/again``.
        public var sendTimeout: Duration = .seconds(10)

        public init(receiveBufferLimit: Int = 256, maxFrames: Int = 64, sendTimeout: Duration = .seconds(10)) {
            self.receiveBufferLimit = receiveBufferLimit
            self.maxFrames = maxFrames
            self.sendTimeout = sendTimeout
        }
    }

    /// Counters of what the loop did for this socket.
    public struct Statistics: Sendable, Equatable {
        public var received: Int
        public var sent: Int
        public var failedSends: Int
        public var droppedOversized: Int
        public var receiveErrors: Int
    }

    final class Counters: Sendable {
        let received = Atomic<Int>(0)
        let sent = Atomic<Int>(0)
        let failedSends = Atomic<Int>(0)
        let droppedOversized = Atomic<Int>(0)
        let receiveErrors = Atomic<Int>(0)
    }

    let id: Int
    let loop: SocketLoop
    let incoming: IncomingBuffer
    let counters: Counters

    /// Receives the next message; `nil` once the socket is closed (or the task is cancelled).
    public func receive() async -> [Frame]? {
        await incoming.next()
    }

    /// Receives up to `max` messages: waits at most `timeout` for the first, then takes what is
    /// already buffered without waiting. Returns `[]` when the timeout passed with nothing,
    /// `nil` once the socket is closed and drained, or when the task is cancelled (so a
    /// `while let` loop over it ends instead of spinning).
    ///
    /// This is the building block of group commit: whatever arrived together is handled
    /// together, and the caller still gets control back regularly for timed work.
    ///
    /// ``interruptReceive()`` ends the wait early (with `[]`), so the caller can react to work
    /// that finished elsewhere without polling.
    public func receive(upTo max: Int, timeout: Duration) async -> [[Frame]]? {
        var batch = incoming.popAvailable(max: max)
        if !batch.isEmpty { return batch }
        if incoming.isDrained || Task.isCancelled { return nil }
        if incoming.takeInterrupt() { return [] }
        let incoming = self.incoming
        // Race the first message against the timeout. Every child's result is collected, so a
        // message that arrives just as the timeout fires is kept, never dropped.
        let first = await withTaskGroup(of: [Frame]?.self) { group -> [Frame]? in
            group.addTask { await incoming.next() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var received: [Frame]?
            if case let .some(.some(message)) = await group.next() { received = message }
            group.cancelAll()
            for await result in group {
                if let result { received = result }
            }
            return received
        }
        guard let first else { return incoming.isDrained || Task.isCancelled ? nil : [] }
        batch = [first]
        batch += incoming.popAvailable(max: max - 1)
        return batch
    }

    /// Wakes the task waiting in ``receive(upTo:timeout:)``: it returns `[]` at once (or, if
    /// none is waiting, the next such call does). Safe from any task; for the one consumer that
    /// uses ``receive(upTo:timeout:)``, not ``receive()`` or ``messages``.
    public func interruptReceive() {
        incoming.interrupt()
    }

    /// Sends a multipart message and returns once libzmq has queued it.
    ///
    /// Throws ``ZMQError/again`` when the queue stayed full for ``Options/sendTimeout``,
    /// ``ZMQError/hostUnreachable`` for an unknown ROUTER peer (with `routerMandatory`), or
    /// ``ZMQError/contextTerminated`` after shutdown.
    public func send(_ frames: [Frame]) async throws(ZMQError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ZMQError>, Never>) in
            if !loop.enqueue(.send(id: id, frames: frames, counters: counters, completion: continuation)) {
                continuation.resume(returning: .failure(ZMQError(errno: ETERM, operation: "send after SocketLoop shutdown")))
            }
        }
        try result.get()
    }

    /// Queues a message without waiting. A failure is only counted (``Statistics/failedSends``):
    /// use it where losing the message is harmless, such as an ack the peer will ask for again.
    public func post(_ frames: [Frame]) {
        if !loop.enqueue(.send(id: id, frames: frames, counters: counters, completion: nil)) {
            counters.failedSends.add(1, ordering: .relaxed)
        }
    }

    /// Closes the socket on the loop thread; pending sends fail and ``messages`` ends.
    /// - Parameter discardUnsent: drop what libzmq still queues for the peer instead of lingering
    ///   to deliver it (`ZMQ_LINGER` 0): for a connection abandoned for another peer, whose queued
    ///   messages must not reach the old peer later.
    public func close(discardUnsent: Bool = false) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !loop.enqueue(.close(id: id, discardUnsent: discardUnsent, completion: continuation)) { continuation.resume() }
        }
    }

    /// What the loop has done for this socket so far.
    public var statistics: Statistics {
        Statistics(
            received: counters.received.load(ordering: .relaxed),
            sent: counters.sent.load(ordering: .relaxed),
            failedSends: counters.failedSends.load(ordering: .relaxed),
            droppedOversized: counters.droppedOversized.load(ordering: .relaxed),
            receiveErrors: counters.receiveErrors.load(ordering: .relaxed)
        )
    }

    /// Received messages, in order, until the socket is closed.
    public var messages: Messages { Messages(incoming: incoming) }

    /// The messages of an ``AsyncSocket`` as an `AsyncSequence`.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = [Frame]
        let incoming: IncomingBuffer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let incoming: IncomingBuffer
            public mutating func next() async -> [Frame]? { await incoming.next() }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(incoming: incoming) }
    }
}
