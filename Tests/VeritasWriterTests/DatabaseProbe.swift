import Foundation
import GRDB
import Synchronization

/// Opens the writer's SQLite file with a connection of its own, as an operator's `sqlite3` would.
enum DatabaseProbe {
    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// `SELECT COUNT(*) FROM <table> [WHERE <condition>]`.
    static func count(_ path: String, _ table: String, where condition: String? = nil, _ arguments: StatementArguments = []) throws -> Int {
        let queue = try open(path)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)" + (condition.map { " WHERE \($0)" } ?? ""), arguments: arguments) ?? 0
        }
    }

    /// One text column of one row.
    static func text(_ path: String, _ sql: String, _ arguments: StatementArguments = []) throws -> String? {
        let queue = try open(path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchOne(db, sql: sql, arguments: arguments) }
    }

    /// Runs a statement (e.g. deleting a row behind the writer's back).
    static func execute(_ path: String, _ sql: String, _ arguments: StatementArguments = []) throws {
        let queue = try open(path)
        defer { try? queue.close() }
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }
}

/// Holds SQLite's write lock on a database file (`BEGIN EXCLUSIVE` on a connection of its own,
/// on a thread of its own) until ``release()``.
final class DatabaseWriteLock: Sendable {
    private let releaseSignal = DispatchSemaphore(value: 0)
    private let finished = Mutex<(done: Bool, error: String?, waiter: CheckedContinuation<Void, Never>?)>((false, nil, nil))

    private init() {}

    /// Takes the lock; returns once it is held.
    static func acquire(path: String) async throws -> DatabaseWriteLock {
        let lock = DatabaseWriteLock()
        let started: Result<Void, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                var resumed = false
                var failure: String?
                do {
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(5)
                    let queue = try DatabaseQueue(path: path, configuration: configuration)
                    try queue.inDatabase { db in
                        try db.execute(sql: "BEGIN EXCLUSIVE")
                        resumed = true
                        continuation.resume(returning: .success(()))
                        lock.releaseSignal.wait()
                        try db.execute(sql: "COMMIT")
                    }
                    try queue.close()
                } catch {
                    failure = "\(error)"
                    if !resumed { continuation.resume(returning: .failure(error)) }
                }
                let waiter = lock.finished.withLock { state in
                    state.done = true
                    state.error = failure
                    return state.waiter
                }
                waiter?.resume()
            }
            thread.start()
        }
        try started.get()
        return lock
    }

    /// Commits (releasing the lock) and waits until done; throws if the commit failed.
    func release() async throws {
        releaseSignal.signal()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state in
                if !state.done { state.waiter = continuation }
                return state.done
            }
            if done { continuation.resume() }
        }
        if let error = finished.withLock({ $0.error }) { throw HarnessError("releasing the database lock failed: \(error)") }
    }
}
