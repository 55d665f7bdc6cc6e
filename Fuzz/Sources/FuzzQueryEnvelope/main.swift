// QueryEnvelope.decode: the writer's reading of a query request frame.
//
// Accepted: the frame was within maxQueryFrameBytes; encode() decodes back to an equal envelope;
// every field is within its documented range (§5.1); a submit URL obeys §3.5.
// Refused: bad_request, too_large (exactly when over the size limit) or unsupported_op, and the
// ready-made error reply decodes on the client side (QueryReplyEnvelope.decode(frames:)) to
// the same failure and request_id.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(inputBuffer(data, size))
    let envelope: QueryEnvelope
    do {
        envelope = try QueryEnvelope.decode(input)
    } catch {
        checkError(error.error, allowed: [.badRequest, .tooLarge, .unsupportedOp])
        require(
            (error.error.code == .tooLarge) == (input.count > ProtocolLimits.maxQueryFrameBytes),
            "too_large must mean exactly 'over \(ProtocolLimits.maxQueryFrameBytes) bytes'")
        if let requestID = error.requestID { checkRequestID(requestID) }
        let reply = error.reply
        do {
            let decoded = try QueryReplyEnvelope.decode(frames: [reply.encode()])
            require(decoded.image == nil, "error reply decoded with an image")
            require(decoded.envelope == reply, "error reply does not round-trip: \(reply) vs \(decoded.envelope)")
        } catch {
            violated("the writer's error reply is refused by the client decoder: \(error)")
        }
        return 0
    }

    require(input.count <= ProtocolLimits.maxQueryFrameBytes, "accepted a frame of \(input.count) bytes")
    if let requestID = envelope.requestID { checkRequestID(requestID) }
    switch envelope.request {
    case .submit(let url, _, _):
        if let broken = violatesURLRules(url) { violated("accepted submit url breaking §3.5 (\(broken)): \(url.debugDescription)") }
    case .list(_, let limit, let offset):
        require((1...ProtocolLimits.maxListLimit).contains(limit), "list limit \(limit)")
        require((0...ProtocolLimits.maxListOffset).contains(offset), "list offset \(offset)")
    case .screenshot(_, let index):
        require((0...ProtocolLimits.maxScreenshotIndex).contains(index), "screenshot index \(index)")
    case .status, .findings, .screenshots, .health:
        break
    }

    let encoded = envelope.encode()
    do {
        let again = try QueryEnvelope.decode(encoded)
        require(again == envelope, "round trip changed the request: \(envelope) vs \(again)")
        require(again.hashValue == envelope.hashValue, "equal envelopes with different hashes")
        if case .submit(let url, _, _) = envelope.request, case .submit(let url2, _, _) = again.request {
            require(sameBytes(url, url2), "round trip changed the URL bytes")
        }
    } catch {
        violated("encode() of an accepted request does not decode: \(error.error); frame: \(hexPrefix(encoded))")
    }
    return 0
}

func checkRequestID(_ requestID: String) {
    require(scalarCount(requestID) <= ProtocolLimits.maxRequestIDLength, "request_id of \(scalarCount(requestID)) scalars")
    require(hasNoControls(requestID), "request_id with a control character")
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
