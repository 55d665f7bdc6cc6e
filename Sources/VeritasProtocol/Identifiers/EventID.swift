/// The identity of one runner event, unique across all events: applying an event id twice
/// changes nothing. A canonical, lowercase UUID string; see ``CanonicalID`` for the rules.
public typealias EventID = CanonicalID<EventKind>

/// Marks ``CanonicalID`` values that name events.
public enum EventKind: IdentifierKind {
    public static let fieldName = "event_id"
}
