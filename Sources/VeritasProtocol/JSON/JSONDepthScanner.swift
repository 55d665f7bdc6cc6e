import Foundation

/// A single pass over raw bytes that finds JSON nested deeper than a limit, before any parsing.
///
/// The parser is recursive; this scan bounds its recursion no matter what the bytes are, in
/// linear time and constant memory. It counts `[` and `{` outside strings (tracking `"` and
/// backslash escapes) and does not validate anything else: malformed input is the parser's job.
enum JSONDepthScanner {
    /// The error every decoder throws when the scan fails.
    static let depthError = ProtocolError.badRequest(
        "malformed JSON: nesting deeper than \(ProtocolLimits.maxJSONDepth) levels")

    /// `true` when some `[`/`{` opens a level deeper than `limit`.
    static func exceedsDepth(_ data: Data, limit: Int) -> Bool {
        data.withUnsafeBytes { bytes in exceedsDepth(bytes, limit: limit) }
    }

    static func exceedsDepth(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Bool {
        let count = bytes.count
        var depth = 0
        var index = 0
        while index < count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                // Skip the string in a tight loop; a backslash always escapes the next byte.
                while index < count {
                    let inner = bytes[index]
                    index += 1
                    if inner == UInt8(ascii: "\"") { break }
                    if inner == UInt8(ascii: "\\") { index += 1 }
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                // Unbalanced closers are left for the parser to report; never go negative.
                if depth > 0 { depth -= 1 }
            default:
                break
            }
        }
        return false
    }
}
