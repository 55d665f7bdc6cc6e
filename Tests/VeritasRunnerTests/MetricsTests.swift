import Foundation
import Glibc
import Prometheus
import Testing
import VeritasService
import VeritasProtocol
import VeritasTestSupport
@testable import VeritasRunner

/// The Prometheus endpoints of a writer and a runner, scraped over HTTP after real audits.
@Suite("metrics: scraped from writer and runner")
struct MetricsTests {
    /// `GET path` on `endpoint`, the whole response as text.
    static func get(_ path: String, from endpoint: MetricsEndpoint) async throws -> String {
        try await LoopbackSocket.exchange(port: endpoint.port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    }

    /// The value of the sample line that starts with `series ` (name and labels), or `nil`.
    static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("events, commits, acks and jobs on the writer; audits by outcome, duration and refused destinations on the runner")
    func scraped() async throws {
        let folder = try TemporaryFolder("metrics")
        defer { folder.remove() }
        let writerRegistry = PrometheusCollectorRegistry()
        let runnerRegistry = PrometheusCollectorRegistry()
        let writerEndpoint = try await MetricsEndpoint.start(listen: "127.0.0.1:0", registry: writerRegistry)
        let runnerEndpoint = try await MetricsEndpoint.start(listen: "127.0.0.1:0", registry: runnerRegistry)
        let site = try await FixtureServer.start(["/shop": AuditEndToEndTests.shopPage])
        let writer = try await InProcessWriter.start(
            dataDirectory: folder.url.appendingPathComponent("writer"), metrics: PrometheusMetricsFactory(registry: writerRegistry))
        // Private networks allowed for the fixture, but cloud metadata stays refused.
        let runner = try await InProcessRunner.start(
            dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners,
            metrics: RunnerMetrics(factory: PrometheusMetricsFactory(registry: runnerRegistry)))
        let database = try WriterDatabase(folder.url.appendingPathComponent("writer"))

        let completed = try await submit(writer, url: site.url("/shop"))
        let refused = try await submit(writer, url: "http://169.254.169.254/latest/meta-data/")
        try await eventually("both audits finished") {
            try database.status(completed) == "completed" && database.status(refused) == "error"
        }
        try await eventually("the runner counted both") {
            let text = try await Self.get("/metrics", from: runnerEndpoint)
            return Self.value(#"veritas_runner_audits_total{outcome="completed"}"#, in: text) == 1
                && Self.value(#"veritas_runner_audits_total{outcome="error"}"#, in: text) == 1
        }
        let runnerText = try await Self.get("/metrics", from: runnerEndpoint)
        #expect(runnerText.hasPrefix("HTTP/1.1 200"))
        #expect(runnerText.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(Self.value("veritas_runner_audit_seconds_count", in: runnerText) == 2)
        #expect(Self.value("veritas_runner_blocked_destinations_total", in: runnerText) == 1)
        #expect(Self.value("veritas_runner_capacity", in: runnerText) == 2)
        #expect(Self.value("veritas_runner_audits_running", in: runnerText) == 0)

        // The writer acknowledges after its commit: by the time both audits are finished in the
        // database, every event of theirs has been received, applied and acknowledged.
        try await eventually("the writer acknowledged every event") {
            let text = try await Self.get("/metrics", from: writerEndpoint)
            let received = Self.value("veritas_writer_events_received_total", in: text) ?? 0
            return received > 0 && Self.value("veritas_writer_events_acknowledged_total", in: text) == received
        }
        let writerText = try await Self.get("/metrics", from: writerEndpoint)
        let received = try #require(Self.value("veritas_writer_events_received_total", in: writerText))
        let stored = try database.processedEvents(completed) + database.processedEvents(refused)
        #expect(received >= Double(stored), "every stored event was received: \(received) vs \(stored)")
        #expect(Self.value("veritas_writer_events_applied_total", in: writerText) == Double(stored))
        #expect(Self.value("veritas_writer_jobs_claimed_total", in: writerText) == 2)
        #expect((Self.value("veritas_writer_commit_seconds_count", in: writerText) ?? 0) >= 1)
        #expect((Self.value("veritas_writer_batch_events_count", in: writerText) ?? 0) >= 1)
        #expect(writerText.contains("veritas_writer_commit_seconds_bucket{le="))
        #expect(Self.value("veritas_writer_ingest_lag_seconds_count", in: writerText) == received)

        // Anything but GET /metrics is answered, not served.
        #expect(try await Self.get("/other", from: writerEndpoint).hasPrefix("HTTP/1.1 404"))

        try await runner.stop()
        try await writer.stop()
        await site.stop()
        await writerEndpoint.stop()
        await runnerEndpoint.stop()
    }
}
