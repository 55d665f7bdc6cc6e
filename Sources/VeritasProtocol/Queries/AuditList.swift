/// One page of the `list` reply, newest first.
public struct AuditList: Sendable, Equatable, Hashable {
    public var audits: [Audit]
    /// The page size that was applied.
    public var limit: Int
    /// The offset of this page.
    public var offset: Int
    /// The offset of the next page, or `nil` when this is the last one.
    public var nextOffset: Int?
    public var source: DataSource

    /// A page as the writer produced it.
    public init(audits: [Audit], limit: Int, offset: Int, nextOffset: Int?, source: DataSource) {
        self.audits = audits
        self.limit = limit
        self.offset = offset
        self.nextOffset = nextOffset
        self.source = source
    }

    var fields: [String: JSONValue] {
        [
            "audits": .array(audits.map(\.jsonValue)),
            "limit": .int(limit),
            "offset": .int(offset),
            "next_offset": .optional(nextOffset),
            "source": .string(source.rawValue),
        ]
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        var audits: [Audit] = []
        for element in try reader.objects("audits", maxCount: ProtocolLimits.maxListLimit) {
            audits.append(try Audit(reading: element))
        }
        self.audits = audits
        limit = try reader.int("limit", in: 1...ProtocolLimits.maxListLimit)
        offset = try reader.int("offset", in: 0...ProtocolLimits.maxListOffset)
        nextOffset = try reader.optionalInt("next_offset", in: 0...Int.max)
        source = try reader.enumeration("source", DataSource.self)
    }
}
