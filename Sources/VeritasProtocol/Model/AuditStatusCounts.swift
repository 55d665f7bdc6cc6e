/// How many audits are in each status, as `health` reports them.
public struct AuditStatusCounts: Sendable, Equatable, Hashable {
    public var queued: Int
    public var running: Int
    public var completed: Int
    public var error: Int

    /// All zero by default.
    public init(queued: Int = 0, running: Int = 0, completed: Int = 0, error: Int = 0) {
        self.queued = queued
        self.running = running
        self.completed = completed
        self.error = error
    }

    /// The count for `status`, so stores can tally with `counts[audit.status] += 1`.
    public subscript(status: AuditStatus) -> Int {
        get {
            switch status {
            case .queued: queued
            case .running: running
            case .completed: completed
            case .error: error
            }
        }
        set {
            switch status {
            case .queued: queued = newValue
            case .running: running = newValue
            case .completed: completed = newValue
            case .error: error = newValue
            }
        }
    }

    /// The wire object `{"queued": n, "running": n, "completed": n, "error": n}`.
    public var jsonValue: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: AuditStatus.allCases.map { ($0.rawValue, JSONValue.int(self[$0])) }))
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        self.init()
        for status in AuditStatus.allCases {
            self[status] = try reader.int(status.rawValue, in: 0...Int.max)
        }
    }
}
