import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import VeritasConsole
import VeritasProtocol
import VeritasSecurity
import VeritasTestSupport

/// The console over HTTP, against a real writer: pages, errors, the form's origin check, the
/// events stream, the report download, failover between writers, and its security headers graded.
@Suite("console over HTTP", .timeLimit(.minutes(2)))
struct ConsoleHTTPTests {
    @Test("the list and an audit's page: the audit's verdict and findings, hostile evidence escaped, its finding outlined")
    func listAndAudit() async throws {
        try await withConsole { console, writer, client in
            let findings = [
                Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: ConsoleSamples.hostile, location: "p.stock",
                        box: FindingBox(screenshotIndex: 0, x: 0, y: 0, width: 1, height: 1)),
            ]
            let id = try await completeScriptedAudit(writer: writer, client: client, url: "https://console.example/<b>shop</b>", findings: findings)
            let queued = try await client.submit(url: "https://queued.example/")

            let list = try await console.fetch("/")
            #expect(list.status == 200)
            #expect(list.headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(list.body.contains("href=\"/audits/\(id.rawValue)\""))
            #expect(list.body.contains("https://console.example/&lt;b&gt;shop&lt;/b&gt;"), "the URL is escaped")
            #expect(list.body.contains("<td class=\"num\">23</td>"))
            #expect(list.body.contains("href=\"/audits/\(queued.id.rawValue)\""))
            #expect(!list.body.contains("<b>shop"))

            let completed = try await console.fetch("/?status=completed&limit=1")
            #expect(completed.status == 200)
            #expect(completed.body.contains(id.rawValue) && !completed.body.contains(queued.id.rawValue), "the status filter")

            let page = try await console.fetch("/audits/\(id.rawValue)")
            #expect(page.status == 200)
            #expect(page.body.contains("<span class=\"trust\">23</span>"))
            #expect(page.body.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"))
            #expect(!page.body.contains("<script>window") && !page.body.contains("onerror=\""))
            #expect(page.body.contains("<rect class=\"outline\""))
            #expect(!page.body.contains("id=\"live\""), "a finished audit has no live progress")
            #expect(page.body.contains("<link rel=\"stylesheet\" href=\"/static/console.css\">"))

            let waiting = try await console.fetch("/audits/\(queued.id.rawValue)")
            #expect(waiting.body.contains("id=\"live\"") && waiting.body.contains("data-audit=\"\(queued.id.rawValue)\""))
            #expect(waiting.body.contains("<progress id=\"live-progress\" max=\"100\" value=\"0\">"))

            let download = try await console.fetch("/audits/\(id.rawValue)/report.html")
            #expect(download.status == 200)
            #expect(download.headers.first(name: "content-disposition") == "attachment; filename=\"veritas-\(id.rawValue).html\"")
            #expect(download.body.hasPrefix("<!DOCTYPE html>") && download.body.contains("<style>"), "the self-contained report")
        }
    }

    @Test("errors: an unknown audit is 404, a malformed id 404, a bad filter 400, each a page that escapes what it repeats")
    func errors() async throws {
        try await withConsole { console, _, _ in
            let unknown = try await console.fetch("/audits/\(AuditID.generate().rawValue)")
            #expect(unknown.status == 404)
            #expect(unknown.body.contains("Veritas console"))
            let malformed = try await console.fetch("/audits/..%2F..%2Fetc%2Fpasswd")
            #expect(malformed.status == 404)
            let filter = try await console.fetch("/?status=%3Cscript%3E")
            #expect(filter.status == 400)
            #expect(!filter.body.contains("<script>"))
            let limit = try await console.fetch("/?limit=100000")
            #expect(limit.status == 400)
            let nowhere = try await console.fetch("/no/such/page")
            #expect(nowhere.status == 404)
            #expect(nowhere.headers.first(name: "content-security-policy") != nil, "error pages carry the headers too")
        }
    }

    @Test("submit: a same-origin form post queues the audit and redirects to it; another origin is refused; a bad URL is explained")
    func submit() async throws {
        try await withConsole { console, _, client in
            let form = "url=https%3A%2F%2Fform.example%2Fsale&tier=deep&mode=expert"
            let foreign = try await console.fetch("/submit", method: .POST, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://evil.example"),
            ], body: form)
            #expect(foreign.status == 403)
            let crossSite = try await console.fetch("/submit", method: .POST, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Sec-Fetch-Site", "cross-site"),
            ], body: form)
            #expect(crossSite.status == 403)
            #expect(try await client.list().audits.isEmpty, "nothing was queued by refused posts")

            let posted = try await console.fetch("/submit", method: .POST, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", console.base), ("Sec-Fetch-Site", "same-origin"),
            ], body: form)
            #expect(posted.status == 303)
            let location = try #require(posted.headers.first(name: "location"))
            let id = try AuditID(String(location.dropFirst("/audits/".count)))
            let audit = try await client.status(id)
            #expect(audit.url == "https://form.example/sale" && audit.tier == .deep && audit.verdictMode == .expert)

            let bad = try await console.fetch("/submit", method: .POST, headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", console.base),
            ], body: "url=javascript%3Aalert(%22x%22)&tier=standard&mode=simple")
            #expect(bad.status == 400)
            #expect(bad.body.contains("The writer refused this URL"))
            #expect(bad.body.contains("value=\"javascript:alert(&quot;x&quot;)\""), "the URL is kept in the form, escaped")
        }
    }

    @Test("the events stream: status first, then done with the final status, for an audit that completes while it is watched")
    func events() async throws {
        try await withConsole { console, writer, client in
            let audit = try await client.submit(url: "https://events.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let job = try await runner.nextJob()
            try await runner.send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
            try await runner.send(job.auditID, .progress(ProgressEventPayload(phase: "security", percent: 25)))
            // The page and the stream start from the progress the writer holds.
            let page = try await console.fetch("/audits/\(audit.id.rawValue)")
            #expect(page.body.contains("<progress id=\"live-progress\" max=\"100\" value=\"25\">"), "the page starts at 25%")

            var request = HTTPClientRequest(url: console.base + "/audits/\(audit.id.rawValue)/events")
            request.method = .GET
            let response = try await console.http.execute(request, timeout: .seconds(30))
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            let reader = Task {
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    if text.contains("event: done") { break }
                }
                return text
            }
            // The stream answers with the current status once it is subscribed; the runner then
            // reports progress and completes.
            try await runner.send(job.auditID, .progress(ProgressEventPayload(phase: "rendering", percent: 40)))
            try await runner.send(job.auditID, .completed(CompletedEventPayload(
                trustScore: 90, riskLevel: .low, narrative: "Fine.", signalScores: [:], siteType: .shop,
                securityResults: .object(["grade": "A"]), darkPatternSummary: DarkPatternSummary(findings: []))))
            let text = try await reader.value
            await runner.close()
            #expect(text.hasPrefix("event: status\ndata: {\"percent\":25,\"phase\":\"security\",\"status\":\"running\"}"), "\(text)")
            #expect(text.contains("event: done\ndata: {\"percent\":100,\"status\":\"completed\"}"), "\(text)")

            // An audit already finished gets its status and done at once.
            let again = try await console.fetch("/audits/\(audit.id.rawValue)/events")
            #expect(again.body.contains("event: done"))
        }
    }

    @Test("a writer that is not there is skipped: the next writer answers")
    func failover() async throws {
        let nobody = "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("veritas-nobody-\(UUID().uuidString)").path
        try await withConsole(writersBefore: [nobody]) { console, _, client in
            _ = try await client.submit(url: "https://failover.example/")
            let list = try await console.fetch("/")
            #expect(list.status == 200)
            #expect(list.body.contains("https://failover.example/"))
            let health = try await console.fetch("/health")
            #expect(health.status == 200)
            #expect(health.body.contains("No answer"), "the missing writer is shown as such")
            #expect(health.body.contains("Runners connected"))
        }
    }

    @Test("the console's headers grade A+ on the HTTP Observatory rules (as served behind TLS)")
    func securityHeaders() async throws {
        try await withConsole { console, _, _ in
            for path in ["/", "/health", "/static/console.css", "/static/console.js"] {
                let response = try await console.fetch(path)
                #expect(response.status == 200, "\(path)")
                var headers: [String: String] = [:]
                for header in response.headers { headers[header.name] = header.value }
                #expect(response.headers.first(name: "set-cookie") == nil, "the console sets no cookie")
                // Over plain http on loopback the transport tests (HSTS needs https, the redirect to
                // https) are about where it is deployed, not its headers: graded as behind TLS.
                let report = ObservatoryGrader.grade(ObservatoryInput(
                    host: "console.example", scheme: "https", httpAvailable: false, headers: headers,
                    scripts: [ScriptTag(src: "/static/console.js")]))
                #expect(report.grade == "A+", "\(path): \(report.grade) \(report.score): \(report.tests.filter { !$0.pass }.map(\.result))")
            }
            let css = try await console.fetch("/static/console.css")
            #expect(css.headers.first(name: "content-type") == "text/css; charset=utf-8")
        }
    }
}
