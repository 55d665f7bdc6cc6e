import Foundation

/// A runner → writer message on the runners endpoint (runner DEALER → writer ROUTER).
///
/// Frame 1 is always a JSON header with `"type"`; only an `audit.screenshot` event has a frame 2,
/// the raw image bytes. The ROUTER's identity frame is not part of this: the writer strips it
/// before decoding, and there is no empty delimiter frame on this endpoint.
///
/// ```swift
/// // writer
/// do {
///     let message = try RunnerMessage.decode(frames: Array(frames.dropFirst()))
/// } catch {
///     send(identity, error.reply.encode())   // reject or error
/// }
/// // runner
/// try socket.send(frames: RunnerMessage.event(event).encodeFrames())
/// ```
public enum RunnerMessage: Sendable, Equatable, Hashable {
    case hello(RunnerHello)
    case heartbeat(RunnerHeartbeat)
    case event(AuditEvent)
    case release(JobRelease)
    /// Graceful disconnect: the writer forgets the runner without waiting for the silence timeout
    /// (a runner should `release` unfinished jobs first).
    case bye(runnerID: RunnerID)

    /// The message's `type`.
    public var type: RunnerMessageType {
        switch self {
        case .hello: .hello
        case .heartbeat: .heartbeat
        case .event: .event
        case .release: .release
        case .bye: .bye
        }
    }

    /// The sender, as it names itself (compare with the ROUTER identity).
    public var runnerID: RunnerID {
        switch self {
        case .hello(let hello): hello.runnerID
        case .heartbeat(let heartbeat): heartbeat.runnerID
        case .event(let event): event.runnerID
        case .release(let release): release.runnerID
        case .bye(let runnerID): runnerID
        }
    }

    /// The frames to send: the JSON header, plus the image bytes for a screenshot event.
    public func encodeFrames() -> [Data] {
        switch self {
        case .hello(let hello):
            return [FrameDecoding.encode(hello.fields)]
        case .heartbeat(let heartbeat):
            return [FrameDecoding.encode(heartbeat.fields)]
        case .event(let event):
            let header = FrameDecoding.encode(event.headerFields)
            if let image = event.payload.imageBytes { return [header, image] }
            return [header]
        case .release(let release):
            return [FrameDecoding.encode(release.fields)]
        case .bye(let runnerID):
            return [FrameDecoding.encode(["type": .string(RunnerMessageType.bye.rawValue), "runner_id": .string(runnerID.rawValue)])]
        }
    }

    /// Decodes one message (frames after the ROUTER identity).
    ///
    /// A header over ``ProtocolLimits/maxRunnerHeaderBytes`` or an image over
    /// ``ProtocolLimits/maxScreenshotBytes`` gives `too_large`; anything else invalid, including a
    /// frame count other than 1 (2 for a screenshot), gives `bad_request`. When the header is an
    /// event with a valid `event_id`, the thrown error carries it (see ``RunnerMessageError``).
    /// Never traps, whatever the bytes.
    public static func decode(frames: [Data]) throws(RunnerMessageError) -> RunnerMessage {
        guard let header = frames.first else {
            throw RunnerMessageError(error: .badRequest("a runner message must have 1 or 2 frames; got 0"))
        }
        let reader: FieldReader
        let type: RunnerMessageType
        do throws(ProtocolError) {
            reader = FieldReader(
                try FrameDecoding.object(header, maxBytes: ProtocolLimits.maxRunnerHeaderBytes, what: "runner message header"))
            type = try reader.enumeration("type", RunnerMessageType.self)
        } catch {
            throw RunnerMessageError(error: error)
        }

        if type == .event {
            // Read on its own first so that any later failure can still name the event to reject.
            let eventID = try? reader.eventID("event_id")
            do throws(ProtocolError) {
                return .event(try AuditEvent(reading: reader, frames: frames))
            } catch {
                throw RunnerMessageError(error: error, eventID: eventID)
            }
        }

        do throws(ProtocolError) {
            guard frames.count == 1 else {
                throw ProtocolError.badRequest("a '\(type.rawValue)' message must have 1 frame; got \(frames.count)")
            }
            switch type {
            case .hello: return .hello(try RunnerHello(reading: reader))
            case .heartbeat: return .heartbeat(try RunnerHeartbeat(reading: reader))
            case .release: return .release(try JobRelease(reading: reader))
            case .bye: return .bye(runnerID: try reader.runnerID("runner_id"))
            case .event: throw ProtocolError(.internal, "unreachable: events are decoded above")
            }
        } catch {
            throw RunnerMessageError(error: error)
        }
    }
}
