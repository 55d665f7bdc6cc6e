import GRDB
import VeritasProtocol

extension SQLiteAuditStore {
    /// Deletes up to `limit` rows of `processed_events` whose audit ended (`completed` or `error`)
    /// before `cutoff` and whose event was created before it; returns how many went.
    ///
    /// Safe for exactly-once: a terminal audit changes under no event (``VeritasProtocol/Audit/apply(_:)``),
    /// so a runner resending an event whose id was forgotten finds it applied again with no
    /// effect. The cutoff keeps recent ids, so the usual resends (a lost ack, a reconnect) are
    /// still answered as duplicates. The event-id bound (ids are UUIDv7, time-ordered) makes the
    /// delete a range of the primary key rather than a scan of the table.
    public func forgetProcessedEvents(endedBefore cutoff: Timestamp, limit: Int) async throws -> Int {
        let idBound = EventIDRange.smallest(at: cutoff)
        let cutoffText = cutoff.description
        return try await immediateTransaction { db in
            try db.execute(
                sql: """
                    DELETE FROM processed_events WHERE event_id IN (
                        SELECT p.event_id FROM processed_events p JOIN audits a ON a.id = p.audit_id
                        WHERE p.event_id < ? AND a.status IN ('completed', 'error') AND a.completed_at < ?
                        LIMIT ?)
                    """,
                arguments: [idBound, cutoffText, limit])
            return db.changesCount
        }
    }
}
