// FeedMessage.decode(frames:): a feed subscriber's reading of `[topic, json]`.
//
// The input is split into 1-3 frames (see Frames). Accepted: exactly 2 frames, the topic is the
// canonical audit id's 36 bytes, seq in range, the JSON within maxFeedFrameBytes; encodeFrames()
// decodes back to an equal message.
import Foundation
import FuzzSupport
import VeritasProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let frames = Frames.split(inputBuffer(data, size))
    let message: FeedMessage
    do {
        message = try FeedMessage.decode(frames: frames)
    } catch {
        checkError(error, allowed: [.badRequest, .tooLarge])
        return 0
    }
    require(frames.count == 2, "accepted \(frames.count) frames")
    require(frames[0] == Data(message.auditID.rawValue.utf8), "topic is not the audit id")
    require(frames[1].count <= ProtocolLimits.maxFeedFrameBytes, "accepted a frame of \(frames[1].count) bytes")
    if let seq = message.seq { require((1...ProtocolLimits.maxEventSeq).contains(seq), "seq \(seq)") }

    let encoded = message.encodeFrames()
    // Re-encoding can grow a frame (`1E9` is written `1000000000`); only frames within the limit must decode.
    guard encoded[1].count <= ProtocolLimits.maxFeedFrameBytes else { return 0 }
    do {
        let again = try FeedMessage.decode(frames: encoded)
        require(again == message, "round trip changed the message: \(message) vs \(again)")
        require(again.hashValue == message.hashValue, "equal messages with different hashes")
    } catch {
        violated("encodeFrames() of an accepted message does not decode: \(error); json: \(hexPrefix(encoded[1]))")
    }
    return 0
}

runLibFuzzer { data, size in fuzz(data ?? emptyInput, size) }
