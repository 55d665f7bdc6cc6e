import Metrics

/// The runner's metrics (swift-metrics; Prometheus names in docs/DEPLOYMENT.md, "Metrics"), from
/// an explicit factory so each runner in a process has its own.
public struct RunnerMetrics: Sendable {
    /// Audits in progress (the capacity in use).
    let running: Gauge
    /// How long audits took, start to verdict or error.
    let auditDuration: Metrics.Timer
    /// Destinations the egress guard refused (pages, redirects, subresources).
    public let blockedDestinations: Counter
    /// The runner's capacity, to compare `running` with.
    let capacity: Gauge
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
        running = Gauge(label: "veritas_runner_audits_running", factory: factory)
        auditDuration = Metrics.Timer(label: "veritas_runner_audit_seconds", factory: factory)
        blockedDestinations = Counter(label: "veritas_runner_blocked_destinations_total", factory: factory)
        capacity = Gauge(label: "veritas_runner_capacity", factory: factory)
    }

    /// No metrics.
    public static let none = RunnerMetrics(factory: NOOPMetricsHandler.instance)

    /// An audit ended: `completed`, `error`, or `released` (cancelled at shutdown).
    func ended(_ outcome: String) {
        Counter(label: "veritas_runner_audits_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// A rendering in headless Chromium: `ok`, or `failed` (Chromium missing counts as neither).
    func rendered(_ outcome: String) {
        Counter(label: "veritas_runner_renders_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// Chromium started (one process per rendering), and how it went: `started`, `launch_failed`,
    /// or `crashed` (the process or a page died under the audit).
    func chromium(_ outcome: String) {
        Counter(label: "veritas_runner_chromium_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }
}
