/// A stored screenshot's metadata, as `screenshots` and `screenshot` replies show it.
///
/// ``filePath`` is relative to the writer's data folder (e.g.
/// `screenshots/<audit_id>/20261126T150843123Z-0.png`); the writer builds it from the audit id
/// (canonical hex), a timestamp and the index, never from the label. Decoders refuse absolute
/// paths and `..` components, so a client that saves files by this path cannot be steered outside
/// its own folder.
public struct ScreenshotInfo: Sendable, Equatable, Hashable {
    public var auditID: AuditID
    /// 0...``ProtocolLimits/maxScreenshotIndex``, unique within the audit.
    public var index: Int
    /// Free printable text such as "viewport" or "full page"; never used in a path.
    public var label: String
    public var contentType: ImageContentType
    public var fileSizeBytes: Int
    /// 64 lowercase hex digits.
    public var sha256: String
    public var filePath: String
    public var createdAt: Timestamp

    /// Values are not re-validated here; they are checked on decode.
    public init(
        auditID: AuditID, index: Int, label: String, contentType: ImageContentType, fileSizeBytes: Int,
        sha256: String, filePath: String, createdAt: Timestamp
    ) {
        self.auditID = auditID
        self.index = index
        self.label = label
        self.contentType = contentType
        self.fileSizeBytes = fileSizeBytes
        self.sha256 = sha256
        self.filePath = filePath
        self.createdAt = createdAt
    }

    /// The wire object.
    public var jsonValue: JSONValue {
        .object([
            "audit_id": .string(auditID.rawValue),
            "index": .int(index),
            "label": .string(label),
            "content_type": .string(contentType.rawValue),
            "file_size_bytes": .int(fileSizeBytes),
            "sha256": .string(sha256),
            "file_path": .string(filePath),
            "created_at": .string(createdAt.description),
        ])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        auditID = try reader.auditID("audit_id")
        index = try reader.int("index", in: 0...ProtocolLimits.maxScreenshotIndex)
        label = try reader.string("label", maxLength: ProtocolLimits.maxLabelLength)
        contentType = try reader.enumeration("content_type", ImageContentType.self)
        fileSizeBytes = try reader.int("file_size_bytes", in: 1...ProtocolLimits.maxScreenshotBytes)
        sha256 = try reader.string("sha256", maxLength: 64)
        guard TextRules.isSHA256Hex(sha256), sha256 == sha256.lowercased() else {
            throw .badRequest("field '\(reader.name("sha256"))' must be 64 lowercase hex digits; got \(TextRules.quote(sha256))")
        }
        filePath = try reader.string("file_path", maxLength: ProtocolLimits.maxFilePathLength)
        guard Self.isSafeRelativePath(filePath) else {
            throw .badRequest(
                "field '\(reader.name("file_path"))' must be a relative path without '..' or empty components; got \(TextRules.quote(filePath))")
        }
        createdAt = try reader.timestamp("created_at")
    }

    /// Relative, `/`-separated, no empty, `.` or `..` component, no backslash.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.contains("\\") else { return false }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        return components.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
