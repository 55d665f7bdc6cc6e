/// What `health` answers: enough for a docker healthcheck (``status``) and for an operator to see
/// why (database state, queue depth, runners).
public struct HealthReport: Sendable, Equatable, Hashable {
    /// `degraded` when the database is failing but the writer still serves from memory.
    public var status: HealthStatus
    /// The `USE_DB_PERSISTENCE` flag as the writer runs with it.
    public var persistenceEnabled: Bool
    public var database: DatabaseState
    /// The writer's software version.
    public var version: String
    /// The wire protocol the writer speaks (``ProtocolDefaults/protocolVersion``).
    public var protocolVersion: Int
    public var uptimeSeconds: Double
    public var counts: AuditStatusCounts
    /// Where ``counts`` come from: the database (every audit), or memory (only the audits it
    /// holds) when persistence is off or the database cannot be read.
    public var countsSource: DataSource
    /// Audits waiting for a runner.
    public var queueDepth: Int
    public var connectedRunners: Int
    /// Audits currently held by the bounded memory store.
    public var memoryAudits: Int
    /// Whether every endpoint requires CURVE (the writer was given a secret key and allowlists).
    public var curveEnabled: Bool
    /// Since start: runner and query messages dropped without a reply (unframeable, or the reply
    /// could not be delivered).
    public var droppedMessages: Int
    /// Since start: error replies sent (bad requests, rejected events).
    public var errorReplies: Int
    /// Since start: connections refused at the handshake (plaintext peer, unlisted key).
    public var refusedConnections: Int

    /// Values are not re-validated here; they are checked on decode.
    public init(
        status: HealthStatus, persistenceEnabled: Bool, database: DatabaseState, version: String,
        protocolVersion: Int = ProtocolDefaults.protocolVersion, uptimeSeconds: Double, counts: AuditStatusCounts,
        queueDepth: Int, connectedRunners: Int, memoryAudits: Int, curveEnabled: Bool = false,
        droppedMessages: Int = 0, errorReplies: Int = 0, refusedConnections: Int = 0, countsSource: DataSource? = nil
    ) {
        self.countsSource = countsSource ?? (persistenceEnabled ? .database : .memory)
        self.status = status
        self.persistenceEnabled = persistenceEnabled
        self.database = database
        self.version = version
        self.protocolVersion = protocolVersion
        self.uptimeSeconds = uptimeSeconds
        self.counts = counts
        self.queueDepth = queueDepth
        self.connectedRunners = connectedRunners
        self.memoryAudits = memoryAudits
        self.curveEnabled = curveEnabled
        self.droppedMessages = droppedMessages
        self.errorReplies = errorReplies
        self.refusedConnections = refusedConnections
    }

    /// The wire object.
    public var jsonValue: JSONValue {
        .object([
            "status": .string(status.rawValue),
            "persistence_enabled": .bool(persistenceEnabled),
            "database": .string(database.rawValue),
            "version": .string(version),
            "protocol_version": .int(protocolVersion),
            "uptime_seconds": .number(uptimeSeconds),
            "counts": counts.jsonValue,
            "counts_source": .string(countsSource.rawValue),
            "queue_depth": .int(queueDepth),
            "connected_runners": .int(connectedRunners),
            "memory_audits": .int(memoryAudits),
            "curve": .bool(curveEnabled),
            "dropped_messages": .int(droppedMessages),
            "error_replies": .int(errorReplies),
            "refused_connections": .int(refusedConnections),
        ])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        status = try reader.enumeration("status", HealthStatus.self)
        persistenceEnabled = try reader.bool("persistence_enabled")
        database = try reader.enumeration("database", DatabaseState.self)
        version = try reader.string("version", minLength: 0, maxLength: ProtocolLimits.maxVersionLength)
        // Informational: a client may talk to a newer writer, so any positive version is accepted here.
        protocolVersion = try reader.int("protocol_version", in: 1...Int(Int32.max))
        uptimeSeconds = try reader.double("uptime_seconds", in: 0...Double.greatestFiniteMagnitude)
        counts = try AuditStatusCounts(reading: try reader.object("counts"))
        // Writers before 0.1.0's ingest rework did not send it; they read counts as persistence allowed.
        countsSource = try reader.optionalEnumeration("counts_source", DataSource.self) ?? (persistenceEnabled ? .database : .memory)
        queueDepth = try reader.int("queue_depth", in: 0...Int.max)
        connectedRunners = try reader.int("connected_runners", in: 0...Int.max)
        memoryAudits = try reader.int("memory_audits", in: 0...Int.max)
        curveEnabled = try reader.bool("curve")
        droppedMessages = try reader.int("dropped_messages", in: 0...Int.max)
        errorReplies = try reader.int("error_replies", in: 0...Int.max)
        refusedConnections = try reader.int("refused_connections", in: 0...Int.max)
    }
}
