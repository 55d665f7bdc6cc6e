import Foundation

/// One message of the live feed (writer PUB → SUB): every applied event, plus the writer's own
/// `audit.queued` and `audit.requeued`.
///
/// Two frames: the topic, which is the audit id as 36 ASCII bytes (subscribe to one id, or to ""
/// for everything), then the JSON. The feed is best-effort by nature of PUB/SUB; clients that
/// need the truth ask `status`.
public struct FeedMessage: Sendable, Equatable, Hashable {
    public var event: EventName
    public var auditID: AuditID
    /// The audit's status after the event was applied.
    public var status: AuditStatus
    /// The runner's `seq`; `nil` for writer-originated events.
    public var seq: Int?
    /// The runner's `event_id`; `nil` for writer-originated events.
    public var eventID: EventID?
    public var timestamp: Timestamp
    /// The event's payload (screenshot metadata only, never bytes); `nil` when there is none.
    public var payload: JSONValue?

    /// Values are not re-validated here; they are checked on decode.
    public init(
        event: EventName, auditID: AuditID, status: AuditStatus, seq: Int? = nil, eventID: EventID? = nil,
        timestamp: Timestamp, payload: JSONValue? = nil
    ) {
        self.event = event
        self.auditID = auditID
        self.status = status
        self.seq = seq
        self.eventID = eventID
        self.timestamp = timestamp
        self.payload = payload
    }

    /// The feed message for an applied runner event.
    public init(applying event: AuditEvent, status: AuditStatus) {
        self.init(
            event: event.name, auditID: event.auditID, status: status, seq: event.seq, eventID: event.eventID,
            timestamp: event.timestamp, payload: event.payload.jsonValue)
    }

    /// The subscription prefix for one audit.
    public static func topic(for auditID: AuditID) -> Data {
        Data(auditID.rawValue.utf8)
    }

    /// The subscription prefix that matches every message.
    public static let allAuditsTopic = Data()

    /// `[topic, JSON]`.
    public func encodeFrames() -> [Data] {
        let fields: [String: JSONValue] = [
            "event": .string(event.rawValue),
            "audit_id": .string(auditID.rawValue),
            "status": .string(status.rawValue),
            "seq": .optional(seq),
            "event_id": .optional(eventID?.rawValue),
            "timestamp": .string(timestamp.description),
            "payload": payload ?? .null,
        ]
        return [Self.topic(for: auditID), FrameDecoding.encode(fields)]
    }

    /// Decodes `[topic, JSON]`; the topic must equal the JSON's `audit_id`. A JSON frame over
    /// ``ProtocolLimits/maxFeedFrameBytes`` gives `too_large`, anything invalid `bad_request`.
    public static func decode(frames: [Data]) throws(ProtocolError) -> FeedMessage {
        guard frames.count == 2 else { throw .badRequest("a feed message must have 2 frames (topic, JSON); got \(frames.count)") }
        let reader = FieldReader(
            try FrameDecoding.object(frames[1], maxBytes: ProtocolLimits.maxFeedFrameBytes, what: "feed message"))
        let message = FeedMessage(
            event: try reader.enumeration("event", EventName.self),
            auditID: try reader.auditID("audit_id"),
            status: try reader.enumeration("status", AuditStatus.self),
            seq: try reader.optionalInt("seq", in: 1...ProtocolLimits.maxEventSeq),
            eventID: try reader.optionalEventID("event_id"),
            timestamp: try reader.timestamp("timestamp"),
            payload: reader.value("payload"))
        guard frames[0] == topic(for: message.auditID) else {
            throw .badRequest("feed topic does not match field 'audit_id' \(message.auditID)")
        }
        return message
    }
}
