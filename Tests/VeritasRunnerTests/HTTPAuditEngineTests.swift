import Foundation
import Logging
import Testing
import VeritasProtocol
@testable import VeritasRunner

/// The engine without a browser (the raw HTML is read): odd charsets, empty pages, the raw-HTML note.
@Suite("audit engine without Chromium")
struct HTTPAuditEngineTests {
    static func engine() -> HTTPAuditEngine {
        var configuration = RunnerConfiguration()
        configuration.chromiumPath = "/nonexistent/chromium"
        configuration.allowPrivateNetworks = true  // loopback fixtures
        var engine = HTTPAuditEngine(configuration: configuration, logger: Logger(label: "engine-test"))
        // These tests are about what a fetched page becomes, not about timeouts: a loaded 2-core
        // CI machine running the whole parallel suite once took over 5 s (the quick tier's
        // connect timeout) to set up a loopback connection through the egress guard.
        let patient = FetchTimeouts(connect: .seconds(30), read: .seconds(30), total: .seconds(60))
        engine.timeouts = [.quick: patient, .standard: patient, .deep: patient]
        return engine
    }

    static func audit(_ url: String, mode: VerdictMode = .expert) async throws -> CompletedEventPayload {
        let job = AuditJob(auditID: .generate(), url: url, tier: .quick, verdictMode: mode, attempt: 1, createdAt: .now)
        return try await engine().audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, _, _, _ in }))
    }

    @Test("a charset libxml2 does not know falls back to the page's own declaration, then UTF-8")
    func unknownCharset() async throws {
        let site = try await FixtureServer.start([
            "/odd": .init(headers: [("Content-Type", "text/html; charset=x-no-such-charset")],
                          body: "<html><body><p>Trail tent $249</p><p>Only 2 left in stock</p></body></html>"),
        ])
        defer { Task { await site.stop() } }
        let odd = try await Self.audit(site.url("/odd"))
        #expect(odd.darkPatternSummary.findings.map(\.patternType) == [.lowStock])
        #expect(odd.securityResults["rendered"]?.boolValue == false)
        #expect(odd.narrative.contains("without running its scripts"))
        // Every field the engine sends is one PROTOCOL.md lists (DocumentedNamesTests checks the list).
        guard case let .object(fields) = odd.securityResults else { Issue.record("security_results is not an object"); return }
        let sent = Set(fields.keys)
        #expect(sent.isSubset(of: SecurityResults.fieldNames), "undocumented security_results fields: \(sent.subtracting(SecurityResults.fieldNames))")
        #expect(sent.contains("blocked_destinations_total") && sent.contains("penalties"))
    }

    @Test("an empty page ends the audit with a message, not an invented verdict")
    func emptyPage() async throws {
        let site = try await FixtureServer.start(["/empty": .init(body: "")])
        defer { Task { await site.stop() } }
        await #expect(throws: AuditFailure.self) { try await Self.audit(site.url("/empty")) }
    }
}
