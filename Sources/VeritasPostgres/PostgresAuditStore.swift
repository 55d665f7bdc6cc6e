import Foundation
import Logging
import Synchronization
import PostgresNIO
import VeritasProtocol
import VeritasStore

/// The ``VeritasStore/AuditStore`` on a PostgreSQL server: what lets writers on several hosts share
/// one database (``VeritasStore/SQLiteAuditStore`` is a file on one host).
///
/// Same contract and same rules as SQLite (the shared conformance suite runs against both), with
/// what a database server needs on top:
/// - **Ack after commit.** ``apply(_:)`` is one transaction whose commit returns only once the
///   server has it durably: every connection sets `synchronous_commit=on`.
/// - **Group commit, few round trips.** A batch's rows go in one multi-row statement per table
///   (``MultiRowStatement``), so a batch costs a handful of round trips whatever its size.
/// - **Several writers.** A batch locks the rows of the audits it touches (`FOR UPDATE`, in id
///   order, so two batches never deadlock on them) before it marks any event as seen. Job claims
///   take queued rows with `FOR UPDATE SKIP LOCKED`: two writers claiming at once take different
///   jobs and never the same one. A transaction the server aborts as a deadlock victim or a
///   serialization failure is retried.
/// - **Migrations** (`PostgresAuditStore+Schema.swift`) run under an advisory lock, so writers
///   starting together apply each one once.
///
/// Timestamps and ids are stored as the protocol's text, with the `"C"` collation so they sort as
/// they do in SQLite (byte order: RFC 3339 and UUIDv7 text sort by time), whatever the database's
/// locale.
///
/// ```swift
/// let store = try await PostgresAuditStore.open(PostgresSettings(url: "postgres://veritas@db/veritas"))
/// let outcomes = try await store.apply(events)  // one transaction, one commit
/// ```
public final class PostgresAuditStore: AuditStore {
    /// Where the store connects (its description shows no password).
    public let settings: PostgresSettings
    let logger: Logger
    /// The connection pool, and the task running it. Replaced by ``renewPoolIfServerMissing()``.
    private let pool: Mutex<Pool>
    /// Whether the last operation found no server (timed out, or no connection): later ones then
    /// wait only briefly, so `health` and memory's answers stay prompt while the server is down.
    private let serverMissing = Atomic<Bool>(false)
    /// How long an operation waits while the server is missing: enough for a server that came
    /// back to answer, short enough that reads fall back to memory at once.
    static let missingServerTimeout = Duration.milliseconds(500)

    /// A postgres-nio client and the task that runs it (its pool leases connections only while
    /// `run()` runs).
    private struct Pool: Sendable {
        let client: PostgresClient
        let running: Task<Void, Never>
        var closed = false
        let started = ContinuousClock.now

        init(settings: PostgresSettings, logger: Logger) {
            // The pool's own chatter (a connection attempt cut short at close) stays below notice;
            // the store's errors reach the caller, which logs them.
            var background = logger
            background.logLevel = max(logger.logLevel, .notice)
            let client = PostgresClient(configuration: settings.clientConfiguration(), backgroundLogger: background)
            self.client = client
            running = Task { await client.run() }
        }
    }

    private init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        pool = Mutex(Pool(settings: settings, logger: logger))
    }

    /// The current pool's client.
    var client: PostgresClient { pool.withLock { $0.client } }

    /// While the server is missing, starts a new pool in place of the old one: postgres-nio's
    /// pool backs off between reconnection attempts for up to a minute (and stops trying after a
    /// minute of failures), while a new pool tries at once. The writer probes every second while
    /// degraded, so it is back within a second of the server. Operations on the old pool end.
    func renewPoolIfServerMissing() {
        guard serverMissing.load(ordering: .relaxed) else { return }
        let old = pool.withLock { current -> Pool? in
            // A new pool gets a few seconds to connect before it is replaced in turn: on a loaded
            // machine a connection (TCP, authentication, start-up) may take longer than a probe.
            guard !current.closed, ContinuousClock.now - current.started > .seconds(5) else { return nil }
            let old = current
            current = Pool(settings: settings, logger: logger)
            return old
        }
        old?.running.cancel()
    }

    /// Connects, and creates or upgrades the schema.
    ///
    /// - Throws: ``PostgresStoreError`` when the server cannot be reached or refuses the migration;
    ///   the store is closed then.
    public static func open(_ settings: PostgresSettings, logger: Logger = Logger(label: "veritas.postgres")) async throws -> PostgresAuditStore {
        let store = PostgresAuditStore(settings: settings, logger: logger)
        do {
            // Reachable first, within the operation timeout; then the migration, which may take long.
            _ = try await store.rows(PostgresQuery(unsafeSQL: "SELECT 1"))
            try await store.migrate()
            return store
        } catch {
            store.close()
            throw error
        }
    }

    /// Stops the connection pool; later calls fail. Also done when the store is released.
    public func close() {
        pool.withLock { current in
            current.closed = true
            current.running.cancel()
        }
    }

    deinit {
        pool.withLock { $0.running.cancel() }
    }

    // MARK: Audits

    public func enqueue(_ audit: Audit) async throws {
        try await enqueue(audit, before: nil)
    }

    /// ``enqueue(_:)`` that commits before `deadline` or not at all (see ``WriteDeadline``): waiting
    /// for a lock ends at the deadline (`lock_timeout`), and the transaction rolls back if the
    /// caller gave up first. Throws ``AuditStoreError/Code/timedOut`` then.
    public func enqueue(_ audit: Audit, before deadline: WriteDeadline?) async throws {
        var queued = audit
        queued.status = .queued
        queued.attempts = 0
        let values = AuditRow.values(queued)
        do {
            try await transaction { connection in
                if let deadline {
                    let left = ContinuousClock.now.duration(to: deadline.instant)
                    let milliseconds = max(1, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                    guard !deadline.hasPassed else { throw AuditStoreError.timedOut(audit.id) }
                    try await self.run(connection, PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)"))
                }
                let inserted = try await self.rows(connection, MultiRowStatement.values(
                    "INSERT INTO audits (\(AuditRow.columns.list))", rows: [values], tail: "ON CONFLICT (id) DO NOTHING RETURNING id")[0])
                guard !inserted.isEmpty else { throw AuditStoreError.auditExists(audit.id) }
                try await self.run(connection, query(
                    "INSERT INTO jobs (audit_id, state, enqueued_at) VALUES ($1, 'queued', $2)",
                    .text(audit.id.rawValue), .text(audit.createdAt.description)))
                guard deadline?.beginCommit() ?? true else { throw AuditStoreError.timedOut(audit.id) }
            }
        } catch let error as PostgresStoreError where error.sqlState == "55P03" {
            // lock_timeout: another connection held the lock past the deadline.
            throw AuditStoreError.timedOut(audit.id)
        }
    }

    public func audit(_ id: AuditID) async throws -> Audit? {
        let found = try await rows(query("SELECT \(AuditRow.columns.list) FROM audits WHERE id = $1", .text(id.rawValue)))
        return try found.first.map { try AuditRow.decode(PostgresRowReader($0, table: "audits")) }
    }

    public func isProcessed(event: EventID, of audit: AuditID) async throws -> Bool {
        let found = try await rows(query("SELECT 1 FROM processed_events WHERE event_id = $1", .text(event.rawValue)))
        return !found.isEmpty
    }

    public func audits(status: AuditStatus?, limit: Int, offset: Int) async throws -> [Audit] {
        guard limit > 0 else { return [] }
        let offset = max(0, offset)
        let found: [PostgresRow]
        if let status {
            found = try await rows(query(
                "SELECT \(AuditRow.columns.list) FROM audits WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
                .text(status.rawValue), .integer(limit), .integer(offset)))
        } else {
            found = try await rows(query(
                "SELECT \(AuditRow.columns.list) FROM audits ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
                .integer(limit), .integer(offset)))
        }
        return try found.map { try AuditRow.decode(PostgresRowReader($0, table: "audits")) }
    }

    public func findings(of id: AuditID) async throws -> [Finding] {
        try await rows(query(
            "SELECT \(FindingRow.selectedColumns) FROM audit_findings WHERE audit_id = $1 ORDER BY ordinal", .text(id.rawValue))
        ).map { try FindingRow.decode(PostgresRowReader($0, table: "audit_findings")) }
    }

    public func screenshots(of id: AuditID) async throws -> [ScreenshotInfo] {
        try await rows(query(
            "SELECT \(ScreenshotRow.columns.list) FROM audit_screenshots WHERE audit_id = $1 ORDER BY index_num", .text(id.rawValue))
        ).map { try ScreenshotRow.decode(PostgresRowReader($0, table: "audit_screenshots")) }
    }

    /// Each audit with its findings and screenshots, read in one `REPEATABLE READ` transaction so
    /// they agree with each other.
    public func snapshots(of ids: [AuditID]) async throws -> [AuditSnapshot] {
        guard !ids.isEmpty else { return [] }
        let keys = ids.map(\.rawValue)
        let (auditRows, findingRows, screenshotRows) = try await transaction(isolation: "REPEATABLE READ READ ONLY") { connection in
            (
                try await self.rows(connection, query("SELECT \(AuditRow.columns.list) FROM audits WHERE id = ANY($1)", textArray: keys)),
                try await self.rows(connection, query(
                    "SELECT \(FindingRow.selectedColumns), audit_id FROM audit_findings WHERE audit_id = ANY($1) ORDER BY audit_id, ordinal",
                    textArray: keys)),
                try await self.rows(connection, query(
                    "SELECT \(ScreenshotRow.columns.list) FROM audit_screenshots WHERE audit_id = ANY($1) ORDER BY audit_id, index_num",
                    textArray: keys))
            )
        }
        var audits: [AuditID: Audit] = [:]
        for row in auditRows {
            let audit = try AuditRow.decode(PostgresRowReader(row, table: "audits"))
            audits[audit.id] = audit
        }
        var findings: [AuditID: [Finding]] = [:]
        for row in findingRows {
            let reader = PostgresRowReader(row, table: "audit_findings")
            findings[try reader.auditID(10, "audit_id"), default: []].append(try FindingRow.decode(reader))
        }
        var screenshots: [AuditID: [ScreenshotInfo]] = [:]
        for row in screenshotRows {
            let info = try ScreenshotRow.decode(PostgresRowReader(row, table: "audit_screenshots"))
            screenshots[info.auditID, default: []].append(info)
        }
        return ids.compactMap { id in
            audits[id].map { AuditSnapshot(audit: $0, findings: findings[id] ?? [], screenshots: screenshots[id] ?? []) }
        }
    }

    public func statusCounts() async throws -> AuditStatusCounts {
        var counts = AuditStatusCounts()
        for row in try await rows(PostgresQuery(unsafeSQL: "SELECT status, COUNT(*) FROM audits GROUP BY status")) {
            let reader = PostgresRowReader(row, table: "audits")
            counts[try reader.enumeration(0, "status", AuditStatus.self)] = try reader.int(1, "COUNT(*)")
        }
        return counts
    }

    // MARK: Running statements

    /// Runs `body` in one transaction on one connection: committed if it returns, rolled back if
    /// it throws. A transaction the server aborted as a deadlock victim or a serialization
    /// failure runs again (a few times); every other failure is thrown as ``PostgresStoreError``
    /// (or the body's own error).
    func transaction<T: Sendable>(
        isolation: String? = nil, within limit: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let begin = PostgresQuery(unsafeSQL: isolation.map { "BEGIN ISOLATION LEVEL \($0)" } ?? "BEGIN")
        var attempt = 1
        while true {
            do {
                return try await bounded(within: limit) { try await self.client.withConnection { connection in
                    try await connection.query(begin, logger: self.logger)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT", logger: self.logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: self.logger)
                        throw error
                    }
                } }
            } catch {
                let readable = PostgresStoreError.wrapping(error)
                if let failure = readable as? PostgresStoreError, failure.isTransient, attempt < 5 {
                    attempt += 1
                    continue
                }
                throw readable
            }
        }
    }

    /// The rows of one statement run on its own (autocommit).
    func rows(_ statement: PostgresQuery, within limit: Duration? = nil) async throws -> [PostgresRow] {
        do {
            return try await bounded(within: limit) { try await self.client.query(statement, logger: self.logger).collect() }
        } catch {
            throw PostgresStoreError.wrapping(error)
        }
    }

    /// `operation`'s result, or ``PostgresStoreError`` once `limit` (by default
    /// ``PostgresSettings/operationTimeout``) has passed: the operation is cancelled then (a connection it waits for is no longer
    /// wanted) and left to end on its own. postgres-nio's pool retries a refused connection for a
    /// minute before it fails a request; a writer must say `degraded` long before.
    private func bounded<T: Sendable>(within limit: Duration? = nil, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = limit ?? (serverMissing.load(ordering: .relaxed) ? min(Self.missingServerTimeout, settings.operationTimeout) : settings.operationTimeout)
        do {
            let result = try await firstOf(operation, within: limit)
            serverMissing.store(false, ordering: .relaxed)
            return result
        } catch {
            // No SQLSTATE: the server did not answer at all (as opposed to refusing a statement).
            if !(error is CancellationError), (PostgresStoreError.wrapping(error) as? PostgresStoreError)?.sqlState == nil {
                serverMissing.store(true, ordering: .relaxed)
            }
            throw error
        }
    }

    /// `operation`'s result or error, or a timeout error after `limit`, whichever comes first.
    private func firstOf<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T, within limit: Duration) async throws -> T {
        let outcome = FirstOutcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.waiting(continuation)
                let work = Task {
                    do { outcome.resume(.success(try await operation())) } catch { outcome.resume(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if outcome.resume(.failure(PostgresStoreError(sqlState: nil, message: "no answer from the server within \(limit) (unreachable or overloaded)"))) {
                        work.cancel()
                    }
                }
                outcome.onFinish { timer.cancel(); work.cancel() }
            }
        } onCancel: {
            outcome.resume(.failure(CancellationError()))
        }
    }

    /// The rows of one statement inside a transaction (bounded by the transaction's own deadline).
    func rows(_ connection: PostgresConnection, _ statement: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(statement, logger: logger).collect()
    }

    /// Runs one statement inside a transaction, ignoring any rows.
    func run(_ connection: PostgresConnection, _ statement: PostgresQuery) async throws {
        _ = try await connection.query(statement, logger: logger).collect()
    }
}

/// The first of an operation's result, its timeout and its caller's cancellation; later ones are
/// ignored.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var finished = false
        var onFinish: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func waiting(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let finished = state.withLock { state in
            if !state.finished { state.onFinish = action }
            return state.finished
        }
        if finished { action() }
    }

    /// Resumes the waiting caller with `result` if nothing did yet; returns whether this did.
    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (continuation, action, first) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) in
            guard !state.finished else { return (nil, nil, false) }
            state.finished = true
            defer { state.continuation = nil; state.onFinish = nil }
            if state.continuation == nil { state.early = result }
            return (state.continuation, state.onFinish, true)
        }
        continuation?.resume(with: result)
        action?()
        return first
    }
}
