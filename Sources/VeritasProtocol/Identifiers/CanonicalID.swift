/// An identifier that is a canonical, lowercase UUID string (`8-4-4-4-12` hex digits); `Kind`
/// keeps audit ids and event ids distinct types. Use ``AuditID`` and ``EventID``.
///
/// Because the text is validated to hex digits and hyphens only, it is safe to use as a file or
/// directory name (e.g. `screenshots/<audit_id>/`): it can never contain `/`, `..`, NUL or any
/// other character that could steer a path. Uppercase input is accepted and normalised, so two
/// spellings of one id compare equal. New ids are UUIDv7 (see ``generate()``), which sort by
/// creation time; that keeps SQLite's B-tree inserts append-only and several times faster than
/// random keys.
public struct CanonicalID<Kind: IdentifierKind>: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The canonical lowercase text, exactly 36 ASCII characters.
    public let rawValue: String

    /// Validates and normalises `text`; throws `bad_request` ("invalid audit_id ...", named after
    /// ``IdentifierKind/fieldName``) otherwise.
    public init(_ text: String) throws(ProtocolError) {
        try self.init(text, field: Kind.fieldName)
    }

    init(_ text: String, field: String) throws(ProtocolError) {
        guard let canonical = CanonicalUUID.normalized(text) else { throw CanonicalUUID.invalid(field, text) }
        rawValue = canonical
    }

    private init(canonical: String) {
        rawValue = canonical
    }

    /// A new time-ordered id (UUIDv7, RFC 9562): ids generated later sort later, also within
    /// one millisecond of one process.
    public static func generate() -> Self {
        Self(canonical: CanonicalUUID.generateV7())
    }

    /// When the id is a UUIDv7, the creation time it carries; `nil` for other UUID versions.
    public var embeddedTimestamp: Timestamp? {
        CanonicalUUID.v7Milliseconds(rawValue).map(Timestamp.init(millisecondsSinceEpoch:))
    }

    /// The canonical text, so ids interpolate cleanly into logs and paths.
    public var description: String { rawValue }

    /// Orders by text, which for UUIDv7 is creation order.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// What a ``CanonicalID`` identifies; its wire field name appears in error messages.
public protocol IdentifierKind: Sendable {
    /// The JSON field, e.g. `audit_id`.
    static var fieldName: String { get }
}
