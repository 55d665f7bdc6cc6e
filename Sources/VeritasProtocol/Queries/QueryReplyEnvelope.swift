import Foundation

/// A reply as it travels: the result plus the echoed `request_id`.
///
/// ```swift
/// let frame = QueryReplyEnvelope(requestID: id, reply: .audit(audit)).encode()   // writer
/// let (envelope, image) = try QueryReplyEnvelope.decode(frames: replyFrames)     // client
/// ```
public struct QueryReplyEnvelope: Sendable, Equatable, Hashable {
    /// The request's `request_id`, if it had a readable one.
    public var requestID: String?
    public var reply: QueryReply

    /// Pairs a result with the id to echo.
    public init(requestID: String? = nil, reply: QueryReply) {
        self.requestID = requestID
        self.reply = reply
    }

    /// The first (JSON) reply frame. For ``QueryReply/screenshot(_:source:)`` the caller sends the
    /// image bytes as a second frame.
    public func encode() -> Data {
        var fields = reply.fields
        if let requestID { fields["request_id"] = .string(requestID) }
        return FrameDecoding.encode(fields)
    }

    /// Decodes the first reply frame. `{"ok": false, ...}` decodes to ``QueryReply/failure(_:)``
    /// (it is not thrown); only a reply that breaks the contract throws.
    public static func decode(_ frame: Data) throws(ProtocolError) -> QueryReplyEnvelope {
        let reader = FieldReader(
            try FrameDecoding.object(frame, maxBytes: ProtocolLimits.maxReplyFrameBytes, what: "reply frame"))
        let requestID = try reader.optionalString("request_id", maxLength: ProtocolLimits.maxRequestIDLength)
        return QueryReplyEnvelope(requestID: requestID, reply: try QueryReply(reading: reader))
    }

    /// Decodes a whole reply message (after any REQ/DEALER envelope), checking the frame count:
    /// a successful `screenshot` reply has exactly two frames and returns the image bytes, every
    /// other reply has exactly one.
    public static func decode(frames: [Data]) throws(ProtocolError) -> (envelope: QueryReplyEnvelope, image: Data?) {
        guard let first = frames.first else { throw .badRequest("a reply must have at least one frame; got 0") }
        let envelope = try decode(first)
        if case .screenshot(let info, _) = envelope.reply {
            guard frames.count == 2 else {
                throw .badRequest("a screenshot reply must have 2 frames (JSON, image bytes); got \(frames.count)")
            }
            guard frames[1].count == info.fileSizeBytes else {
                throw .badRequest(
                    "screenshot image is \(frames[1].count) bytes but field 'screenshot.file_size_bytes' says \(info.fileSizeBytes)")
            }
            return (envelope, frames[1])
        }
        guard frames.count == 1 else { throw .badRequest("this reply must have 1 frame; got \(frames.count)") }
        return (envelope, nil)
    }
}
