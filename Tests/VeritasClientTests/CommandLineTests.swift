import Crypto
import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport

/// The `veritas` executable, run as a process against a real in-process writer.
@Suite("veritas CLI", .timeLimit(.minutes(1)))
struct CommandLineTests {
    private static func json(_ text: String) throws -> JSONValue {
        try JSONValue.decode(Data(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }

    @Test("submit --json prints the submit reply; status, list and health print readable output")
    func submitStatusListHealth() async throws {
        try await withWriter { writer, client in
            let endpoint = ["--writer", writer.endpoints.queries]
            let submitted = try await VeritasCLI.run(["submit", "https://cli.example/", "--tier", "quick", "--json"] + endpoint)
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let reply = try Self.json(submitted.stdout)
            #expect(reply["ok"] == .bool(true))
            #expect(reply["op"]?.stringValue == "submit")
            #expect(reply["status"]?.stringValue == "queued")
            let id = try AuditID(try #require(reply["audit_id"]?.stringValue))
            let stored = try await client.status(id)
            #expect(stored.url == "https://cli.example/")
            #expect(stored.tier == .quick)

            // The writer endpoint may also come from the environment.
            let status = try await VeritasCLI.run(["status", id.rawValue], environment: ["VERITAS_WRITER": writer.endpoints.queries])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("url:"))
            #expect(status.stdout.contains("https://cli.example/"))
            #expect(status.stdout.contains("status:"))
            #expect(status.stdout.contains("queued"))
            #expect(status.stdout.contains("source:"))

            let plain = try await VeritasCLI.run(["submit", "https://second.example/"] + endpoint)
            #expect(plain.status == 0, "\(plain.stderr)")
            let secondID = try AuditID(plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

            let list = try await VeritasCLI.run(["list"] + endpoint)
            #expect(list.status == 0, "\(list.stderr)")
            let lines = list.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("ID ") == true)
            for header in ["STATUS", "SCORE", "RISK", "URL", "CREATED"] { #expect(lines.first?.contains(header) == true) }
            #expect(lines.dropFirst().first?.hasPrefix(secondID.rawValue) == true)
            #expect(lines.last?.hasPrefix(id.rawValue) == true)
            // Aligned: the URL column starts at the same offset on every line.
            let offsets = lines.compactMap { line in line.range(of: "https://").map { line.distance(from: line.startIndex, to: $0.lowerBound) } }
            #expect(offsets.count == 2 && Set(offsets).count == 1)

            let limited = try await VeritasCLI.run(["list", "--limit", "1", "--json"] + endpoint)
            let page = try Self.json(limited.stdout)
            #expect(page["next_offset"] == .number(1))
            #expect(page["audits"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 1)

            let health = try await VeritasCLI.run(["health"] + endpoint)
            #expect(health.status == 0, "\(health.stderr)")
            #expect(health.stdout.contains("status:"))
            #expect(health.stdout.contains("ok"))
            #expect(health.stdout.contains("2 queued"))

            // A deployment that needs runners: none is connected here.
            let short = try await VeritasCLI.run(["health", "--require-runners", "1", "--json"] + endpoint)
            #expect(short.status == 9, "\(short.stderr)")
            #expect(short.stderr.contains("0 runners connected, 1 required"))
            #expect(short.stdout.contains("\"connected_runners\":0"), "the report is still printed: \(short.stdout)")
            #expect(try await VeritasCLI.run(["health", "--require-runners", "0"] + endpoint).status == 0)
            #expect(try await VeritasCLI.run(["health", "--require-runners", "-1"] + endpoint).status == 2)
        }
    }

    @Test("findings and screenshots --save: files named <index>-<label>.<ext> with the writer's sha256")
    func findingsAndScreenshots() async throws {
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://shots.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            try await runner.complete(try await runner.nextJob())
            await runner.close()

            let endpoint = ["--writer", writer.endpoints.queries]
            let findings = try await VeritasCLI.run(["findings", audit.id.rawValue] + endpoint)
            #expect(findings.status == 0, "\(findings.stderr)")
            let lines = findings.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            for header in ["CATEGORY", "TYPE", "SEVERITY", "CONFIDENCE", "EVIDENCE"] { #expect(lines.first?.contains(header) == true) }
            #expect(findings.stdout.contains("countdown_timer"))
            #expect(findings.stdout.contains("Offer ends in 09:59"))

            let folder = try TemporaryFolder("veritas-shots")
            defer { folder.remove() }
            let target = folder.url.appendingPathComponent("out").path
            let saved = try await VeritasCLI.run(["screenshots", audit.id.rawValue, "--save", target] + endpoint)
            #expect(saved.status == 0, "\(saved.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: target)
            #expect(files == ["0-viewport-1280x800.png"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: target).appendingPathComponent("0-viewport-1280x800.png"))
            let info = try #require(try await client.screenshots(audit.id).screenshots.first)
            #expect(bytes == Samples.png)
            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == info.sha256)
            #expect(saved.stdout.contains("sha256 ok"))

            let listed = try await VeritasCLI.run(["screenshots", audit.id.rawValue] + endpoint)
            #expect(listed.status == 0)
            #expect(listed.stdout.contains("Viewport (1280x800)"))
            #expect(listed.stdout.contains("image/png"))
        }
    }

    @Test("exit codes: 3 unreachable, 4 not found, 5 refused, 2 usage")
    func exitCodes() async throws {
        let nobody = unusedEndpoint()
        let started = ContinuousClock.now
        let unreachable = try await VeritasCLI.run(["health", "--writer", nobody, "--timeout", "0.3"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains(nobody))
        #expect(unreachable.stderr.contains("veritas-writer"))
        #expect(ContinuousClock.now - started < .seconds(4))

        let usage = try await VeritasCLI.run(["status", "not-an-audit-id", "--writer", nobody])
        #expect(usage.status == 2)

        try await withWriter { writer, _ in
            let endpoint = ["--writer", writer.endpoints.queries]
            let notFound = try await VeritasCLI.run(["status", AuditID.generate().rawValue] + endpoint)
            #expect(notFound.status == 4)
            #expect(notFound.stderr.contains("not_found"))

            let refused = try await VeritasCLI.run(["submit", "ftp://example.com/"] + endpoint)
            #expect(refused.status == 5)
            #expect(refused.stderr.contains("bad_request"))
        }
    }

    @Test("--help lists the exit codes")
    func helpListsExitCodes() async throws {
        let help = try await VeritasCLI.run(["--help"])
        #expect(help.status == 0)
        for code in 0...6 {
            #expect(help.stdout.contains("  \(code)  "))
        }
        #expect(help.stdout.contains("demo"))
    }

    @Test("--version prints the one version every executable reports, and exits 0")
    func version() async throws {
        let version = try await VeritasCLI.run(["--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == VeritasVersion.current)
    }

    @Test("submit --wait follows a scripted runner to completion and exits 0")
    func submitWait() async throws {
        try await withWriter { writer, client in
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let cli = Task {
                try await VeritasCLI.run([
                    "submit", "https://wait.example/", "--wait",
                    "--writer", writer.endpoints.queries, "--feed", writer.endpoints.feed,
                ])
            }
            let job = try await runner.nextJob()
            #expect(job.url == "https://wait.example/")
            try await runner.complete(job)
            await runner.close()
            let outcome = try await cli.value
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.contains("submitted \(job.auditID)"))
            // Not a terminal: progress as plain lines, never redrawn with \r.
            #expect(outcome.stdout.contains("% "))
            #expect(!outcome.stdout.contains("\r"))
            #expect(outcome.stdout.contains("trust score:"))
            #expect(outcome.stdout.contains("72/100"))
            #expect(try await client.status(job.auditID).status == .completed)
        }
    }

    @Test("submit as a CI gate: several URLs from a list, each followed; exit 7 below --fail-under or above --max-risk, 0 within")
    func submitGate() async throws {
        let list = try TemporaryFolder("submit-list")
        defer { list.remove() }
        let file = list.url.appendingPathComponent("urls.txt")
        try Data("# shops to check\nhttps://gate-a.example/\n\nhttps://gate-b.example/\n".utf8).write(to: file)
        // Every sample audit completes with trust 72, risk medium. A writer each, so no runner of
        // an earlier round is still in session.
        for (bar, expected) in [(["--fail-under", "80"], Int32(7)), (["--max-risk", "low"], 7), (["--fail-under", "50", "--max-risk", "medium"], 0)] {
            try await withWriter { writer, _ in
                let endpoints = ["--writer", writer.endpoints.queries, "--feed", writer.endpoints.feed]
                let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
                try await runner.hello()
                let cli = Task { try await VeritasCLI.run(["submit", "--from", file.path] + bar + endpoints) }
                var urls: [String] = []
                for _ in 0..<2 {
                    let job = try await runner.nextJob()
                    urls.append(job.url)
                    try await runner.complete(job)
                }
                await runner.close()
                let outcome = try await cli.value
                #expect(urls.sorted() == ["https://gate-a.example/", "https://gate-b.example/"], "both listed URLs, comments and blanks skipped")
                #expect(outcome.status == expected, "\(bar): \(outcome.stdout) \(outcome.stderr)")
                #expect(outcome.stdout.contains("[2/2]"), "batch progress")
                #expect(outcome.stdout.contains("below the bar") == (expected == 7))
            }
        }
    }

    @Test("status shows the signal scores and the security grade; findings --wide shows every finding whole, with where it is")
    func statusSignalsAndWideFindings() async throws {
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://signals.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            try await runner.complete(try await runner.nextJob())
            await runner.close()
            let endpoint = ["--writer", writer.endpoints.queries]
            let status = try await VeritasCLI.run(["status", audit.id.rawValue] + endpoint)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("dark patterns 60 · security 80"), "\(status.stdout)")
            #expect(status.stdout.contains("grade B"))
            let wide = try await VeritasCLI.run(["findings", audit.id.rawValue, "--wide"] + endpoint)
            #expect(wide.status == 0, "\(wide.stderr)")
            #expect(wide.stdout.contains("evidence: Offer ends in 09:59"))
            #expect(wide.stdout.contains("where: div.timer"))
            #expect(wide.stdout.contains("where: not recorded"), "a finding without a location says so")
            let narrow = try await VeritasCLI.run(["findings", audit.id.rawValue] + endpoint)
            #expect(!narrow.stdout.contains("where:"))
        }
    }

    @Test("report: the audit as one HTML file from the writer's replies, its finding outlined on the stored screenshot; exit 4 for an unknown audit")
    func report() async throws {
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://report.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let job = try await runner.nextJob()
            let hostile = "<script>window.pwned=1</script>Only 2 left!"
            let findings = [
                Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: hostile, location: "p.stock",
                        box: FindingBox(screenshotIndex: 0, x: 0, y: 0, width: 1, height: 1)),
                Finding(patternType: .countdownTimer, severity: .high, confidence: 0.9, evidence: "Offer ends in 09:59"),
            ]
            try await runner.send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
            try await runner.send(job.auditID, .screenshot(index: 0, label: "full page", contentType: .png, image: Samples.png))
            try await runner.send(job.auditID, .completed(CompletedEventPayload(
                trustScore: 31, riskLevel: .high, narrative: "Two pressure tactics.", signalScores: ["dark_patterns": 20, "security": 70],
                siteType: .shop, securityResults: .object(["grade": "B", "score": 70, "tests": .object([:])]),
                darkPatternSummary: DarkPatternSummary(findings: findings))))
            await runner.close()
            let stored = try await client.findings(audit.id).findings
            #expect(stored.first?.box == findings[0].box, "the writer stored the box")

            let folder = try TemporaryFolder("veritas-report")
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("audit.html")
            let endpoint = ["--writer", writer.endpoints.queries]
            let written = try await VeritasCLI.run(["report", audit.id.rawValue, "-o", file.path] + endpoint)
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stdout.contains("2 findings (1 outlined), 1 screenshot"), "\(written.stdout)")
            let html = try String(contentsOf: file, encoding: .utf8)
            #expect(html.contains("<span class=\"trust\">31</span>"))
            #expect(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;Only 2 left!"))
            #expect(!html.contains("<script"))
            #expect(html.contains("<rect class=\"outline\" x=\"0.0\" y=\"0.0\" width=\"1.0\" height=\"1.0\"/>"))
            #expect(html.contains("data:image/png;base64,\(Samples.png.base64EncodedString())"), "the stored image, inlined")
            #expect(html.contains("Offer ends in 09:59") && html.contains("Not on a screenshot"))

            let printed = try await VeritasCLI.run(["report", audit.id.rawValue, "-o", "-"] + endpoint)
            #expect(printed.status == 0)
            #expect(printed.stdout.hasPrefix("<!DOCTYPE html>") && printed.stdout.hasSuffix("</html>\n"), "-o - prints the document itself")
            #expect(printed.stdout.contains("<rect class=\"outline\" x=\"0.0\" y=\"0.0\" width=\"1.0\" height=\"1.0\"/>"))

            let unknown = try await VeritasCLI.run(["report", AuditID.generate().rawValue, "-o", folder.url.appendingPathComponent("x.html").path] + endpoint)
            #expect(unknown.status == 4, "\(unknown.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("x.html").path), "nothing written for an unknown audit")
        }
    }

    @Test("--json: errors are JSON on stdout with the same exit codes (refused, not found, unreachable, usage)")
    func jsonErrors() async throws {
        try await withWriter { writer, _ in
            let endpoint = ["--writer", writer.endpoints.queries, "--json"]
            let refused = try await VeritasCLI.run(["submit", "ftp://example.com/"] + endpoint)
            #expect(refused.status == 5)
            let refusal = try Self.json(refused.stdout)
            #expect(refusal["ok"] == false)
            #expect(refusal["error"]?["code"]?.stringValue == "bad_request")
            #expect(refusal["exit"]?.intValue == 5)
            let missing = try await VeritasCLI.run(["status", AuditID.generate().rawValue] + endpoint)
            #expect(missing.status == 4)
            #expect(try Self.json(missing.stdout)["error"]?["code"]?.stringValue == "not_found")
        }
        let unreachable = try await VeritasCLI.run(["health", "--writer", "tcp://127.0.0.1:1", "--timeout", "1", "--json"])
        #expect(unreachable.status == 3)
        #expect(try Self.json(unreachable.stdout)["exit"]?.intValue == 3)
        let usage = try await VeritasCLI.run(["submit", "--json"])
        #expect(usage.status == 2)
        #expect(try Self.json(usage.stdout)["error"]?["code"]?.stringValue == "usage")
    }

    @Test("a refused connection (nothing listening) is reported at once, not after the --timeout")
    func refusedConnectionAtOnce() async throws {
        let port = try LoopbackPorts.pick(1)[0]
        let started = ContinuousClock.now
        let outcome = try await VeritasCLI.run(["status", AuditID.generate().rawValue, "--writer", "tcp://127.0.0.1:\(port)", "--timeout", "30"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("nothing is listening"), "\(outcome.stderr)")
        // The deadline was 30 s: an answer well before it came from the refusal, not the timer.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("submit with neither a URL nor --from is a usage error; --fail-under outside 0-100 too")
    func submitUsage() async throws {
        #expect(try await VeritasCLI.run(["submit"]).status == 2)
        #expect(try await VeritasCLI.run(["submit", "https://example.com/", "--fail-under", "101"]).status == 2)
    }

    @Test("watch of an audit that already failed prints the verdict and exits 6")
    func watchFinishedError() async throws {
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://broken.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let job = try await runner.nextJob()
            try await runner.send(job.auditID, .error(ErrorEventPayload(errorMessage: "DNS lookup failed for broken.example")))
            await runner.close()

            let outcome = try await VeritasCLI.run([
                "watch", audit.id.rawValue, "--writer", writer.endpoints.queries, "--feed", writer.endpoints.feed,
            ])
            #expect(outcome.status == 6)
            #expect(outcome.stdout.contains("DNS lookup failed for broken.example"))
            #expect(outcome.stdout.contains("error"))
        }
    }

    @Test("watch starts from the audit's current progress with the time elapsed, follows it to the end and exits 0")
    func watchFromCurrentProgress() async throws {
        let executable = try #require(BuiltProducts.url("veritas"), "veritas was not built next to the tests")
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://progress.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let job = try await runner.nextJob()
            try await runner.send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
            try await runner.send(job.auditID, .progress(ProgressEventPayload(phase: "rendering", percent: 40)))
            let stored = try await client.status(audit.id).progress
            #expect(stored?.phase == "rendering" && stored?.percent == 40, "status carries the latest progress")

            let folder = try TemporaryFolder("veritas-watch")
            defer { folder.remove() }
            let output = folder.url.appendingPathComponent("watch.out")
            let watch = try SpawnedProcess(
                executable: executable.path,
                arguments: ["watch", audit.id.rawValue, "--writer", writer.endpoints.queries, "--feed", writer.endpoints.feed],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                stdout: output, stderr: folder.url.appendingPathComponent("watch.err"))
            defer {
                if watch.isRunning { watch.terminate() }
                _ = watch.waitForExit()
            }
            // Its first line is the progress the writer already holds, not 0%.
            let started = try await eventually(timeout: .seconds(20)) { watch.stdout.contains("40% rendering") }
            #expect(started, "watch began with: \(watch.stdout) \(watch.stderr)")
            let first = watch.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.contains("[#########") && first.contains("40% rendering · ") && first.hasSuffix(" s"), "\(first)")

            try await runner.send(job.auditID, .progress(ProgressEventPayload(phase: "scoring", percent: 90)))
            try await runner.send(job.auditID, Samples.completed)
            await runner.close()
            let ended = try await eventually(timeout: .seconds(20)) { !watch.isRunning }
            #expect(ended)
            #expect(watch.exitCode == 0)
            #expect(watch.stdout.contains("100% completed"), "\(watch.stdout)")
            #expect(!watch.stdout.contains("] 0% "), "never back to 0%: \(watch.stdout)")
        }
    }

    @Test("colour only where asked for (a terminal or CLICOLOR_FORCE) and never with NO_COLOR; long values wrapped at COLUMNS")
    func colourAndWrapping() async throws {
        try await withWriter { writer, client in
            let audit = try await client.submit(url: "https://colour.example/")
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello()
            let job = try await runner.nextJob()
            let narrative = "Trust score 31/100: high risk. " + String(repeating: "We found pressure tactics on this page, among them a countdown that restarts. ", count: 4)
            try await runner.send(job.auditID, .completed(CompletedEventPayload(
                trustScore: 31, riskLevel: .high, narrative: narrative, signalScores: ["dark_patterns": 20], siteType: .shop,
                securityResults: .object(["grade": "C"]), darkPatternSummary: DarkPatternSummary(findings: Samples.findings))))
            await runner.close()
            let arguments = ["status", audit.id.rawValue, "--writer", writer.endpoints.queries]
            let escape = "\u{1B}["

            let plain = try await VeritasCLI.run(arguments, environment: ["NO_COLOR": "", "CLICOLOR_FORCE": "0", "COLUMNS": ""])
            #expect(plain.status == 0)
            #expect(!plain.stdout.contains(escape), "no colour into a pipe")
            #expect(plain.stdout.contains(narrative.trimmingCharacters(in: .whitespaces)), "no wrapping into a pipe: one line per value")

            let forced = try await VeritasCLI.run(arguments, environment: ["NO_COLOR": "", "CLICOLOR_FORCE": "1", "COLUMNS": ""])
            #expect(forced.stdout.contains("\(escape)31mhigh\(escape)0m"), "the risk in red: \(forced.stdout)")
            #expect(forced.stdout.contains("\(escape)32mcompleted\(escape)0m"))

            let refused = try await VeritasCLI.run(arguments, environment: ["NO_COLOR": "1", "CLICOLOR_FORCE": "1", "COLUMNS": ""])
            #expect(!refused.stdout.contains(escape), "NO_COLOR wins")

            let narrow = try await VeritasCLI.run(arguments, environment: ["NO_COLOR": "1", "COLUMNS": "60"])
            let lines = narrow.stdout.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= 60 }, "every line fits 60 columns: \(lines.filter { $0.count > 60 })")
            let narrativeLines = lines.drop { !$0.hasPrefix("narrative:") }.prefix { $0.hasPrefix("narrative:") || $0.hasPrefix(" ") }
            #expect(narrativeLines.count >= 5, "the narrative wrapped over several lines, indented under its start")
            #expect(narrativeLines.joined(separator: " ").split(whereSeparator: \.isWhitespace).dropFirst().joined(separator: " ")
                    == narrative.split(whereSeparator: \.isWhitespace).joined(separator: " "), "no word lost in wrapping")
        }
    }
}
