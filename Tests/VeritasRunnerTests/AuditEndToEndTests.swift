import Foundation
import GRDB
import Logging
import Testing
import VeritasProtocol
@testable import VeritasRunner
import VeritasTestSupport
import ZeroMQ

@Suite("audits end to end: real writer, real runner, real HTTP fixture")
struct AuditEndToEndTests {
    static let shopPage = FixtureServer.Page(
        headers: [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("Set-Cookie", "session=abc; Path=/"),
        ],
        body: """
            <html><head><title>Shop</title><script>var x = "people are viewing";</script></head><body>
            <h1>Great deals</h1><p>Hurry! Offer ends in 09:59.</p><p>Hurry, this deal won't last!</p><p>Only 2 left in stock.</p>
            <p>14 people are viewing this item right now.</p>
            <button>Add to cart</button> <a href="/checkout">Checkout</a>
            <a class="decline">No thanks, I don't want to save money</a>
            <footer><a href="/privacy">Privacy policy</a> <a href="/terms">Terms</a></footer>
            </body></html>
            """)

    @Test("an audit of a fixture page completes in the writer with findings and security results")
    func completes() async throws {
        let folder = try TemporaryFolder("runner-e2e")
        defer { folder.remove() }
        let site = try await FixtureServer.start(["/shop": Self.shopPage])
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners)
        let database = try WriterDatabase(folder.url.appendingPathComponent("writer"))

        let id = try await submit(writer, url: site.url("/shop"))
        try await eventually("audit completed") { try database.status(id) == "completed" }
        let row = try #require(try database.row(id))
        let security = try JSONValue.decode(Data((row["security_results"] as String).utf8))
        // Graded by the HTTP Observatory rules from the fixture's real response headers.
        #expect(security["grade"]?.stringValue != nil)
        #expect(security["tests"]?["content-security-policy"]?["result"]?.stringValue == "csp-implemented-with-unsafe-inline")
        #expect(security["tests"]?["content-security-policy"]?["pass"]?.boolValue == false)
        #expect(security["tests"]?["x-content-type-options"]?["result"]?.stringValue == "x-content-type-options-nosniff")
        #expect(security["tests"]?["cookies"]?["result"]?.stringValue == "cookies-session-without-secure-flag")
        #expect(security["tests"]?["redirection"]?["result"]?.stringValue == "redirection-missing")
        #expect(security["https"]?.boolValue == false)
        #expect(security["rendered"]?.boolValue == false)   // no Chromium in this test: the raw HTML is read
        #expect((row["site_type"] as String) == "shop")
        let narrative: String = row["narrative"]
        #expect(narrative.contains("/100"))
        let findings = try database.count("SELECT COUNT(*) FROM audit_findings WHERE audit_id = ?", id)
        #expect(findings >= 4)
        let types = try await database.queue.read { db in
            try String.fetchAll(db, sql: "SELECT pattern_type FROM audit_findings WHERE audit_id = ?", arguments: [id.rawValue])
        }
        // The static "09:59" never ticks, so it is not a countdown timer (and a line with a clock is
        // not a limited-time message either); "Hurry, this deal won't last!" without a date is.
        #expect(Set(types).isSuperset(of: ["limited_time_message", "low_stock", "activity_notification", "confirmshaming"]))
        #expect(!types.contains("countdown_timer"))
        // started + fetching, security, analysing, scoring (no Chromium here, so no rendering) + completed
        #expect(try database.processedEvents(id) == 6)
        try await eventually("outbox drained") { runner.handle.outbox.count == 0 }

        try await runner.stop()
        try await writer.stop()
        await site.stop()
    }

    @Test("with headless Chromium (make test installs it) the audit stores real viewport and full-page screenshots")
    func screenshotWithChromium() async throws {
        // Not skipped when Chromium is missing: scripts/install-deps.sh installs it, so its
        // absence is a set-up failure this test should report.
        try #require(PageRenderer.locateChromium(configured: "") != nil, "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("runner-chromium")
        defer { folder.remove() }
        let site = try await FixtureServer.start(["/shop": Self.shopPage])
        let writerFolder = folder.url.appendingPathComponent("writer")
        let writer = try await InProcessWriter.start(dataDirectory: writerFolder)
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners) {
            $0.chromiumPath = ""  // found on PATH, as in production
        }
        let database = try WriterDatabase(writerFolder)

        let id = try await submit(writer, url: site.url("/shop"))
        try await eventually("audit completed", timeout: .seconds(60)) { try database.status(id) == "completed" }
        let shots = try database.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT file_path, file_size_bytes, content_type, label FROM audit_screenshots WHERE audit_id = ?", arguments: [id.rawValue])
        }
        #expect(Set(shots.map { $0["label"] as String }) == ["viewport", "full page"])
        let shot = try #require(shots.first)
        #expect((shot["content_type"] as String) == "image/png")
        let file = writerFolder.appendingPathComponent(shot["file_path"] as String)
        let bytes = try Data(contentsOf: file)
        #expect(bytes.count == (shot["file_size_bytes"] as Int))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(bytes.count > 2_000, "a rendered page, not an empty image")

        try await runner.stop()
        try await writer.stop()
        await site.stop()
    }

    @Test("a 404 page and a refused connection end in error with a clear message")
    func failures() async throws {
        let folder = try TemporaryFolder("runner-errors")
        defer { folder.remove() }
        let site = try await FixtureServer.start([
            "/data.json": .init(headers: [("Content-Type", "application/json")], body: "{}"),
        ])
        // Port 1 (tcpmux) is privileged and unused: connections are refused. A port that was free a
        // moment ago is not reliable, since tests running in parallel bind ephemeral ports.
        let closed = "1"
        let writer = try await InProcessWriter.start(dataDirectory: folder.url.appendingPathComponent("writer"))
        var configuration = RunnerConfiguration()
        configuration.chromiumPath = "/nonexistent/chromium"
        configuration.allowPrivateNetworks = true  // loopback fixtures
        var engine = HTTPAuditEngine(configuration: configuration, logger: Logger(label: "test"))
        // Generous: a refused connection fails at once anyway, and a busy machine (every connection
        // goes through the egress proxy) must not turn the JSON page's answer into a timeout.
        engine.timeouts[.quick] = .init(connect: .seconds(5), read: .seconds(10), total: .seconds(20))
        let runner = try await InProcessRunner.start(
            dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners, engine: engine) { $0.capacity = 3 }
        let database = try WriterDatabase(folder.url.appendingPathComponent("writer"))

        let missing = try await submit(writer, url: site.url("/missing"))
        let json = try await submit(writer, url: site.url("/data.json"))
        let refused = try await submit(writer, url: "http://127.0.0.1:\(closed)/")
        for id in [missing, json, refused] {
            try await eventually("audit \(id) ended in error", timeout: .seconds(30)) { try database.status(id) == "error" }
        }
        let message = { (id: AuditID) throws -> String in
            let row = try database.row(id)
            return row.flatMap { $0["error_message"] as String? } ?? ""
        }
        let (missingMessage, jsonMessage) = (try message(missing), try message(json))
        #expect(missingMessage.contains("HTTP 404"), "\(missingMessage)")
        #expect(jsonMessage.contains("not an HTML page"), "\(jsonMessage)")
        #expect(try message(refused).contains("127.0.0.1"))
        #expect(try message(refused).lowercased().contains("refused") || message(refused).contains("timed out"))

        try await runner.stop()
        try await writer.stop()
        await site.stop()
    }

    @Test("over CURVE: a runner with its key completes an audit; a runner without keys is refused and says why")
    func curve() async throws {
        let folder = try TemporaryFolder("runner-curve")
        defer { folder.remove() }
        let keys = folder.url.appendingPathComponent("keys").path
        let writerFiles = try CurveCertificate.write(try CurveKeyPair.generate(), name: "writer", in: keys)
        let runnerFiles = try CurveCertificate.write(try CurveKeyPair.generate(), name: "runner-1", in: "\(keys)/runners")
        let clientFiles = try CurveCertificate.write(try CurveKeyPair.generate(), name: "client", in: "\(keys)/clients")
        let site = try await FixtureServer.start(["/shop": Self.shopPage])
        let writerLogs = LogCapture()
        let writerFolder = folder.url.appendingPathComponent("writer")
        let writer = try await InProcessWriter.start(dataDirectory: writerFolder, logs: writerLogs) {
            $0.curveSecretKeyFile = writerFiles.secretFile
            $0.curveRunnerKeys = "\(keys)/runners"
            $0.curveClientKeys = "\(keys)/clients"
        }
        let runner = try await InProcessRunner.start(dataDirectory: folder.url.appendingPathComponent("runner"), writer: writer.endpoints.runners) {
            $0.curveSecretKeyFile = runnerFiles.secretFile
            $0.curveWriterKeyFile = writerFiles.publicFile
        }
        let database = try WriterDatabase(writerFolder)
        let client = try CurveClientCredentials(secretKeyFile: clientFiles.secretFile, serverKeyFile: writerFiles.publicFile)
        let id = try await submit(writer, url: site.url("/shop"), curve: client)
        try await eventually("audit completed over CURVE") { try database.status(id) == "completed" }
        try await eventually("outbox drained") { runner.handle.outbox.count == 0 }

        let plaintextLogs = LogCapture()
        let plaintext = try await InProcessRunner.start(
            dataDirectory: folder.url.appendingPathComponent("plaintext-runner"), writer: writer.endpoints.runners, logs: plaintextLogs)
        try await eventually("the plaintext runner says the writer refused it") {
            !plaintextLogs.records("the writer refused this runner's connection").isEmpty
        }
        let refusal = try #require(plaintextLogs.records("the writer refused this runner's connection").first)
        #expect(refusal.level == .error)
        #expect(refusal.metadata["hint"]?.contains("security.curve_secret_key_file") == true)
        #expect(!plaintextLogs.records("CURVE is not configured: this runner's traffic to the writer is unencrypted").isEmpty)
        #expect(!plaintext.handle.link.isConnected)
        #expect(writerLogs.records("connection refused").contains { $0.metadata["endpoint"] == "runners" })

        try await plaintext.stop()
        try await runner.stop()
        try await writer.stop()
        await site.stop()
    }
}
