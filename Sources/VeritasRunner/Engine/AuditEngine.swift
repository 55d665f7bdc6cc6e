import Foundation
import VeritasProtocol

/// Performs one audit. The runner turns what an engine reports into protocol events:
/// `audit.started` before ``audit(_:reporter:)`` is called, `audit.progress` and
/// `audit.screenshot` as the engine reports them, then `audit.completed` with the returned
/// verdict, or `audit.error` with the message of a thrown ``AuditFailure`` (any other error is
/// reported with its description). An engine never leaves an audit hanging: it must return or
/// throw within its own time limits.
public protocol AuditEngine: Sendable {
    /// Audits `job.url` at `job.tier`, writing the narrative for `job.verdictMode`.
    func audit(_ job: AuditJob, reporter: AuditReporter) async throws -> CompletedEventPayload

    /// Whether the engine can render pages, for the runner's health report.
    var browserHealth: (state: RunnerHealth.Browser, problem: String?) { get }
}

extension AuditEngine {
    /// Engines without a browser have nothing to report.
    public var browserHealth: (state: RunnerHealth.Browser, problem: String?) { (.usable, nil) }
}

/// How an engine reports while it works. Each call is turned into one event and stored in the
/// runner's outbox before it returns.
public struct AuditReporter: Sendable {
    /// Reports a phase (`[a-z0-9_]`, at most 64 characters) and a percentage (0...100).
    public let progress: @Sendable (_ phase: String, _ percent: Double, _ message: String?) async -> Void
    /// Reports a screenshot: its index (0, 1, ...), a label, the format, and the image bytes.
    public let screenshot: @Sendable (_ index: Int, _ label: String, _ contentType: ImageContentType, _ image: Data) async -> Void

    /// Reports that `phase` begins, at its own percentage.
    public func progress(_ phase: AuditPhase, _ message: String?) async {
        await progress(phase.rawValue, phase.percent, message)
    }

    public init(
        progress: @escaping @Sendable (_ phase: String, _ percent: Double, _ message: String?) async -> Void,
        screenshot: @escaping @Sendable (_ index: Int, _ label: String, _ contentType: ImageContentType, _ image: Data) async -> Void
    ) {
        self.progress = progress
        self.screenshot = screenshot
    }
}

/// An audit that could not be completed, with a message for the analyst (DNS failure, timeout,
/// TLS error, not HTML, ...).
public struct AuditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
