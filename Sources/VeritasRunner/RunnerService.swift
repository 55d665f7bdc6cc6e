import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import VeritasProtocol
import ZeroMQ

/// The runner as a swift-service-lifecycle `Service`: takes `job`s from the writer, runs up to
/// `capacity` audits at once through an ``AuditEngine``, and turns each into events that go
/// through the durable ``Outbox`` and the ``WriterLink``.
///
/// ```
///  writer ──job──▶ WriterLink ──▶ job stream ──▶ TaskGroup (≤ capacity audits)
///                     ▲                               │ engine reports
///                     │ pump (window, resend)         ▼
///                     └──────────────── Outbox ◀── store event, then wake the link
///  writer ◀──event── WriterLink;  writer ──ack/reject──▶ WriterLink ──▶ delete from Outbox
/// ```
///
/// Every audit ends with exactly one of `audit.completed` or `audit.error`: any error the engine
/// throws becomes `audit.error`, and a verdict the writer would refuse is turned into
/// `audit.error` here (checked with the writer's own decoder) rather than leaving the audit
/// `running`.
///
/// Graceful shutdown (SIGTERM): no new jobs; running audits get
/// ``RunnerConfiguration/shutdownGraceMilliseconds`` to finish, then are cancelled; the outbox
/// is given ``RunnerConfiguration/shutdownDrainMilliseconds`` to be acknowledged; then each
/// unfinished audit is handed back with `release` and the runner says `bye` (in that order, as
/// docs/PROTOCOL.md §6.2 asks: `release` and `bye` overtake events still being committed).
public struct RunnerService: Service {
    public let configuration: RunnerConfiguration
    private let engine: any AuditEngine
    private let logger: Logger
    private let onReady: @Sendable (RunnerHandle) -> Void

    /// - Parameter onReady: called once the outbox is open and the link started; the handle
    ///   gives tests (and health reporting) a view of the running runner.
    private let metrics: RunnerMetrics

    /// - Parameter metrics: where the runner's metrics go (the engine counts refused
    ///   destinations into the same ``RunnerMetrics`` when built with it); none by default.
    public init(
        configuration: RunnerConfiguration, engine: any AuditEngine, logger: Logger = Logger(label: "veritas.runner"),
        metrics: RunnerMetrics = .none,
        onReady: @escaping @Sendable (RunnerHandle) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        self.metrics = metrics
        self.onReady = onReady
    }

    public func run() async throws {
        let runnerID = try RunnerID(configuration.runnerID)
        let curve: CurveClientCredentials?
        do {
            curve = try CurveClientCredentials.optional(
                secretKeyFile: configuration.curveSecretKeyFile, serverKeyFile: configuration.curveWriterKeyFile)
        } catch {
            throw ConfigurationError("CURVE: \(error.description)")
        }
        let outbox = try Outbox(directory: URL(fileURLWithPath: configuration.dataDirectory), maxBytes: configuration.outboxMaxBytes)
        if outbox.count > 0 {
            logger.notice("outbox holds events from a previous run; resending them", metadata: ["events": "\(outbox.count)", "bytes": "\(outbox.bytes)"])
        }
        let state = RunnerState()
        let (jobs, jobInput) = AsyncStream<AuditJob>.makeStream()
        let context = try Context()
        let loop = try SocketLoop(name: "veritas-runner")
        let link = WriterLink(
            configuration: configuration, runnerID: runnerID, outbox: outbox, context: context, loop: loop, curve: curve,
            version: VeritasVersion.current, logger: logger,
            handlers: .init(
                job: { [logger, capacity = configuration.capacity] job in
                    switch state.accept(job.auditID, capacity: capacity) {
                    case .alreadyHeld:
                        logger.notice("job for an audit this runner already holds; ignored", metadata: [
                            "audit_id": "\(job.auditID)", "attempt": "\(job.attempt)",
                        ])
                        return true
                    case .full:
                        return false
                    case .accepted:
                        if case .terminated = jobInput.yield(job) { state.markUnstarted(job.auditID) }
                        return true
                    }
                },
                activeAudits: { state.active }
            )
        )
        let audits = AuditRunner(
            runnerID: runnerID, engine: engine, outbox: outbox, link: link, state: state, logger: logger, metrics: metrics)
        metrics.capacity.record(configuration.capacity)
        onReady(RunnerHandle(outbox: outbox, link: link, state: state))
        logger.info("runner started", metadata: [
            "runner_id": "\(runnerID)", "writers": "\(configuration.writers)", "capacity": "\(configuration.capacity)",
            "outbox": "\(outbox.path)", "curve": "\(curve != nil)",
        ])
        if curve == nil {
            logger.warning("CURVE is not configured: this runner's traffic to the writer is unencrypted")
        }

        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await link.run() }
            group.addTask {
                // The runner's own health (health.json), for `veritas-runner --health`.
                while !state.stopping.load(ordering: .relaxed), !Task.isCancelled {
                    self.health(link: link, outbox: outbox, state: state, runnerID: runnerID).writeLogged(to: dataDirectory, logger: logger)
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            group.addTask {
                await withGracefulShutdownHandler {
                    await runJobs(jobs, audits: audits, outbox: outbox, state: state)
                } onGracefulShutdown: {
                    state.stopping.store(true, ordering: .relaxed)
                    jobInput.finish()
                }
                // Cancellation (not graceful): still try to leave cleanly, but without waiting.
                await finish(link: link, outbox: outbox, state: state, runnerID: runnerID)
                link.stop()
            }
        }
        await loop.shutdown()
        logger.info("runner stopped", metadata: ["outbox": "\(outbox.count)"])
    }

    /// Runs jobs until the stream ends (graceful shutdown), then gives running audits their grace.
    private func runJobs(_ jobs: AsyncStream<AuditJob>, audits: AuditRunner, outbox: Outbox, state: RunnerState) async {
        let grace = Duration.milliseconds(configuration.shutdownGraceMilliseconds)
        await withTaskGroup(of: AuditID?.self) { group in
            var running = 0
            var iterator = jobs.makeAsyncIterator()
            while let job = await iterator.next() {
                if state.stopping.load(ordering: .relaxed) {
                    state.markUnstarted(job.auditID)
                    continue
                }
                // Back-pressure: a writer that does not acknowledge must not make the outbox grow
                // without bound; held jobs wait (and are released on shutdown).
                var warned = false
                while outbox.isOverLimit && !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    if !warned {
                        logger.warning("outbox over its limit; new audits wait for acknowledgements", metadata: ["bytes": "\(outbox.bytes)"])
                        warned = true
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                if state.stopping.load(ordering: .relaxed) || Task.isCancelled {
                    state.markUnstarted(job.auditID)
                    continue
                }
                while running >= configuration.capacity {
                    if await group.next() != nil { running -= 1 }
                }
                running += 1
                group.addTask { await audits.perform(job) }
            }
            // Shutdown: the running audits get their grace period, then are cancelled.
            guard running > 0 else { return }
            logger.notice("stopping: waiting for running audits", metadata: ["running": "\(running)", "grace_ms": "\(configuration.shutdownGraceMilliseconds)"])
            group.addTask {
                try? await Task.sleep(for: grace)
                return nil
            }
            while let result = await group.next() {
                if result == nil {
                    logger.notice("grace period over: cancelling the audits still running", metadata: ["running": "\(running)"])
                    group.cancelAll()
                } else {
                    running -= 1
                    if running == 0 { group.cancelAll() }
                }
            }
        }
    }

    /// The health report of this moment.
    private func health(link: WriterLink, outbox: Outbox, state: RunnerState, runnerID: RunnerID) -> RunnerHealth {
        let browser = engine.browserHealth
        return RunnerHealth(
            runnerID: runnerID.rawValue, writer: link.writerEndpoint, connected: link.isConnected, outboxEvents: outbox.count,
            outboxBytes: outbox.bytes, outboxLimitBytes: configuration.outboxMaxBytes, activeAudits: state.active.count,
            capacity: configuration.capacity, browser: browser.state, browserProblem: browser.problem, updatedAt: .now)
    }

    /// Drains the outbox (bounded), releases unfinished audits, says `bye`.
    private func finish(link: WriterLink, outbox: Outbox, state: RunnerState, runnerID: RunnerID) async {
        let deadline = ContinuousClock.now + .milliseconds(configuration.shutdownDrainMilliseconds)
        while outbox.count > 0 && ContinuousClock.now < deadline {
            link.wake()
            try? await Task.sleep(for: .milliseconds(20))
        }
        if outbox.count > 0 {
            logger.warning("outbox not fully acknowledged at shutdown; it is resent at the next start", metadata: ["events": "\(outbox.count)"])
        }
        let unfinished = state.takeUnfinished()
        let releases = unfinished.map { RunnerMessage.release(JobRelease(runnerID: runnerID, auditID: $0, reason: "runner \(runnerID) is shutting down")) }
        let sent = await link.send(releases + [.bye(runnerID: runnerID)])
        logger.notice("said bye to the writer", metadata: ["released": "\(unfinished.map(\.rawValue))", "sent": "\(sent)"])
    }
}

/// A view of a running ``RunnerService``, handed out by its `onReady`.
public struct RunnerHandle: Sendable {
    /// The durable outbox.
    public let outbox: Outbox
    /// The writer connection.
    public let link: WriterLink
    let state: RunnerState

    /// Audits running now.
    public var activeAudits: [AuditID] { state.active }
}

