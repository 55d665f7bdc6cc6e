/// The JSON half of `audit.screenshot`; the image bytes travel as the message's second frame.
///
/// `byte_count` lets the writer check the frame it received is the one the runner meant. The
/// label is free text: the writer names files from the audit id, a timestamp and the index only.
/// This module does not hash or sniff the bytes (no crypto dependency): the writer verifies the
/// magic number against ``contentType`` and computes the SHA-256, comparing it with ``sha256``
/// when the runner sent one.
public struct ScreenshotEventPayload: Sendable, Equatable, Hashable {
    /// 0...``ProtocolLimits/maxScreenshotIndex``.
    public var index: Int
    /// 1...``ProtocolLimits/maxLabelLength`` printable characters.
    public var label: String
    public var contentType: ImageContentType
    /// Must equal the size of frame 2: 1...``ProtocolLimits/maxScreenshotBytes``.
    public var byteCount: Int
    /// Optional SHA-256 of the bytes as 64 hex digits, normalised to lowercase on decode.
    public var sha256: String?

    /// Values are not re-validated here; they are checked on decode.
    public init(index: Int, label: String, contentType: ImageContentType, byteCount: Int, sha256: String? = nil) {
        self.index = index
        self.label = label
        self.contentType = contentType
        self.byteCount = byteCount
        self.sha256 = sha256
    }

    /// The wire payload object (`sha256` omitted when `nil`); this is also what the feed shows.
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "index": .int(index),
            "label": .string(label),
            "content_type": .string(contentType.rawValue),
            "byte_count": .int(byteCount),
        ]
        if let sha256 { fields["sha256"] = .string(sha256) }
        return .object(fields)
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        index = try reader.int("index", in: 0...ProtocolLimits.maxScreenshotIndex)
        label = try reader.string("label", maxLength: ProtocolLimits.maxLabelLength)
        contentType = try reader.enumeration("content_type", ImageContentType.self)
        let countValue = try reader.required("byte_count")
        // A declared size over the limit is a size problem, reported as such.
        if case .number(let number) = countValue, number > Double(ProtocolLimits.maxScreenshotBytes) {
            throw .tooLarge(
                "field '\(reader.name("byte_count"))' is \(TextRules.describe(countValue)); screenshots are limited to \(ProtocolLimits.maxScreenshotBytes) bytes")
        }
        byteCount = try reader.int("byte_count", in: 1...ProtocolLimits.maxScreenshotBytes)
        if let hash = try reader.optionalString("sha256", maxLength: 64) {
            guard TextRules.isSHA256Hex(hash) else {
                throw .badRequest("field '\(reader.name("sha256"))' must be 64 hex digits; got \(TextRules.quote(hash))")
            }
            sha256 = hash.lowercased()
        } else {
            sha256 = nil
        }
    }
}
