import Foundation
import Logging
import ServiceLifecycle
import VeritasRunner

/// A runner inside the test process, with test timings.
public final class InProcessRunner: Sendable {
    public let handle: RunnerHandle
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    public static func start(
        dataDirectory: URL, writer: String, engine: (any AuditEngine)? = nil, logs: LogCapture? = nil,
        metrics: RunnerMetrics = .none, _ configure: (inout RunnerConfiguration) -> Void = { _ in }
    ) async throws -> InProcessRunner {
        var configuration = RunnerConfiguration()
        configuration.runnerID = "test-runner-\(UUID().uuidString.prefix(8))"
        configuration.writers = writer
        configuration.dataDirectory = dataDirectory.path
        configuration.capacity = 2
        configuration.heartbeatIntervalMilliseconds = 100
        configuration.heartbeatTimeoutMilliseconds = 1_000
        configuration.ackResendTimeoutMilliseconds = 500
        configuration.reconnectMaxMilliseconds = 300
        configuration.shutdownGraceMilliseconds = 300
        configuration.shutdownDrainMilliseconds = 2_000
        configuration.chromiumPath = "/nonexistent/chromium"
        // The fixtures are served on loopback, which the SSRF guard refuses by default.
        configuration.allowPrivateNetworks = true
        configure(&configuration)
        var logger = logs.map { capture in Logger(label: "test.runner") { _ in capture.handler() } } ?? Logger(label: "test.runner")
        logger.logLevel = logs != nil ? .debug : .critical
        let auditEngine = engine ?? HTTPAuditEngine(configuration: configuration, logger: logger, metrics: metrics)
        let (ready, continuation) = AsyncStream<RunnerHandle>.makeStream()
        let service = RunnerService(configuration: configuration, engine: auditEngine, logger: logger, metrics: metrics) { handle in
            continuation.yield(handle)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ready.makeAsyncIterator()
        guard let handle = await iterator.next() else {
            try await running.value
            throw InProcessWriterError(description: "the runner stopped before it was ready")
        }
        return InProcessRunner(handle: handle, group: group, running: running)
    }

    private init(handle: RunnerHandle, group: ServiceGroup, running: Task<Void, any Error>) {
        self.handle = handle
        self.group = group
        self.running = running
    }

    /// Graceful shutdown, as SIGTERM; returns once the runner has stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
