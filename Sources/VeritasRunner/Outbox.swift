import Foundation
import GRDB
import Synchronization
import VeritasProtocol

/// The runner's durable outbox: every event is stored here **before** it is sent, and deleted
/// only when the writer acknowledges (or rejects) it. It survives restarts, so an event produced
/// before a crash is resent when the runner comes back (docs/PROTOCOL.md §8, "Resend until acked").
///
/// One SQLite file (`outbox.sqlite` in the runner's data folder) in WAL mode with
/// `synchronous=FULL`: an audit produces a handful of events, so durability costs little here.
/// The frames are stored exactly as they go on the wire (the JSON header, plus the image for a
/// screenshot), so a resend is the same bytes with the same `event_id` and `timestamp`.
///
/// Rows are sent in insertion order (`rowid`). `last_sent_at` records the latest send, so
/// ``takeForSending(window:resendBefore:now:)`` can hand out both never-sent rows and rows whose
/// ack is overdue while keeping at most a window of events in flight.
public final class Outbox: Sendable {
    /// The outbox file name inside the data folder.
    public static let fileName = "outbox.sqlite"

    /// One stored event.
    public struct Entry: Sendable, Equatable {
        public var eventID: EventID
        public var auditID: AuditID
        public var seq: Int
        /// The wire frames: the JSON header, then the image for a screenshot.
        public var frames: [Data]
        /// Milliseconds since the epoch.
        public var createdAt: Int64
        /// Milliseconds since the epoch of the latest send; `nil` if not sent since (re)connecting.
        public var lastSentAt: Int64?

        /// Header plus image bytes.
        public var byteCount: Int { frames.reduce(0) { $0 + $1.count } }
    }

    /// Totals kept in memory, updated in the same transactions that change the table.
    private struct Totals {
        var count = 0
        var bytes = 0
    }

    private let database: DatabaseQueue
    private let totals = Mutex(Totals())
    /// Above this many pending bytes, ``isOverLimit`` is `true`.
    public let maxBytes: Int
    /// The database file.
    public let path: String

    /// Opens (creating if needed) `outbox.sqlite` in `directory`.
    public init(directory: URL, maxBytes: Int = 256 * 1024 * 1024) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(Self.fileName).path
        self.maxBytes = maxBytes
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.label = "veritas.runner.outbox"
        database = try DatabaseQueue(path: path, configuration: configuration)
        // DatabaseQueue does not default to WAL (DatabasePool does); readers of the file (tests,
        // an operator's sqlite3) must not block the runner's writes.
        _ = try database.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS outbox (
                    event_id     TEXT PRIMARY KEY NOT NULL,
                    audit_id     TEXT NOT NULL,
                    seq          INTEGER NOT NULL,
                    header       BLOB NOT NULL,
                    image        BLOB,
                    bytes        INTEGER NOT NULL,
                    created_at   INTEGER NOT NULL,
                    last_sent_at INTEGER
                )
                """)
        }
        let (count, bytes) = try database.read { db -> (Int, Int) in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox")
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
        totals.withLock { $0 = Totals(count: count, bytes: bytes) }
    }

    /// Events waiting for an acknowledgement.
    public var count: Int { totals.withLock(\.count) }
    /// Bytes of the events waiting for an acknowledgement (headers and images).
    public var bytes: Int { totals.withLock(\.bytes) }
    /// Whether the pending bytes exceed ``maxBytes``: no new audit should start.
    public var isOverLimit: Bool { bytes > maxBytes }

    /// Stores `event` durably; returns once it is committed. Storing the same event twice is harmless.
    public func store(_ event: AuditEvent) async throws {
        try await store(event, frames: RunnerMessage.event(event).encodeFrames())
    }

    /// Stores `event` as `frames`, its wire encoding (`RunnerMessage.event(event).encodeFrames()`),
    /// for a caller that already encoded it.
    public func store(_ event: AuditEvent, frames: [Data]) async throws {
        let header = frames[0]
        let image: Data? = frames.count > 1 ? frames[1] : nil
        let size = header.count + (image?.count ?? 0)
        let now = Timestamp.now.millisecondsSinceEpoch
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO outbox (event_id, audit_id, seq, header, image, bytes, created_at, last_sent_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                    """,
                arguments: [event.eventID.rawValue, event.auditID.rawValue, event.seq, header, image, size, now])
            if db.changesCount > 0 { self.totals.withLock { $0.count += 1; $0.bytes += size } }
        }
    }

    /// Deletes acknowledged (or rejected) events; unknown ids are ignored. Returns how many went.
    @discardableResult
    public func remove(_ eventIDs: [EventID]) async throws -> Int {
        guard !eventIDs.isEmpty else { return 0 }
        return try await database.write { db in
            var removed = 0
            for id in eventIDs {
                if let size = try Int.fetchOne(db, sql: "DELETE FROM outbox WHERE event_id = ? RETURNING bytes", arguments: [id.rawValue]) {
                    removed += 1
                    self.totals.withLock { $0.count -= 1; $0.bytes -= size }
                }
            }
            return removed
        }
    }

    /// Events never sent, or last sent before `cutoff` (ms since the epoch), oldest first.
    /// `nil` as cutoff: every event.
    public func pending(olderThan cutoff: Int64?, limit: Int = .max) async throws -> [Entry] {
        try await database.read { db in
            try Self.fetch(db, cutoff: cutoff, limit: limit)
        }
    }

    /// The next events to send, and marks them sent at `now`: those never sent or last sent
    /// before `resendBefore` (their ack is overdue), oldest first, as many as fit in the window
    /// next to the events sent since `resendBefore` and still unacknowledged.
    public func takeForSending(window: Int, resendBefore: Int64, now: Int64) async throws -> [Entry] {
        try await database.write { db in
            let inFlight = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE last_sent_at >= ?", arguments: [resendBefore]) ?? 0
            let room = window - inFlight
            guard room > 0 else { return [] }
            let entries = try Self.fetch(db, cutoff: resendBefore, limit: room)
            for entry in entries {
                try db.execute(sql: "UPDATE outbox SET last_sent_at = ? WHERE event_id = ?", arguments: [now, entry.eventID.rawValue])
            }
            return entries
        }
    }

    /// Forgets every send: after a (re)connect the whole outbox is sent again, in order.
    public func markAllUnsent() async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE outbox SET last_sent_at = NULL WHERE last_sent_at IS NOT NULL")
        }
    }

    private static func fetch(_ db: Database, cutoff: Int64?, limit: Int) throws -> [Entry] {
        let sql = """
            SELECT event_id, audit_id, seq, header, image, created_at, last_sent_at FROM outbox
            \(cutoff == nil ? "" : "WHERE last_sent_at IS NULL OR last_sent_at < ?")
            ORDER BY rowid LIMIT ?
            """
        var arguments = StatementArguments()
        if let cutoff { arguments += [cutoff] }
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> Entry? in
            // Rows are written by this class only; an unreadable id would be a corrupted file.
            guard let eventID = try? EventID(row["event_id"] as String), let auditID = try? AuditID(row["audit_id"] as String) else {
                return nil
            }
            var frames: [Data] = [row["header"]]
            if let image = row["image"] as Data? { frames.append(image) }
            return Entry(
                eventID: eventID, auditID: auditID, seq: row["seq"], frames: frames,
                createdAt: row["created_at"], lastSentAt: row["last_sent_at"])
        }
    }
}
