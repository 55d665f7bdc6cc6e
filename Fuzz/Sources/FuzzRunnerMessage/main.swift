// RunnerMessage.decode(frames:): the writer's reading of runner → writer messages.
//
// The input is split into 1-3 frames (see Frames), so screenshot events with an image frame and
// wrong frame counts are explored. Accepted: 2 frames exactly for audit.screenshot (image =
// frame 2, byte_count long) and 1 otherwise; every field within its range (§6.2); encodeFrames()
// decodes back to an equal message; for an event, the feed message the writer would publish
// decodes on the subscriber side to the same content. Refused: bad_request or too_large, and the
// writer's reply (reject or error) decodes on the runner side to the same message.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frames = Frames.split(inputBuffer(data, size))
    let message: RunnerMessage
    do {
        message = try RunnerMessage.decode(frames: frames)
    } catch {
        checkError(error.error, allowed: [.badRequest, .tooLarge])
        let reply = error.reply
        do {
            let decoded = try WriterMessage.decode(frames: [reply.encode()])
            require(decoded == reply, "the writer's reply does not round-trip: \(reply) vs \(decoded)")
        } catch {
            violated("the writer's reply to a bad message is refused by the runner decoder: \(error)")
        }
        return 0
    }

    require(frames[0].count <= ProtocolLimits.maxRunnerHeaderBytes, "accepted a header of \(frames[0].count) bytes")
    switch message {
    case .hello(let hello):
        require((1...ProtocolLimits.maxRunnerCapacity).contains(hello.capacity), "hello capacity \(hello.capacity)")
        checkActive(hello.active, "hello.active")
        checkText(hello.version, "hello.version", min: 1, max: ProtocolLimits.maxVersionLength)
    case .heartbeat(let heartbeat):
        require((1...ProtocolLimits.maxRunnerCapacity).contains(heartbeat.capacity), "heartbeat capacity \(heartbeat.capacity)")
        checkActive(heartbeat.active, "heartbeat.active")
    case .event(let event):
        checkEvent(event)
        if case .screenshot(_, let bytes) = event.payload {
            require(frames.count == 2 && bytes == frames[1], "screenshot accepted with \(frames.count) frames or another image")
        } else {
            require(frames.count == 1, "\(event.name.rawValue) accepted with \(frames.count) frames")
        }
        checkFeed(event)
    case .release(let release):
        checkText(release.reason, "release.reason", max: ProtocolLimits.maxShortTextLength)
    case .bye:
        break
    }
    if case .event = message {} else { require(frames.count == 1, "\(message.type.rawValue) accepted with \(frames.count) frames") }

    let encoded = message.encodeFrames()
    do {
        let again = try RunnerMessage.decode(frames: encoded)
        require(again == message, "round trip changed the message: \(message) vs \(again)")
        require(again.hashValue == message.hashValue, "equal messages with different hashes")
    } catch {
        violated("encodeFrames() of an accepted message does not decode: \(error.error); header: \(hexPrefix(encoded[0]))")
    }
    return 0
}

/// The writer republishes every applied event on the feed (§7); a subscriber must read it back.
func checkFeed(_ event: AuditEvent) {
    let feed = FeedMessage(applying: event, status: event.name.impliedStatus)
    let frames = feed.encodeFrames()
    // Documented (§10): the writer does not check the feed limit, so only frames within it must decode.
    guard frames[1].count <= ProtocolLimits.maxFeedFrameBytes else { return }
    do {
        let decoded = try FeedMessage.decode(frames: frames)
        require(decoded == feed, "feed message does not round-trip: \(feed) vs \(decoded)")
    } catch {
        violated("the feed message of an accepted event is refused by FeedMessage.decode: \(error)")
    }
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
