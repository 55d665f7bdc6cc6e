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
    /// Distinct topics tracked one by one; past this many (only a hostile or broken subscriber
    /// gets there) every event is treated as watched, which costs encoding work, never messages.
    static let maxTrackedTopics = 10_000

    private struct Subscriptions {
        var topics: Set<[UInt8]> = []
        var overflowed = false
    }

    private let socket: AsyncSocket
    private let state: WriterState
    private let subscriptions = Mutex(Subscriptions())

    init(socket: AsyncSocket, state: WriterState) {
        self.socket = socket
        self.state = state
    }

    /// Follows subscriptions until the socket closes or the task is cancelled.
    func run(until stopping: @Sendable () -> Bool) async {
        while !stopping() {
            guard let batch = await socket.receive(upTo: 256, timeout: .milliseconds(100)) else { return }
            for message in batch {
                // Subscribers only ever send one-frame (un)subscriptions; anything else is junk.
                guard message.count == 1, let frame = message.first, !frame.isEmpty, frame.count <= 1 + Self.maxTopicBytes,
                      frame.bytes[0] <= 1 else {
                    state.droppedMessages.add(1, ordering: .relaxed)
                    continue
                }
                let bytes = frame.bytes
                let topic = Array(bytes.dropFirst())
                subscriptions.withLock { subscriptions in
                    if bytes[0] == 1 {
                        if subscriptions.topics.count < Self.maxTrackedTopics {
                            subscriptions.topics.insert(topic)
                        } else {
                            subscriptions.overflowed = true
                        }
                    } else {
                        subscriptions.topics.remove(topic)
                    }
                }
            }
        }
    }

    /// The longest topic a subscription can usefully name: an audit id.
    static let maxTopicBytes = 36

    /// Whether anyone subscribed to a prefix of the audit's topic.
    func isWatched(_ auditID: AuditID) -> Bool {
        subscriptions.withLock { subscriptions in
            if subscriptions.overflowed { return true }
            // Usually nobody watches: then an event costs no allocation here at all.
            guard !subscriptions.topics.isEmpty else { return false }
            // At most 37 lookups, however many topics are tracked.
            let topic = Array(auditID.rawValue.utf8)
            return (0...topic.count).contains { subscriptions.topics.contains(Array(topic.prefix($0))) }
        }
    }

    /// Publishes the message `message` builds, if anyone watches the audit; never blocks.
    func publish(_ auditID: AuditID, _ message: () -> FeedMessage) {
        guard isWatched(auditID) else { return }
        socket.post(message().encodeFrames().map { Frame(noCopy: $0) })
    }
}
