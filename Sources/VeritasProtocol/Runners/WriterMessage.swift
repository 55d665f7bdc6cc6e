import Foundation

/// A writer → runner message on the runners endpoint: always a single JSON frame (after the
/// ROUTER identity, which the writer prepends and the runner's DEALER never sees).
///
/// ```swift
/// send(identity, WriterMessage.ack(eventIDs: stored).encode())   // writer
/// let message = try WriterMessage.decode(frame)                  // runner
/// ```
public enum WriterMessage: Sendable, Equatable, Hashable {
    /// Answer to `hello`.
    case welcome(WriterWelcome)
    /// Run this audit.
    case job(AuditJob)
    /// These events are durably stored (or were already): drop them from the outbox.
    /// 1...``ProtocolLimits/maxAckBatch`` ids.
    case ack(eventIDs: [EventID])
    /// This event can never be stored: drop it, do not resend. `eventID` is `nil` only when the
    /// writer could not read it (then the runner cannot match it and should log the error).
    case reject(eventID: EventID?, error: ProtocolError)
    /// Answer to a runner heartbeat: the writer is alive.
    case heartbeat(writerID: RunnerID)
    /// A non-event message (hello, heartbeat, release, bye, or unreadable) was bad.
    case error(ProtocolError)

    /// The message's `type`.
    public var type: WriterMessageType {
        switch self {
        case .welcome: .welcome
        case .job: .job
        case .ack: .ack
        case .reject: .reject
        case .heartbeat: .heartbeat
        case .error: .error
        }
    }

    var fields: [String: JSONValue] {
        switch self {
        case .welcome(let welcome):
            return welcome.fields
        case .job(let job):
            return job.fields
        case .ack(let eventIDs):
            return ["type": .string(type.rawValue), "event_ids": .array(eventIDs.map { .string($0.rawValue) })]
        case .reject(let eventID, let error):
            return ["type": .string(type.rawValue), "event_id": .optional(eventID?.rawValue), "error": error.jsonValue]
        case .heartbeat(let writerID):
            return ["type": .string(type.rawValue), "writer_id": .string(writerID.rawValue)]
        case .error(let error):
            return ["type": .string(type.rawValue), "error": error.jsonValue]
        }
    }

    /// The single frame to send.
    public func encode() -> Data {
        FrameDecoding.encode(fields)
    }

    /// Decodes one frame: over ``ProtocolLimits/maxWriterMessageBytes`` gives `too_large`, anything
    /// invalid `bad_request`. Never traps.
    public static func decode(_ frame: Data) throws(ProtocolError) -> WriterMessage {
        let reader = FieldReader(
            try FrameDecoding.object(frame, maxBytes: ProtocolLimits.maxWriterMessageBytes, what: "writer message"))
        switch try reader.enumeration("type", WriterMessageType.self) {
        case .welcome:
            return .welcome(try WriterWelcome(reading: reader))
        case .job:
            return .job(try AuditJob(reading: reader))
        case .ack:
            return .ack(eventIDs: try reader.strings("event_ids", minCount: 1, maxCount: ProtocolLimits.maxAckBatch) {
                (text, field) throws(ProtocolError) in try EventID(text, field: field)
            })
        case .reject:
            return .reject(
                eventID: try reader.optionalEventID("event_id"),
                error: try ProtocolError(reading: try reader.object("error")))
        case .heartbeat:
            return .heartbeat(
                writerID: try reader.runnerID("writer_id"))
        case .error:
            return .error(try ProtocolError(reading: try reader.object("error")))
        }
    }

    /// Decodes a whole message, checking it is exactly one frame.
    public static func decode(frames: [Data]) throws(ProtocolError) -> WriterMessage {
        guard frames.count == 1 else { throw .badRequest("a writer message must have 1 frame; got \(frames.count)") }
        return try decode(frames[0])
    }
}
