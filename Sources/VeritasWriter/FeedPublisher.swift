import Synchronization
import VeritasProtocol
import ZeroMQ

/// Publishes the live feed on an XPUB socket, encoding only what someone subscribed to.
///
/// To subscribers an XPUB is a plain PUB (topic = audit id, `""` for everything). Unlike PUB it
/// reports subscriptions: libzmq passes up `\u{1}topic` when the first subscriber of a topic
/// arrives and `\u{0}topic` when the last one leaves. Tracking that set lets the writer skip
/// encoding events nobody watches, which is most of them on a busy writer; the feed stays best
/// effort either way (PUB semantics: slow or late subscribers miss messages).
final class FeedPublisher: Sendable {
    private let socket: AsyncSocket
    private let topics = Mutex<Set<[UInt8]>>([])

    init(socket: AsyncSocket) {
        self.socket = socket
    }

    /// Follows subscriptions until the socket closes or the task is cancelled.
    func run(until stopping: @Sendable () -> Bool) async {
        while !stopping() {
            guard let batch = await socket.receive(upTo: 256, timeout: .milliseconds(100)) else { return }
            for message in batch {
                guard let frame = message.first, !frame.isEmpty else { continue }
                let bytes = frame.bytes
                let topic = Array(bytes.dropFirst())
                switch bytes[0] {
                case 1: _ = topics.withLock { $0.insert(topic) }
                case 0: _ = topics.withLock { $0.remove(topic) }
                default: continue
                }
            }
        }
    }

    /// Whether any subscriber's topic is a prefix of `auditID`'s topic.
    func isWatched(_ auditID: AuditID) -> Bool {
        let topic = Array(auditID.rawValue.utf8)
        return topics.withLock { topics in
            topics.contains { $0.count <= topic.count && topic.starts(with: $0) }
        }
    }

    /// Publishes `message()` if anyone watches its audit; builds nothing otherwise.
    func publish(_ auditID: AuditID, _ message: () -> FeedMessage) {
        guard isWatched(auditID) else { return }
        socket.post(message().encodeFrames().map { Frame(noCopy: $0) })
    }
}
