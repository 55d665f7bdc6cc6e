/// `release`: a runner hands back a job it will not finish (graceful stop, shutting down). The
/// writer requeues the audit at once instead of waiting for the silence timeout.
public struct JobRelease: Sendable, Equatable, Hashable {
    public var runnerID: RunnerID
    public var auditID: AuditID
    /// Why, for logs: ≤ ``ProtocolLimits/maxShortTextLength`` characters; optional on the wire (default "").
    public var reason: String

    /// Values are not re-validated here; they are checked on decode.
    public init(runnerID: RunnerID, auditID: AuditID, reason: String = "") {
        self.runnerID = runnerID
        self.auditID = auditID
        self.reason = reason
    }

    var fields: [String: JSONValue] {
        [
            "type": .string(RunnerMessageType.release.rawValue),
            "runner_id": .string(runnerID.rawValue),
            "audit_id": .string(auditID.rawValue),
            "reason": .string(reason),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        runnerID = try reader.runnerID("runner_id")
        auditID = try reader.auditID("audit_id")
        reason = try reader.optionalString("reason", maxLength: ProtocolLimits.maxShortTextLength) ?? ""
    }
}
