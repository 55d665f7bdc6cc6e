/// `hello`: the first message of every runner connection (and of every reconnect). It names the
/// runner, its capacity, and the audits it is still working on, so a writer that restarted or
/// requeued them can reconcile instead of running them twice.
public struct RunnerHello: Sendable, Equatable, Hashable {
    public var runnerID: RunnerID
    /// Concurrent audits it will accept: 1...``ProtocolLimits/maxRunnerCapacity``.
    public var capacity: Int
    /// Audits it is still running (≤ ``ProtocolLimits/maxActiveAuditsPerRunner``).
    public var active: [AuditID]
    /// The runner's software version, 1...64 printable characters.
    public var version: String

    /// Values are not re-validated here; they are checked on decode. The protocol version is
    /// always ``ProtocolDefaults/protocolVersion``.
    public init(runnerID: RunnerID, capacity: Int, active: [AuditID] = [], version: String) {
        self.runnerID = runnerID
        self.capacity = capacity
        self.active = active
        self.version = version
    }

    var fields: [String: JSONValue] {
        [
            "type": .string(RunnerMessageType.hello.rawValue),
            "protocol": .int(ProtocolDefaults.protocolVersion),
            "runner_id": .string(runnerID.rawValue),
            "capacity": .int(capacity),
            "active": .array(active.map { .string($0.rawValue) }),
            "version": .string(version),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        _ = try reader.protocolVersion("protocol")
        runnerID = try reader.runnerID("runner_id")
        capacity = try reader.int("capacity", in: 1...ProtocolLimits.maxRunnerCapacity)
        active = try reader.strings("active", maxCount: ProtocolLimits.maxActiveAuditsPerRunner) {
            (text, field) throws(ProtocolError) in try AuditID(text, field: field)
        }
        version = try reader.string("version", maxLength: ProtocolLimits.maxVersionLength)
    }
}
