/// One column's value as both databases store it: the neutral form the shared row mappings
/// (``AuditRow``, ``FindingRow``, ``ScreenshotRow``) produce, which each store binds in its own way.
///
/// Only the four kinds the schema uses: the databases' own types are an implementation detail of
/// each store, the model's encoding (RFC 3339 text, compact JSON text, raw vocabulary text) is not.
package enum ColumnValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case real(Double)
    case null

    package init(_ text: String?) { self = text.map(ColumnValue.text) ?? .null }
    package init(_ number: Int?) { self = number.map(ColumnValue.integer) ?? .null }
    package init(_ number: Double?) { self = number.map(ColumnValue.real) ?? .null }
}
