import Foundation
import Logging
import VeritasProtocol
import VeritasStore

/// The writer's timed store work besides jobs, on the ``StorageWorker``, each kind at most once at
/// a time: the recovery probe while storage is degraded, the metrics gauges, and forgetting the
/// event ids of audits that ended before the retention (`processed_events` stays bounded).
///
/// Owned by the gateway's loop, which calls ``run(now:)`` on every housekeeping turn.
final class StorageMaintenance: @unchecked Sendable {
    // @unchecked: the `last…` instants are touched only by the owning loop.

    private let store: any WriterStore
    private let screenshots: any ScreenshotStore
    private let worker: StorageWorker
    private let state: WriterState
    private let metrics: WriterMetrics
    private let logger: Logger
    /// `persistence.processed_events_retention_ms`; 0 keeps every id.
    private let retentionMilliseconds: Int64
    private var lastRecoveryProbe: ContinuousClock.Instant
    private var lastGauges: ContinuousClock.Instant?
    private var lastPrune: ContinuousClock.Instant
    private let probeRunning = WorkFlag()
    private let gaugesRunning = WorkFlag()
    private let pruneRunning = WorkFlag()

    /// Rows of `processed_events` deleted per pass; passes repeat while they find a full batch.
    static let pruneBatch = 5_000

    init(
        store: any WriterStore, screenshots: any ScreenshotStore, worker: StorageWorker, state: WriterState, metrics: WriterMetrics,
        logger: Logger, retentionMilliseconds: Int64, now: ContinuousClock.Instant = .now
    ) {
        self.store = store
        self.screenshots = screenshots
        self.worker = worker
        self.state = state
        self.metrics = metrics
        self.logger = logger
        self.retentionMilliseconds = retentionMilliseconds
        lastRecoveryProbe = now
        lastPrune = now
    }

    /// Hands the work that is due to the worker.
    func run(now: ContinuousClock.Instant) {
        probeIfDegraded(now: now)
        refreshGauges(now: now)
        forgetOldEventIDs(now: now)
    }

    /// While storage is degraded, a probe write every second: without it, health would stay
    /// degraded until the next event happened to land.
    private func probeIfDegraded(now: ContinuousClock.Instant) {
        guard store.databaseState == .degraded, now - lastRecoveryProbe >= .seconds(1), !probeRunning.testAndSet() else { return }
        lastRecoveryProbe = now
        let (store, screenshots, logger, running) = (self.store, self.screenshots, self.logger, self.probeRunning)
        worker.submit {
            if await store.probeRecovery(alsoCheck: { try await screenshots.verifyWritable() }) {
                logger.notice("storage writable again: a probe write to the database and the screenshot folder succeeded")
            }
            running.clear()
        }
    }

    /// Audits by status and the queue depth for the metrics, at most every few seconds (two
    /// counting queries).
    private func refreshGauges(now: ContinuousClock.Instant) {
        guard lastGauges.map({ now - $0 >= .seconds(5) }) ?? true, !gaugesRunning.testAndSet() else { return }
        lastGauges = now
        let (store, metrics, state, running) = (self.store, self.metrics, self.state, self.gaugesRunning)
        worker.submit {
            defer { running.clear() }
            guard let counts = try? await store.statusCounts(), let depth = try? await store.queueDepth() else { return }
            metrics.record(counts: counts, queueDepth: depth, connectedRunners: state.connectedRunners.load(ordering: .relaxed))
        }
    }

    /// The ids of audits that ended longer ago than the retention go, a batch at a time, every
    /// half retention (between 1 s and a minute).
    private func forgetOldEventIDs(now: ContinuousClock.Instant) {
        let retention = retentionMilliseconds
        guard retention > 0 else { return }
        let interval = Duration.milliseconds(min(60_000, max(1_000, retention / 2)))
        guard now - lastPrune >= interval, !pruneRunning.testAndSet() else { return }
        lastPrune = now
        let (store, logger, running, metrics) = (self.store, self.logger, self.pruneRunning, self.metrics)
        worker.submit {
            defer { running.clear() }
            var forgotten = 0
            do {
                while true {
                    let deleted = try await store.forgetProcessedEvents(endedBefore: Timestamp.now.adding(milliseconds: -retention), limit: Self.pruneBatch)
                    forgotten += deleted
                    if deleted < Self.pruneBatch { break }
                    await Task.yield()
                }
            } catch {
                logger.warning("could not forget old event ids; retrying later", metadata: ["error": "\(error)"])
            }
            if forgotten > 0 {
                metrics.eventIDsForgotten.increment(by: forgotten)
                logger.info("forgot the event ids of audits that ended before the retention", metadata: ["rows": "\(forgotten)"])
            }
        }
    }
}
