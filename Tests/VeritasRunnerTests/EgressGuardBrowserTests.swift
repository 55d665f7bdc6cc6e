import Foundation
import Logging
import Testing
import VeritasProtocol
@testable import VeritasRunner

/// The SSRF guard in headless Chromium: a page on an allowed address cannot make the browser
/// reach a refused one (images, fetch/XHR, WebSocket); what it tried is recorded with the audit.
/// Runs with the browser suites (serially, after the parallel tests: see the Makefile).
@Suite("egress guard: what the browser loads", .timeLimit(.minutes(2)))
struct EgressGuardBrowserTests {
    @Test("subresources, fetch and WebSocket to loopback are refused and recorded; the allowed site's own image loads")
    func browserIsGuarded() async throws {
        // Not skipped without Chromium: scripts/install-deps.sh installs it.
        try #require(PageRenderer.locateChromium(configured: "") != nil, "headless Chromium is not installed: run scripts/install-deps.sh")
        let inside = try await FixtureServer.start(["/secret.png": .init(headers: [("Content-Type", "image/png")], body: "x")])
        let port = inside.port
        let page = """
            <html><head><title>Lamps</title></head><body><h1>Desk lamp</h1><p>$49</p>
            <img src="/ok.png" alt="ours">
            <img src="http://127.0.0.1:\(port)/secret.png" alt="inside">
            <script>
            fetch('http://localhost:\(port)/secret.png?fetch').catch(() => {});
            try { new WebSocket('ws://127.0.0.1:\(port)/socket'); } catch (e) {}
            </script>
            </body></html>
            """
        let site = try await FixtureServer.start([
            "/": .init(body: page),
            "/ok.png": .init(headers: [("Content-Type", "image/png")], body: "x"),
        ], host: "127.0.0.2")
        defer { Task { await inside.stop(); await site.stop() } }

        var configuration = RunnerConfiguration()
        configuration.chromiumPath = ""
        configuration.allowedNetworks = "127.0.0.2/32"
        configuration.allowedPorts = "80,443,\(site.port),\(port)"
        let engine = HTTPAuditEngine(configuration: configuration, logger: Logger(label: "egress-browser"))
        let job = AuditJob(auditID: .generate(), url: site.url("/"), tier: .quick, verdictMode: .expert, attempt: 1, createdAt: .now)
        let result = try await engine.audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, _, _, _ in }))

        #expect(result.securityResults["rendered"] == .bool(true), "\(result.securityResults["render_error"] ?? .null)")
        #expect(inside.requestedPaths.isEmpty, "the browser reached the inside: \(inside.requestedPaths)")
        #expect(site.requestedPaths.contains("/ok.png"), "the allowed site's own image: \(site.requestedPaths)")
        guard case .array(let blocked) = result.securityResults["blocked_destinations"] else {
            Issue.record("no blocked_destinations in \(result.securityResults)")
            return
        }
        let lines = blocked.compactMap(\.stringValue)
        #expect(lines.contains { $0.contains("127.0.0.1:\(port)") && $0.contains("loopback") }, "\(lines)")
        #expect(lines.contains { $0.contains("localhost:\(port)") }, "fetch() by name: \(lines)")
        #expect((result.securityResults["blocked_destinations_total"]?.doubleValue ?? 0) >= 2)
        #expect(result.narrative.contains("egress guard refused"))
    }
}
