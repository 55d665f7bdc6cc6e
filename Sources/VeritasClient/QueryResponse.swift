import Foundation
import VeritasProtocol

/// A successful reply from the queries endpoint, decoded and as it arrived.
///
/// ``json`` is the reply's first frame exactly as the writer sent it (for `veritas --json` and for
/// programs that want fields this version does not model); ``image`` is the second frame of a
/// `screenshot` reply.
public struct QueryResponse: Sendable, Equatable {
    /// The decoded reply; never ``QueryReply/failure(_:)`` (that is thrown as ``ClientError``).
    public var reply: QueryReply
    /// The raw JSON object of the first reply frame.
    public var json: Data
    /// The image bytes of a `screenshot` reply; `nil` for every other op.
    public var image: Data?

    /// A decoded reply with its raw frames.
    public init(reply: QueryReply, json: Data, image: Data? = nil) {
        self.reply = reply
        self.json = json
        self.image = image
    }
}
