import Metrics
import VeritasProtocol

/// The writer's metrics (swift-metrics; Prometheus names in docs/DEPLOYMENT.md, "Metrics"). Made
/// from an explicit factory, so each writer in a process has its own (tests run several).
struct WriterMetrics: Sendable {
    /// Runner events decoded from the runners endpoint.
    let eventsReceived: Counter
    /// Events whose change was applied (not already applied before).
    let eventsApplied: Counter
    /// Events left unread into a batch because the commit in progress was slow and the batch
    /// being collected was full; not acknowledged, so the runner resends them.
    let eventsDeferred: Counter
    /// Events acknowledged to their runner after their commit.
    let eventsAcknowledged: Counter
    /// Rows of `processed_events` deleted: ids of audits that ended before the retention.
    let eventIDsForgotten: Counter
    /// Events per committed batch.
    let batchSize: Recorder
    /// Time one batch's transaction took.
    let commitDuration: Metrics.Timer
    /// Batches whose commit failed (nothing acknowledged; the runners resend).
    let commitFailures: Counter
    /// From an event's timestamp (the runner's clock) to its arrival here: how far behind the
    /// writer is (clock skew between hosts included).
    let ingestLag: Metrics.Timer
    /// Jobs handed out to runners.
    let jobsClaimed: Counter
    /// Jobs put back in the queue (a silent or stopping runner, an expired lease).
    let jobsRequeued: Counter
    /// Jobs ended in error because their attempts ran out.
    let jobsFailed: Counter
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        eventsReceived = Counter(label: "veritas_writer_events_received_total", factory: factory)
        eventsApplied = Counter(label: "veritas_writer_events_applied_total", factory: factory)
        eventsDeferred = Counter(label: "veritas_writer_events_deferred_total", factory: factory)
        eventsAcknowledged = Counter(label: "veritas_writer_events_acknowledged_total", factory: factory)
        eventIDsForgotten = Counter(label: "veritas_writer_event_ids_forgotten_total", factory: factory)
        batchSize = Recorder(label: "veritas_writer_batch_events", factory: factory)
        commitDuration = Metrics.Timer(label: "veritas_writer_commit_seconds", factory: factory)
        commitFailures = Counter(label: "veritas_writer_commit_failures_total", factory: factory)
        ingestLag = Metrics.Timer(label: "veritas_writer_ingest_lag_seconds", factory: factory)
        jobsClaimed = Counter(label: "veritas_writer_jobs_claimed_total", factory: factory)
        jobsRequeued = Counter(label: "veritas_writer_jobs_requeued_total", factory: factory)
        jobsFailed = Counter(label: "veritas_writer_jobs_failed_total", factory: factory)
    }

    /// Events rejected, by the protocol error code (`invalid_payload`, `not_found`, ...).
    func rejected(_ code: ErrorCode) {
        Counter(label: "veritas_writer_events_rejected_total", dimensions: [("reason", code.rawValue)], factory: factory).increment()
    }

    /// Audits by status, as `health` counts them, and the queue depth.
    func record(counts: AuditStatusCounts, queueDepth: Int, connectedRunners: Int) {
        for (status, count) in [("queued", counts.queued), ("running", counts.running), ("completed", counts.completed), ("error", counts.error)] {
            Gauge(label: "veritas_writer_audits", dimensions: [("status", status)], factory: factory).record(count)
        }
        Gauge(label: "veritas_writer_queue_depth", factory: factory).record(queueDepth)
        Gauge(label: "veritas_writer_connected_runners", factory: factory).record(connectedRunners)
    }
}
