import Foundation
import Synchronization
import VeritasProtocol
import ZeroMQ

/// Follows a writer's live feed (docs/PROTOCOL.md §2.3, §7): a `SUB` socket subscribed to one
/// audit id, or to every audit, yielding decoded ``FeedMessage``s.
///
/// The feed is best-effort (PUB/SUB drops messages published before the subscription reached the
/// writer, or while the subscriber lags); treat it as a hint and ask
/// ``WriterClient/status(_:timeout:)`` for the truth. Malformed messages are skipped and counted
/// in ``skippedMessages``.
///
/// ```swift
/// let watcher = try FeedWatcher(endpoint: "tcp://127.0.0.1:5557", auditID: id)
/// for await message in watcher {
///     print(message.event, message.status)
///     if message.status == .completed || message.status == .error { break }
/// }
/// await watcher.close()
/// ```
///
/// One consumer at a time: iterate it, or call ``next(timeout:)``, from one task.
public final class FeedWatcher: AsyncSequence, Sendable {
    public typealias Element = FeedMessage

    /// The feed endpoint this watcher connects to, e.g. `tcp://127.0.0.1:5557`.
    public let endpoint: String
    /// The audit followed, or `nil` for every audit.
    public let auditID: AuditID?

    private let loop: SocketLoop
    private let socket: AsyncSocket
    private let skipped = Atomic<Int>(0)

    /// Connects and subscribes. Messages published before the subscription reaches the writer
    /// are not delivered (the usual PUB/SUB "slow joiner").
    ///
    /// - Parameter curve: CURVE credentials, for a writer that requires them; `nil` for plaintext.
    /// - Throws: ``ClientError/Code/unreachable`` when the endpoint cannot be parsed.
    public init(endpoint: String = DefaultEndpoints.feedConnect, auditID: AuditID?, curve: CurveClientCredentials? = nil) throws(ClientError) {
        self.endpoint = endpoint
        self.auditID = auditID
        do throws(ZMQError) {
            let context = try Context()
            let subscriber = try Socket(context, type: .sub)
            if let curve { try subscriber.configureCurveClient(curve) }
            try subscriber.set(.linger, Duration.zero)
            let topic = auditID.map { FeedMessage.topic(for: $0) } ?? FeedMessage.allAuditsTopic
            try subscriber.set(.subscribe, Array(topic))
            try subscriber.connect(endpoint)
            loop = try SocketLoop(name: "veritas-feed")
            socket = loop.register(subscriber, options: AsyncSocket.Options(maxFrames: 4))
        } catch {
            throw ClientError(.unreachable, "cannot connect to the feed at \(endpoint): \(error.message)", endpoint: endpoint)
        }
    }

    /// How many received messages were not valid feed messages and were skipped.
    public var skippedMessages: Int { skipped.load(ordering: .relaxed) }

    /// The next valid message, waiting at most `timeout`; `nil` when none arrived in time or the
    /// watcher is closed.
    public func next(timeout: Duration) async -> FeedMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, let batch = await socket.receive(upTo: 1, timeout: remaining), let frames = batch.first else {
                return nil
            }
            if let message = decode(frames) { return message }
        }
    }

    /// Unsubscribes, closes the socket and stops its thread; iteration then ends.
    public func close() async {
        await socket.close()
        await loop.shutdown()
    }

    fileprivate func decode(_ frames: [Frame]) -> FeedMessage? {
        guard let message = try? FeedMessage.decode(frames: frames.map(\.data)) else {
            skipped.add(1, ordering: .relaxed)
            return nil
        }
        return message
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(watcher: self)
    }

    /// Yields valid messages until the watcher is closed.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let watcher: FeedWatcher

        public mutating func next() async -> FeedMessage? {
            while let frames = await watcher.socket.receive() {
                if let message = watcher.decode(frames) { return message }
            }
            return nil
        }
    }
}
