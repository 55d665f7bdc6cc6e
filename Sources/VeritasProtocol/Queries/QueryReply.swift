/// The result of one query, as the first reply frame carries it.
///
/// Successful replies are `{"ok": true, "op": <op>, ...}`; the echoed `op` makes every reply
/// self-describing (``submitted(_:)`` and ``audit(_:)`` would otherwise look alike). Failures are
/// `{"ok": false, "error": {"code", "message"}}` for any op.
public enum QueryReply: Sendable, Equatable, Hashable {
    /// `submit`: `{"audit_id", "status": "queued", "audit"}`.
    case submitted(Audit)
    /// `status`: `{"audit"}`.
    case audit(Audit)
    /// `list`: `{"audits", "limit", "offset", "next_offset", "source"}`.
    case auditList(AuditList)
    /// `findings`: `{"audit_id", "findings", "source"}`.
    case findings(FindingList)
    /// `screenshots`: `{"audit_id", "screenshots", "source"}`.
    case screenshots(ScreenshotList)
    /// `screenshot`: `{"screenshot", "source"}`; the caller sends the image bytes as frame 2.
    case screenshot(ScreenshotInfo, source: DataSource)
    /// `health`: `{"health"}`.
    case health(HealthReport)
    /// Any op: `{"ok": false, "error"}`.
    case failure(ProtocolError)

    /// The op this reply answers; `nil` for failures.
    public var operation: QueryOperation? {
        switch self {
        case .submitted: .submit
        case .audit: .status
        case .auditList: .list
        case .findings: .findings
        case .screenshots: .screenshots
        case .screenshot: .screenshot
        case .health: .health
        case .failure: nil
        }
    }

    var fields: [String: JSONValue] {
        var fields: [String: JSONValue]
        switch self {
        case .submitted(let audit):
            fields = ["audit_id": .string(audit.id.rawValue), "status": .string(audit.status.rawValue), "audit": audit.jsonValue]
        case .audit(let audit):
            fields = ["audit": audit.jsonValue]
        case .auditList(let list):
            fields = list.fields
        case .findings(let list):
            fields = list.fields
        case .screenshots(let list):
            fields = list.fields
        case .screenshot(let info, let source):
            fields = ["screenshot": info.jsonValue, "source": .string(source.rawValue)]
        case .health(let report):
            fields = ["health": report.jsonValue]
        case .failure(let error):
            return ["ok": .bool(false), "error": error.jsonValue]
        }
        fields["ok"] = .bool(true)
        fields["op"] = .string(operation?.rawValue ?? "")
        return fields
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        guard try reader.bool("ok") else {
            self = .failure(try ProtocolError(reading: try reader.object("error")))
            return
        }
        switch try reader.enumeration("op", QueryOperation.self) {
        case .submit: self = .submitted(try Audit(reading: try reader.object("audit")))
        case .status: self = .audit(try Audit(reading: try reader.object("audit")))
        case .list: self = .auditList(try AuditList(reading: reader))
        case .findings: self = .findings(try FindingList(reading: reader))
        case .screenshots: self = .screenshots(try ScreenshotList(reading: reader))
        case .screenshot:
            self = .screenshot(
                try ScreenshotInfo(reading: try reader.object("screenshot")),
                source: try reader.enumeration("source", DataSource.self))
        case .health: self = .health(try HealthReport(reading: try reader.object("health")))
        }
    }
}
