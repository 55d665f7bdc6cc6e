import VeritasProtocol

/// A failure of an ``AuditStore`` that is not a plain database error: a stable ``code`` for
/// callers to match and a ``message`` for logs.
///
/// ```swift
/// do {
///     try await store.enqueue(audit)
/// } catch let error as AuditStoreError where error.code == .auditExists {
///     // the id was taken: reply bad_request
/// }
/// ```
public struct AuditStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// ``AuditStore/enqueue(_:)`` was given an id the store already holds.
        case auditExists = "audit_exists"
        /// A stored row could not be turned back into a model value (a damaged or foreign
        /// database): the message names the table, column and value.
        case corruptRow = "corrupt_row"
        /// The database could not be read and memory does not hold the audit: nobody here can
        /// say what state it is in now (a reply must say so, not guess).
        case unreadable
        /// A write with a deadline (``WriteDeadline``) was not committed by it; nothing was stored.
        case timedOut = "timed_out"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The audit `id` is already stored.
    package static func auditExists(_ id: AuditID) -> AuditStoreError {
        AuditStoreError(.auditExists, "audit \(id) already exists")
    }

    /// Neither store can answer for audit `id` now.
    static func unreadable(_ id: AuditID, _ error: any Error) -> AuditStoreError {
        AuditStoreError(.unreadable, "the database cannot be read now and memory does not hold audit \(id): \(error)")
    }

    /// The write for audit `id` missed its deadline and stored nothing.
    package static func timedOut(_ id: AuditID) -> AuditStoreError {
        AuditStoreError(.timedOut, "the database did not take the write for audit \(id) in time (another connection holds its lock); nothing was stored")
    }

    /// `code: message`, the form used in logs.
    public var description: String { "\(code.rawValue): \(message)" }
}
