/// The identity of one audit: a canonical, lowercase UUID string, safe as a path component.
/// See ``CanonicalID`` for the rules.
public typealias AuditID = CanonicalID<AuditKind>

/// Marks ``CanonicalID`` values that name audits.
public enum AuditKind: IdentifierKind {
    public static let fieldName = "audit_id"
}
