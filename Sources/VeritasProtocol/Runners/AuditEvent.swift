import Foundation

/// One lifecycle event from a runner: `audit.started`, `.progress`, `.screenshot`, `.completed`
/// or `.error`.
///
/// ``eventID`` makes applying it idempotent (a resent event is recognised and acknowledged again
/// without being applied twice); ``seq`` numbers the audit's events 1, 2, 3... in the order the
/// runner produced them, so the writer can tolerate reordering (see docs/PROTOCOL.md, "Lifecycle").
public struct AuditEvent: Sendable, Equatable, Hashable {
    public var eventID: EventID
    public var auditID: AuditID
    /// 1...`Int32.max`, per audit, increasing.
    public var seq: Int
    /// When the runner produced the event.
    public var timestamp: Timestamp
    public var runnerID: RunnerID
    public var payload: EventPayload

    /// The event name, from the payload.
    public var name: EventName { payload.name }

    /// Values are not re-validated here; they are checked on decode.
    public init(
        eventID: EventID = .generate(), auditID: AuditID, seq: Int, timestamp: Timestamp = .now, runnerID: RunnerID,
        payload: EventPayload
    ) {
        self.eventID = eventID
        self.auditID = auditID
        self.seq = seq
        self.timestamp = timestamp
        self.runnerID = runnerID
        self.payload = payload
    }

    var headerFields: [String: JSONValue] {
        [
            "type": .string(RunnerMessageType.event.rawValue),
            "event_id": .string(eventID.rawValue),
            "audit_id": .string(auditID.rawValue),
            "seq": .int(seq),
            "event": .string(name.rawValue),
            "timestamp": .string(timestamp.description),
            "runner_id": .string(runnerID.rawValue),
            "payload": payload.jsonValue,
        ]
    }

    /// Reads an event header and, for screenshots, the image frame; `frames` is the whole message.
    init(reading reader: FieldReader, frames: [Data]) throws(ProtocolError) {
        eventID = try reader.eventID("event_id")
        auditID = try reader.auditID("audit_id")
        seq = try reader.int("seq", in: 1...ProtocolLimits.maxEventSeq)
        // An unknown name is answered with the names a runner may send, not the feed-only ones.
        let name = try reader.enumeration("event", EventName.self, listing: \.isRunnerEvent)
        guard name.isRunnerEvent else {
            let allowed = EventName.allCases.filter(\.isRunnerEvent).map(\.rawValue).joined(separator: ", ")
            throw .badRequest(
                "field 'event' '\(name.rawValue)' is published by the writer only; runners may send \(allowed)")
        }
        timestamp = try reader.timestamp("timestamp")
        runnerID = try reader.runnerID("runner_id")

        let expectedFrames = name == .screenshot ? 2 : 1
        guard frames.count == expectedFrames else {
            throw .badRequest(
                "an '\(name.rawValue)' event must have \(expectedFrames) frame\(expectedFrames == 1 ? "" : "s"); got \(frames.count)")
        }
        let payloadReader = try reader.object("payload")
        switch name {
        case .started:
            payload = .started(try StartedEventPayload(reading: payloadReader))
        case .progress:
            payload = .progress(try ProgressEventPayload(reading: payloadReader))
        case .screenshot:
            let image = frames[1]
            guard image.count <= ProtocolLimits.maxScreenshotBytes else {
                throw .tooLarge(
                    "screenshot frame is \(image.count) bytes; the limit is \(ProtocolLimits.maxScreenshotBytes) bytes")
            }
            let metadata = try ScreenshotEventPayload(reading: payloadReader)
            guard image.count == metadata.byteCount else {
                throw .badRequest(
                    "field 'payload.byte_count' is \(metadata.byteCount) but the image frame is \(image.count) bytes")
            }
            payload = .screenshot(metadata, bytes: image)
        case .completed:
            payload = .completed(try CompletedEventPayload(reading: payloadReader))
        case .error:
            payload = .error(try ErrorEventPayload(reading: payloadReader))
        case .queued, .requeued:
            throw .badRequest("field 'event' '\(name.rawValue)' is published by the writer only")
        }
    }
}
