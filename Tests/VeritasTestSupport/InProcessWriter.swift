import Foundation
import Logging
import Metrics
import ServiceLifecycle
import VeritasRunner
import VeritasWriter

/// A real writer inside the test process: ephemeral loopback ports, its own data folder, real
/// sockets. Shared by the client and runner tests (the writer's own tests have a richer harness).
public final class InProcessWriter: Sendable {
    public let endpoints: WriterService.BoundEndpoints
    public let configuration: WriterConfiguration
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Starts a writer whose data lives in `dataDirectory`; `configure` adjusts the settings.
    /// - Parameters:
    ///   - logs: receives the writer's log records (e.g. to check what it logged).
    ///   - metrics: where its metrics go (none by default).
    public static func start(
        dataDirectory: URL, logs: LogCapture? = nil, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        _ configure: (inout WriterConfiguration) -> Void = { _ in }
    ) async throws -> InProcessWriter {
        var configuration = WriterConfiguration()
        configuration.queriesEndpoint = "tcp://127.0.0.1:*"
        configuration.runnersEndpoint = "tcp://127.0.0.1:*"
        configuration.feedEndpoint = "tcp://127.0.0.1:*"
        configuration.dataDirectory = dataDirectory.path
        configuration.databaseSynchronous = "normal"
        configuration.heartbeatIntervalMilliseconds = 100
        configuration.runnerSilentTimeoutMilliseconds = 2_000
        configure(&configuration)
        var logger = logs.map { capture in Logger(label: "test.writer") { _ in capture.handler() } } ?? Logger(label: "test.writer")
        // VERITAS_TEST_LOG=debug shows what the writer did while a test ran.
        logger.logLevel = logs != nil ? .debug
            : ProcessInfo.processInfo.environment["VERITAS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let (ready, continuation) = AsyncStream<WriterService.BoundEndpoints>.makeStream()
        let service = WriterService(configuration: configuration, logger: logger, metrics: metrics) { endpoints in
            continuation.yield(endpoints)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [], logger: logger))
        let running = Task {
            // If the writer fails before it is ready (a port in use), end the wait below.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ready.makeAsyncIterator()
        guard let endpoints = await iterator.next() else {
            try await running.value
            throw InProcessWriterError(description: "the writer stopped before it was ready")
        }
        return InProcessWriter(endpoints: endpoints, configuration: configuration, group: group, running: running)
    }

    private init(endpoints: WriterService.BoundEndpoints, configuration: WriterConfiguration, group: ServiceGroup, running: Task<Void, any Error>) {
        self.endpoints = endpoints
        self.configuration = configuration
        self.group = group
        self.running = running
    }

    /// Graceful shutdown, as SIGTERM; returns once the writer has stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

public struct InProcessWriterError: Error, CustomStringConvertible {
    public let description: String
}

/// A fresh temporary folder, removed by ``remove()``.
public struct TemporaryFolder: Sendable {
    public let url: URL
    public init(_ prefix: String = "veritas-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

