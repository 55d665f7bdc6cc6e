/// `heartbeat`: sent every ``ProtocolDefaults/heartbeatIntervalMilliseconds`` (and answered by the
/// writer), so both sides notice a dead peer. Repeats capacity and active audits, letting the
/// writer correct its view without a separate resync message.
public struct RunnerHeartbeat: Sendable, Equatable, Hashable {
    public var runnerID: RunnerID
    /// 1...``ProtocolLimits/maxRunnerCapacity``.
    public var capacity: Int
    /// ≤ ``ProtocolLimits/maxActiveAuditsPerRunner``.
    public var active: [AuditID]

    /// Values are not re-validated here; they are checked on decode.
    public init(runnerID: RunnerID, capacity: Int, active: [AuditID] = []) {
        self.runnerID = runnerID
        self.capacity = capacity
        self.active = active
    }

    var fields: [String: JSONValue] {
        [
            "type": .string(RunnerMessageType.heartbeat.rawValue),
            "runner_id": .string(runnerID.rawValue),
            "capacity": .int(capacity),
            "active": .array(active.map { .string($0.rawValue) }),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        runnerID = try reader.runnerID("runner_id")
        capacity = try reader.int("capacity", in: 1...ProtocolLimits.maxRunnerCapacity)
        active = try reader.strings("active", maxCount: ProtocolLimits.maxActiveAuditsPerRunner) {
            (text, field) throws(ProtocolError) in try AuditID(text, field: field)
        }
    }
}
