import Foundation
import GRDB
import VeritasProtocol

/// The durable ``AuditStore``: one SQLite file in WAL mode through a GRDB `DatabasePool`
/// (one writer connection, concurrent readers that never block it).
///
/// Opening a store creates the file's folder, opens the pool, sets
/// [`PRAGMA synchronous`](https://www.sqlite.org/pragma.html#pragma_synchronous), turns foreign
/// keys on and runs the migrations (`SQLiteAuditStore+Schema.swift`). The schema's names are the product's data
/// model: `audits`, `audit_findings`, `audit_screenshots`, plus `processed_events` (idempotency)
/// and `jobs` (the job queue).
///
/// **Several writers, one file.** Writer processes on one host may share the file. Every
/// read-modify-write runs in an `IMMEDIATE` transaction: it takes SQLite's write lock before its
/// first read, so two writers' claims are serialised and never hand out one job twice. (A deferred
/// transaction that reads and then writes fails with `SQLITE_BUSY` at once if another writer got
/// in between, and no busy timeout can help it.) A writer that finds the lock taken waits up to
/// `busyTimeout` before failing.
///
/// ```swift
/// let store = try SQLiteAuditStore(path: "data/veritas.sqlite")
/// let outcomes = try await store.apply(events)  // one transaction, one fsync
/// ```
public final class SQLiteAuditStore: AuditStore {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    private let busyWait: BusyWait

    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// - Parameters:
    ///   - path: The database file; its folder is created if missing.
    ///   - synchronous: How durable a commit is. ``SQLiteSynchronous/full`` (the default) makes an
    ///     acknowledged event survive power loss; ``SQLiteSynchronous/normal`` is faster and
    ///     survives a crash of the process, not of the operating system. Batching makes `full`
    ///     cheap: one fsync per ``apply(_:)`` call, whatever its size.
    ///   - busyTimeout: How long a write waits for another writer process to release the lock.
    /// - Throws: A GRDB `DatabaseError` (file not writable, not a database, a failed migration) or
    ///   the error of creating the folder.
    public init(path: String, synchronous: SQLiteSynchronous = .full, busyTimeout: Duration = .seconds(5)) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        var configuration = Configuration()
        configuration.label = "veritas"
        configuration.foreignKeysEnabled = true
        let busyWait = BusyWait(timeout: busyTimeout)
        self.busyWait = busyWait
        configuration.busyMode = .callback { tries in busyWait.shouldRetry(afterTries: tries) }
        pool = try Self.openPool(path: path, configuration: configuration, timeout: busyTimeout)

        // Only after opening: GRDB sets `synchronous = NORMAL` when it switches the pool to WAL.
        // The setting belongs to the connection, and every write goes through the pool's one
        // writer connection, which lives as long as the pool.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
        }
        try Self.migrate(pool)
    }

    /// Opens the pool, retrying while another process holds a lock that SQLite does not wait
    /// for: switching a new file to WAL needs an exclusive lock, and `PRAGMA journal_mode` fails
    /// at once with `SQLITE_BUSY` instead of calling the busy handler. Writers started together
    /// on a fresh file hit this.
    private static func openPool(path: String, configuration: Configuration, timeout: Duration) throws -> DatabasePool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && clock.now < deadline {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }

    /// Closes the database connections. Later calls fail. Also done when the store is released.
    public func close() throws {
        try pool.close()
    }

    // MARK: Audits

    public func enqueue(_ audit: Audit) async throws {
        try await enqueue(audit, before: nil)
    }

    /// ``enqueue(_:)`` that commits before `deadline` or not at all (see ``WriteDeadline``):
    /// it gives up waiting for a lock at the deadline, and rolls back if the caller gave up
    /// first. Throws ``AuditStoreError/Code/timedOut`` then.
    public func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws {
        let queued = {
            var queued = audit
            queued.status = .queued
            queued.attempts = 0
            return queued
        }()
        let busyWait = self.busyWait
        try await pool.writeWithoutTransaction { db in
            // Waited in line behind other writes past the deadline: do not start.
            if let deadline, deadline.hasPassed { throw AuditStoreError.timedOut(audit.id) }
            try busyWait.during(deadline) {
                try db.inTransaction(.immediate) {
                    let exists = try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM audits WHERE id = ?"), arguments: [audit.id.rawValue])
                    guard exists == nil else { throw AuditStoreError.auditExists(audit.id) }
                    try db.cachedStatement(sql: AuditSQL.upsert).execute(arguments: AuditSQL.arguments(queued))
                    try db.cachedStatement(sql: "INSERT INTO jobs (audit_id, state, enqueued_at) VALUES (?, 'queued', ?)")
                        .execute(arguments: [audit.id.rawValue, audit.createdAt.description])
                    guard deadline?.beginCommit() ?? true else { throw AuditStoreError.timedOut(audit.id) }
                    return .commit
                }
            }
        }
    }

    public func audit(_ id: AuditID) async throws -> Audit? {
        try await pool.read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: AuditSQL.selectByID), arguments: [id.rawValue])
            return try row.map(AuditSQL.decode)
        }
    }

    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM processed_events WHERE event_id = ?)"),
                arguments: [event.rawValue]
            ) ?? false
        }
    }

    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        guard limit > 0 else { return [] }
        let offset = max(0, offset)
        return try await pool.read { db in
            let rows: [Row]
            if let status {
                let sql = "SELECT \(AuditRow.columns.list) FROM audits WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
                rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [status.rawValue, limit, offset])
            } else {
                let sql = "SELECT \(AuditRow.columns.list) FROM audits ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
                rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [limit, offset])
            }
            return try rows.map(AuditSQL.decode)
        }
    }

    public func findings(of id: AuditID) async throws -> [Finding] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: FindingSQL.select), arguments: [id.rawValue]).map(FindingSQL.decode)
        }
    }

    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: ScreenshotSQL.select), arguments: [id.rawValue]).map(ScreenshotSQL.decode)
        }
    }

    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            try ids.compactMap { id -> AuditSnapshot? in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: AuditSQL.selectByID), arguments: [id.rawValue]) else { return nil }
                return AuditSnapshot(
                    audit: try AuditSQL.decode(row),
                    findings: try Row.fetchAll(db.cachedStatement(sql: FindingSQL.select), arguments: [id.rawValue]).map(FindingSQL.decode),
                    screenshots: try Row.fetchAll(db.cachedStatement(sql: ScreenshotSQL.select), arguments: [id.rawValue]).map(ScreenshotSQL.decode))
            }
        }
    }

    public func statusCounts() async throws -> AuditStatusCounts {
        try await pool.read { db in
            var counts = AuditStatusCounts()
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM audits GROUP BY status") {
                let reader = SQLiteRowReader(row: row, table: "audits")
                counts[try reader.enumeration(0, "status", AuditStatus.self)] = try reader.int(1, "COUNT(*)")
            }
            return counts
        }
    }

    // MARK: Transactions

    /// Runs `body` in an `IMMEDIATE` transaction on the writer connection: committed if it
    /// returns, rolled back if it throws.
    func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { preconditionFailure("a committed transaction always has a result") }
            return result
        }
    }
}

extension Duration {
    /// The duration in seconds, for APIs that take a `TimeInterval`.
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
