import PostgresNIO

/// A PostgreSQL failure as logs and health reports show it: the server's SQLSTATE and message,
/// or the client's own error kind (a refused or lost connection).
///
/// postgres-nio's errors print a fixed text to avoid leaking bound values; this keeps what an
/// operator needs (which server error, or that the server is unreachable) and no bound values.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    /// The server's SQLSTATE (`40P01` deadlock, `57P01` shutting down...), or `nil` when the
    /// server did not answer.
    public let sqlState: String?
    public let message: String

    public var description: String {
        if let sqlState { return "PostgreSQL \(sqlState): \(message)" }
        return "PostgreSQL: \(message)"
    }

    init(sqlState: String?, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    /// The readable form of `error`, or `error` itself when it is not a postgres-nio error.
    static func wrapping(_ error: any Error) -> any Error {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                return PostgresStoreError(sqlState: info[.sqlState], message: info[.message] ?? "\(error.code)")
            }
            return PostgresStoreError(sqlState: nil, message: "\(error.code)")
        }
        if error is PostgresStoreError { return error }
        if let error = error as? PostgresTransactionError {
            return wrapping(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        return error
    }

    /// Whether retrying the whole transaction may succeed: a deadlock another transaction won, or a
    /// serialization failure. (Lost connections are not retried here: the caller's own retry,
    /// a runner's resend, decides, since the outcome of a commit in flight is unknown.)
    var isTransient: Bool {
        sqlState == "40P01" || sqlState == "40001"
    }
}
