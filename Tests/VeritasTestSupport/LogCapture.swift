import Logging
import Synchronization

/// Collects log records in memory, so tests can check what a service logged.
public final class LogCapture: Sendable {
    /// One log record, metadata flattened to text.
    public struct Record: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    public init() {}

    /// Everything logged so far.
    public var all: [Record] { records.withLock { $0 } }

    /// Records whose message is `message`.
    public func records(_ message: String) -> [Record] { all.filter { $0.message == message } }

    /// A handler writing into this capture.
    public func handler() -> some LogHandler { Handler(capture: self) }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = self.metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            capture.append(Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
