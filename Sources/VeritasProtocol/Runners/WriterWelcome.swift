/// `welcome`: the writer's answer to `hello`. It announces the heartbeat timing the writer
/// enforces, so runners follow the deployment's configuration rather than their own defaults.
public struct WriterWelcome: Sendable, Equatable, Hashable {
    /// The writer's name (same rules as a runner id), for runner logs.
    public var writerID: RunnerID
    /// How often the runner must heartbeat: 1...``ProtocolLimits/maxHeartbeatMilliseconds``.
    public var heartbeatIntervalMilliseconds: Int
    /// After this much silence the writer requeues the runner's jobs: 1...``ProtocolLimits/maxHeartbeatMilliseconds``.
    public var heartbeatTimeoutMilliseconds: Int

    /// Defaults to ``ProtocolDefaults``' timings. The protocol version is always ``ProtocolDefaults/protocolVersion``.
    public init(
        writerID: RunnerID,
        heartbeatIntervalMilliseconds: Int = ProtocolDefaults.heartbeatIntervalMilliseconds,
        heartbeatTimeoutMilliseconds: Int = ProtocolDefaults.runnerSilentTimeoutMilliseconds
    ) {
        self.writerID = writerID
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.heartbeatTimeoutMilliseconds = heartbeatTimeoutMilliseconds
    }

    var fields: [String: JSONValue] {
        [
            "type": .string(WriterMessageType.welcome.rawValue),
            "protocol": .int(ProtocolDefaults.protocolVersion),
            "writer_id": .string(writerID.rawValue),
            "heartbeat_interval_ms": .int(heartbeatIntervalMilliseconds),
            "heartbeat_timeout_ms": .int(heartbeatTimeoutMilliseconds),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        _ = try reader.protocolVersion("protocol")
        writerID = try reader.runnerID("writer_id")
        heartbeatIntervalMilliseconds = try reader.int("heartbeat_interval_ms", in: 1...ProtocolLimits.maxHeartbeatMilliseconds)
        heartbeatTimeoutMilliseconds = try reader.int("heartbeat_timeout_ms", in: 1...ProtocolLimits.maxHeartbeatMilliseconds)
    }
}
