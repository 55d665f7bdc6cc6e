// QueryReplyEnvelope.decode(_:) and decode(frames:): the client's reading of a writer reply.
//
// The input is split into 1-3 frames (see Frames). Invariants: decode(frames:) succeeds only if
// decode(frames[0]) does, with the same envelope, and then has exactly 2 frames (the image,
// file_size_bytes long) for a screenshot reply and exactly 1 otherwise; accepted replies are
// within the documented ranges (§5.3) and encode() decodes back to an equal envelope.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frames = Frames.split(inputBuffer(data, size))
    guard let first = frames.first else { return 0 }

    let single: QueryReplyEnvelope?
    do {
        single = try QueryReplyEnvelope.decode(first)
    } catch {
        checkError(error, allowed: [.badRequest, .tooLarge])
        single = nil
    }

    do {
        let (envelope, image) = try QueryReplyEnvelope.decode(frames: frames)
        guard let single else { violated("decode(frames:) accepted a first frame that decode(_:) refuses") }
        require(envelope == single, "decode(frames:) and decode(_:) disagree")
        if case .screenshot(let info, _) = envelope.reply {
            require(frames.count == 2, "screenshot reply accepted with \(frames.count) frames")
            require(image == frames[1], "screenshot image is not frame 2")
            require(image?.count == info.fileSizeBytes, "image size differs from file_size_bytes")
        } else {
            require(frames.count == 1 && image == nil, "non-screenshot reply accepted with \(frames.count) frames")
        }
    } catch {
        checkError(error, allowed: [.badRequest, .tooLarge])
    }

    checkDocumentedFailureIsAccepted(first, decoded: single)
    guard let envelope = single else { return 0 }
    if let requestID = envelope.requestID {
        checkText(requestID, "request_id", max: ProtocolLimits.maxRequestIDLength)
    }
    switch envelope.reply {
    case .submitted(let audit), .audit(let audit):
        checkAudit(audit)
    case .auditList(let list):
        require(list.audits.count <= ProtocolLimits.maxListLimit, "list of \(list.audits.count) audits")
        require((1...ProtocolLimits.maxListLimit).contains(list.limit), "list limit \(list.limit)")
        require((0...ProtocolLimits.maxListOffset).contains(list.offset), "list offset \(list.offset)")
        if let next = list.nextOffset { require(next >= 0, "next_offset \(next)") }
        list.audits.forEach(checkAudit)
    case .findings(let list):
        require(list.findings.count <= ProtocolLimits.maxFindingsPerEvent, "\(list.findings.count) findings")
        list.findings.forEach(checkFinding)
    case .screenshots(let list):
        require(list.screenshots.count <= ProtocolLimits.maxScreenshotIndex + 1, "\(list.screenshots.count) screenshots")
        list.screenshots.forEach(checkScreenshotInfo)
    case .screenshot(let info, _):
        checkScreenshotInfo(info)
    case .health(let report):
        checkText(report.version, "health.version", max: ProtocolLimits.maxVersionLength)
        require(report.protocolVersion >= 1, "health.protocol_version \(report.protocolVersion)")
        require(report.uptimeSeconds >= 0 && report.uptimeSeconds.isFinite, "health.uptime_seconds \(report.uptimeSeconds)")
        let counts = report.counts
        require(
            [counts.queued, counts.running, counts.completed, counts.error, report.queueDepth, report.connectedRunners,
             report.memoryAudits].allSatisfy { $0 >= 0 }, "negative health count")
    case .failure(let error):
        checkError(error, allowed: Set(ErrorCode.allCases))
        checkText(error.message, "error.message", min: 1, max: ProtocolLimits.maxErrorMessageLength, multiline: true)
    }

    let encoded = envelope.encode()
    guard encoded.count <= ProtocolLimits.maxReplyFrameBytes else { return 0 }
    do {
        let again = try QueryReplyEnvelope.decode(encoded)
        require(again == envelope, "round trip changed the reply; re-encoded: \(hexPrefix(encoded))")
        require(again.hashValue == envelope.hashValue, "equal replies with different hashes")
    } catch {
        violated("encode() of an accepted reply does not decode: \(error); frame: \(hexPrefix(encoded))")
    }
    return 0
}

/// Acceptance oracle: a failure reply as §5.2 and §4 describe it must decode, whatever its message.
func checkDocumentedFailureIsAccepted(_ frame: Data, decoded: QueryReplyEnvelope?) {
    guard frame.count <= ProtocolLimits.maxReplyFrameBytes, case .object(let fields)? = try? JSONValue.decode(frame),
        fields["ok"] == .bool(false), let message = documentedErrorMessage(fields["error"])
    else { return }
    switch fields["request_id"] {
    case nil, .null?: break
    case .string(let id)? where scalarCount(id) <= ProtocolLimits.maxRequestIDLength && hasNoControls(id): break
    default: return
    }
    // Reported bug (Fuzz/Regressions/README.md): the decoder refuses tab, LF and CR in error.message.
    if decoded == nil, tolerated("error-message-multiline"), !hasNoControls(message) { return }
    guard case .failure(let error)? = decoded?.reply else {
        violated("a documented failure reply is refused; error.message \(message.debugDescription)")
    }
    require(sameBytes(error.message, message), "failure message changed")
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
