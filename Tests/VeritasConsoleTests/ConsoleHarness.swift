import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import VeritasClient
import VeritasConsole
import VeritasProtocol
import VeritasTestSupport

/// A real in-process writer and a real console over it on a loopback port, torn down after
/// `body` whatever happens. `writers` puts endpoints before the real writer's (to test failover).
func withConsole(
    writersBefore: [String] = [],
    _ body: (_ console: RunningConsole, _ writer: InProcessWriter, _ client: WriterClient) async throws -> Void
) async throws {
    let folder = try TemporaryFolder("veritas-console")
    defer { folder.remove() }
    let writer = try await InProcessWriter.start(dataDirectory: folder.url) { configuration in
        configuration.runnerSilentTimeoutMilliseconds = 60_000
    }
    let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(15))
    var configuration = ConsoleConfiguration()
    configuration.listen = "127.0.0.1:0"
    configuration.writers = (writersBefore + [writer.endpoints.queries]).joined(separator: ",")
    configuration.feeds = writer.endpoints.feed
    let console: RunningConsole
    do {
        console = try await RunningConsole.start(configuration)
    } catch {
        await client.close()
        try? await writer.stop()
        throw error
    }
    do {
        try await body(console, writer, client)
    } catch {
        await console.stop()
        await client.close()
        try? await writer.stop()
        throw error
    }
    await console.stop()
    await client.close()
    try await writer.stop()
}

/// A console served in this process until ``stop()``, and an HTTP client for it that does not
/// follow redirects (so a test sees them).
final class RunningConsole: Sendable {
    let port: Int
    let pool: WriterPool
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let http: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pool: WriterPool, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.pool = pool
        self.group = group
        self.task = task
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    }

    static func start(_ configuration: ConsoleConfiguration) async throws -> RunningConsole {
        var logger = Logger(label: "test.console")
        logger.logLevel = .critical
        let pool = try WriterPool(endpoints: configuration.writerEndpoints, timeout: .seconds(10), curve: nil)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = ConsoleServer(configuration: configuration, pool: pool, curve: nil, logger: logger).application { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: application)], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw ConsoleTestFailure("the console did not start")
        }
        return RunningConsole(port: port, pool: pool, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? await http.shutdown()
        await pool.close()
    }

    /// One request; the body collected (up to 8 MiB).
    func fetch(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }
}

struct ConsoleTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A completed audit, made by a scripted runner: one screenshot (`png`, a minimal image) and
/// `findings`, the first on it.
func completeScriptedAudit(
    writer: InProcessWriter, client: WriterClient, url: String, findings: [Finding], png: Data = ConsoleSamples.png
) async throws -> AuditID {
    let audit = try await client.submit(url: url)
    let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
    try await runner.hello()
    let job = try await runner.nextJob()
    try await runner.send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
    try await runner.send(job.auditID, .progress(ProgressEventPayload(phase: "rendering", percent: 40)))
    try await runner.send(job.auditID, .screenshot(index: 0, label: "full page", contentType: .png, image: png))
    try await runner.send(job.auditID, .completed(CompletedEventPayload(
        trustScore: 23, riskLevel: .critical, narrative: "Pressure everywhere.", signalScores: ["dark_patterns": 5, "security": 40],
        siteType: .shop, securityResults: .object(["grade": "D", "score": 30, "tests": .object([:])]),
        darkPatternSummary: DarkPatternSummary(findings: findings))))
    await runner.close()
    return audit.id
}

enum ConsoleSamples {
    /// A minimal whole PNG (``SampleImages/minimalPNG``).
    static let png = SampleImages.minimalPNG

    static let hostile = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">Only 2 left!"
}
