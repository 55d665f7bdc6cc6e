import Foundation

/// The common front door of every JSON frame: size first, then depth, then parse, then "is it an
/// object". Cheap checks run before expensive ones, and nothing is parsed that could hurt.
enum FrameDecoding {
    /// Returns the top-level object of `frame` or throws `too_large` / `bad_request`.
    static func object(_ frame: Data, maxBytes: Int, what: String) throws(ProtocolError) -> [String: JSONValue] {
        guard frame.count <= maxBytes else {
            throw .tooLarge("\(what) is \(frame.count) bytes; the limit is \(maxBytes) bytes")
        }
        if JSONDepthScanner.exceedsDepth(frame, limit: ProtocolLimits.maxJSONDepth) {
            throw JSONDepthScanner.depthError
        }
        let value = try JSONParser.parse(frame, maxDepth: ProtocolLimits.maxJSONDepth)
        guard case .object(let fields) = value else {
            throw .badRequest("\(what) must be a JSON object; got \(value.typeName)")
        }
        return fields
    }

    /// Serialises a message object.
    static func encode(_ fields: [String: JSONValue]) -> Data {
        var writer = JSONWriter()
        writer.write(.object(fields))
        return writer.data
    }
}
