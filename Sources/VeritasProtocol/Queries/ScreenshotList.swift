/// The `screenshots` reply: the metadata of every stored screenshot of one audit, by index.
public struct ScreenshotList: Sendable, Equatable, Hashable {
    public var auditID: AuditID
    public var screenshots: [ScreenshotInfo]
    public var source: DataSource

    /// The screenshots as the writer read them.
    public init(auditID: AuditID, screenshots: [ScreenshotInfo], source: DataSource) {
        self.auditID = auditID
        self.screenshots = screenshots
        self.source = source
    }

    var fields: [String: JSONValue] {
        [
            "audit_id": .string(auditID.rawValue),
            "screenshots": .array(screenshots.map(\.jsonValue)),
            "source": .string(source.rawValue),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        auditID = try reader.auditID("audit_id")
        var screenshots: [ScreenshotInfo] = []
        for element in try reader.objects("screenshots", maxCount: ProtocolLimits.maxScreenshotIndex + 1) {
            screenshots.append(try ScreenshotInfo(reading: element))
        }
        self.screenshots = screenshots
        source = try reader.enumeration("source", DataSource.self)
    }
}
