import Foundation
import Logging
import Metrics
import Synchronization
import VeritasProtocol

/// Runs one job through the engine and turns what happens into events, each stored in the
/// outbox before the link is woken to send it.
struct AuditRunner: Sendable {
    let runnerID: RunnerID
    let engine: any AuditEngine
    let outbox: Outbox
    let link: WriterLink
    let state: RunnerState
    let logger: Logger
    let metrics: RunnerMetrics

    /// Numbers one audit's events 1, 2, 3...
    private final class EventCounter: Sendable {
        private let last = Atomic<Int>(0)
        func next() -> Int { last.add(1, ordering: .relaxed).newValue }
    }

    /// Returns the audit id once the audit ended or was abandoned (cancelled at shutdown).
    func perform(_ job: AuditJob) async -> AuditID {
        let sequence = EventCounter()
        let logger = self.logger
        var metadata: Logger.Metadata { ["audit_id": "\(job.auditID)", "url": "\(job.url)", "attempt": "\(job.attempt)"] }
        logger.info("audit started", metadata: metadata)
        let started = ContinuousClock.now
        metrics.running.record(state.active.count)
        defer { metrics.running.record(state.active.count) }
        await emit(.started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)), job, sequence)

        let reporter = AuditReporter(
            progress: { phase, percent, message in
                await emit(.progress(ProgressEventPayload(phase: phase, percent: percent, message: message)), job, sequence)
            },
            screenshot: { index, label, contentType, image in
                await emit(.screenshot(index: index, label: label, contentType: contentType, image: image), job, sequence)
            }
        )
        let terminal: EventPayload
        do {
            let verdict = try await engine.audit(job, reporter: reporter)
            terminal = .completed(verdict)
        } catch {
            if Task.isCancelled {
                // Shutdown ran out of grace: the job goes back to the writer with `release`.
                logger.notice("audit cancelled; it will be released", metadata: metadata)
                state.end(job.auditID, finished: false)
                metrics.ended("released")
                return job.auditID
            }
            let message = (error as? AuditFailure)?.message ?? "the audit failed: \(error)"
            terminal = .error(ErrorEventPayload(errorMessage: Self.clip(message)))
        }
        await emit(terminal, job, sequence)
        state.end(job.auditID, finished: true)
        metrics.auditDuration.record(duration: started.duration(to: .now))
        metrics.ended(terminal.name == .completed ? "completed" : "error")
        logger.info("audit finished", metadata: metadata.merging(["event": "\(terminal.name.rawValue)"]) { $1 })
        return job.auditID
    }

    /// Checks the event with the writer's own decoder, stores it, wakes the link.
    ///
    /// An event the writer would reject is never stored: a bad progress or screenshot is dropped
    /// (logged), and a bad verdict becomes `audit.error`, so the audit cannot stay `running`.
    private func emit(_ payload: EventPayload, _ job: AuditJob, _ sequence: EventCounter) async {
        var event = AuditEvent(auditID: job.auditID, seq: sequence.next(), runnerID: runnerID, payload: payload)
        // Encoded once: the frames checked are the frames stored and sent.
        var frames = RunnerMessage.event(event).encodeFrames()
        do {
            _ = try RunnerMessage.decode(frames: frames)
        } catch {
            logger.error("engine produced an invalid event", metadata: [
                "audit_id": "\(job.auditID)", "event": "\(payload.name.rawValue)", "error": "\(error.error)",
            ])
            switch payload {
            case .completed, .error:
                event.payload = .error(ErrorEventPayload(errorMessage: Self.clip("the audit produced an invalid verdict: \(error.error.message)")))
                frames = RunnerMessage.event(event).encodeFrames()
            default:
                return
            }
        }
        await store(event, frames: frames)
    }

    /// Stores until it works: an event that is not in the outbox could be lost.
    private func store(_ event: AuditEvent, frames: [Data]) async {
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await outbox.store(event, frames: frames)
                link.wake()
                return
            } catch {
                logger.error("cannot store an event in the outbox; retrying", metadata: [
                    "audit_id": "\(event.auditID)", "event_id": "\(event.eventID)", "error": "\(error)",
                ])
                if Task.isCancelled { return }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    static func clip(_ message: String) -> String {
        let text = message.isEmpty ? "the audit failed without a message" : message
        let scalars = text.unicodeScalars
        guard scalars.count > ProtocolLimits.maxErrorMessageLength else { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars.prefix(ProtocolLimits.maxErrorMessageLength - 1))
        return String(view) + "…"
    }
}
