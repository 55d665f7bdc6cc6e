// WriterMessage.decode(_:) and decode(frames:): the runner's reading of writer → runner messages.
//
// The input is split into 1-3 frames (see Frames). Invariants: decode(frames:) succeeds exactly
// when there is one frame and decode(_:) accepts it, with the same result; accepted messages are
// within their ranges (§6.3); encode() decodes back to an equal message.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frames = Frames.split(inputBuffer(data, size))
    guard let first = frames.first else { return 0 }

    let single: WriterMessage?
    do {
        single = try WriterMessage.decode(first)
    } catch {
        checkError(error, allowed: [.badRequest, .tooLarge])
        require((error.code == .tooLarge) == (first.count > ProtocolLimits.maxWriterMessageBytes), "too_large must mean over the size limit")
        single = nil
    }
    do {
        let message = try WriterMessage.decode(frames: frames)
        require(frames.count == 1 && message == single, "decode(frames:) disagrees with decode(_:) or accepted \(frames.count) frames")
    } catch {
        checkError(error, allowed: [.badRequest, .tooLarge])
        require(frames.count != 1 || single == nil, "decode(frames:) refused a single frame that decode(_:) accepts")
    }

    checkDocumentedErrorIsAccepted(first, decoded: single)
    guard let message = single else { return 0 }
    require(first.count <= ProtocolLimits.maxWriterMessageBytes, "accepted a frame of \(first.count) bytes")
    switch message {
    case .welcome(let welcome):
        let range = 1...ProtocolLimits.maxHeartbeatMilliseconds
        require(range.contains(welcome.heartbeatIntervalMilliseconds), "heartbeat_interval_ms \(welcome.heartbeatIntervalMilliseconds)")
        require(range.contains(welcome.heartbeatTimeoutMilliseconds), "heartbeat_timeout_ms \(welcome.heartbeatTimeoutMilliseconds)")
    case .job(let job):
        if let broken = violatesURLRules(job.url) { violated("job url breaks §3.5 (\(broken)): \(job.url.debugDescription)") }
        require((1...ProtocolLimits.maxJobAttempt).contains(job.attempt), "job attempt \(job.attempt)")
    case .ack(let eventIDs):
        require((1...ProtocolLimits.maxAckBatch).contains(eventIDs.count), "ack of \(eventIDs.count) ids")
    case .reject(_, let error), .error(let error):
        checkError(error, allowed: Set(ErrorCode.allCases))
        checkText(error.message, "error.message", min: 1, max: ProtocolLimits.maxErrorMessageLength, multiline: true)
    case .heartbeat:
        break
    }

    let encoded = message.encode()
    do {
        let again = try WriterMessage.decode(encoded)
        require(again == message, "round trip changed the message: \(message) vs \(again)")
        require(again.hashValue == message.hashValue, "equal messages with different hashes")
    } catch {
        violated("encode() of an accepted message does not decode: \(error); frame: \(hexPrefix(encoded))")
    }
    return 0
}

/// Acceptance oracle: an `error` message as §6.3 and §4 describe it must decode, whatever its message.
func checkDocumentedErrorIsAccepted(_ frame: Data, decoded: WriterMessage?) {
    guard frame.count <= ProtocolLimits.maxWriterMessageBytes, case .object(let fields)? = try? JSONValue.decode(frame),
        fields["type"] == .string("error"), let message = documentedErrorMessage(fields["error"])
    else { return }
    // Reported bug (Fuzz/Regressions/README.md): the decoder refuses tab, LF and CR in error.message.
    if decoded == nil, tolerated("error-message-multiline"), !hasNoControls(message) { return }
    guard case .error(let error)? = decoded else {
        violated("a documented error message is refused; error.message \(message.debugDescription)")
    }
    require(sameBytes(error.message, message), "error message changed")
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
