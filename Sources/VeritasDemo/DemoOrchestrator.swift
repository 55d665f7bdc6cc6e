import Dispatch
import Foundation
import Synchronization
import VeritasClient
import VeritasProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `veritas demo`: the whole system on loopback, offline.
///
/// Starts a writer (embedded SQLite in the data folder) and two runners as separate processes on
/// free loopback ports, serves the bundled sample sites on loopback, submits one audit per site,
/// shows live progress, prints a summary and how to query the results. Every child is stopped on
/// the way out: at the end (unless kept running), on Ctrl-C / SIGTERM / SIGHUP, and on failure.
public final class DemoOrchestrator: Sendable {
    /// What the demo does.
    public struct Options: Sendable {
        /// The writer's data folder; runners use `<data>/runner-N`, logs go to `<data>/logs`.
        public var dataDirectory: String = "data"
        /// Keep the writer and runners running after the summary, until Ctrl-C.
        public var keepRunning: Bool
        /// How long the audits may take.
        public var timeout: Duration = .seconds(90)
        /// How many runners to start.
        public var runners = 2

        public init(dataDirectory: String = "data", keepRunning: Bool, timeout: Duration = .seconds(90)) {
            self.dataDirectory = dataDirectory
            self.keepRunning = keepRunning
            self.timeout = timeout
        }
    }

    /// How the demo ended, as an exit status.
    public enum Outcome: Int32, Sendable {
        /// Every audit completed (or the user stopped a kept-running demo).
        case success = 0
        /// The demo itself failed (a child did not start, an audit did not complete in time ...).
        case failure = 1
        /// Interrupted by SIGINT before the end (128 + 2, the shell convention).
        case interrupted = 130
        /// Stopped by SIGTERM before the end (128 + 15).
        case terminated = 143
    }

    private let options: Options
    private let children = ChildProcesses()
    /// The signal that stopped the demo, if any.
    private let stopSignal = Atomic<Int32>(0)
    /// Set once the summary is out: a Ctrl-C then is the normal way to end a kept-running demo.
    private let finished = Atomic<Bool>(false)

    public init(options: Options) {
        self.options = options
    }

    // MARK: - Running, with signals

    /// Runs the demo; SIGINT, SIGTERM and SIGHUP stop it (and every child) at any point, a second
    /// one kills the children at once. Returns the exit status.
    public func run() async -> Outcome {
        let signals = [SIGINT, SIGTERM, SIGHUP]
        for number in signals { _ = signal(number, SIG_IGN) }
        let work = Task { try await self.runSteps() }
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if stopSignal.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
                    work.cancel()
                } else {
                    children.killAll()
                }
            }
            source.resume()
            sources.append(source)
        }
        let result = await work.result
        let running = children.running
        if !running.isEmpty {
            DemoConsole.line("Stopping \(running.map(\.name).joined(separator: ", ")) …")
            await children.stopAll(grace: .seconds(10))
            DemoConsole.line("Stopped.")
        }
        for source in sources { source.cancel() }
        let stoppedBy = stopSignal.load(ordering: .relaxed)
        switch result {
        case .success(let outcome) where stoppedBy == 0:
            return outcome
        case .failure(let error as DemoError) where stoppedBy == 0:
            FileHandle.standardError.write(Data("veritas: error: \(error.description)\n".utf8))
            return .failure
        case .failure(let error) where stoppedBy == 0:
            FileHandle.standardError.write(Data("veritas: error: \(error)\n".utf8))
            return .failure
        default:
            if finished.load(ordering: .relaxed) { return .success }
            return stoppedBy == SIGTERM ? .terminated : .interrupted
        }
    }

    // MARK: - The steps

    private struct Endpoints {
        let queries: String
        let runners: String
        let feed: String
    }

    private struct Tracked {
        let site: SampleSite
        let url: String
        let audit: Audit
        var status: AuditStatus
        var percent: Double = 0
        var label: String
    }

    private func runSteps() async throws -> Outcome {
        let writerExecutable = try Executables.sibling("veritas-writer")
        let runnerExecutable = try Executables.sibling("veritas-runner")
        let data = URL(fileURLWithPath: options.dataDirectory, isDirectory: true).standardizedFileURL
        let shown = options.dataDirectory.hasSuffix("/") ? String(options.dataDirectory.dropLast()) : options.dataDirectory
        let logs = data.appendingPathComponent("logs", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            for number in 1...options.runners {
                try FileManager.default.createDirectory(at: data.appendingPathComponent("runner-\(number)"), withIntermediateDirectories: true)
            }
        } catch {
            throw DemoError("cannot create the data folder \(data.path): \(error.localizedDescription)")
        }

        DemoConsole.line("Veritas demo: a writer and \(options.runners) runners on loopback, data in \(shown)/ (SQLite \(shown)/veritas.sqlite)")
        if let chromium = ProcessInfo.processInfo.environment["VERITAS_CHROMIUM_PATH"].flatMap({ $0.isEmpty ? nil : $0 })
            ?? Executables.onPath(["chromium", "chromium-browser"]) {
            DemoConsole.line("Screenshots: yes, with \(chromium)")
        } else {
            DemoConsole.line("Screenshots: no (Chromium not found on PATH; install it with `sudo apt-get install -y chromium`), audits run without them")
        }

        // The sample sites.
        let server: SampleSiteServer
        do {
            server = try await SampleSiteServer.start()
        } catch let error as DemoError {
            throw error
        } catch {
            throw DemoError("cannot serve the sample sites on 127.0.0.1: \(error)")
        }
        do {
            let outcome = try await runServices(server: server, data: data, shown: shown, logs: logs,
                                                writerExecutable: writerExecutable, runnerExecutable: runnerExecutable)
            await server.stop()
            return outcome
        } catch {
            await server.stop()
            throw error
        }
    }

    private func runServices(
        server: SampleSiteServer, data: URL, shown: String, logs: URL, writerExecutable: URL, runnerExecutable: URL
    ) async throws -> Outcome {
        DemoConsole.line("Sample sites on http://127.0.0.1:\(server.port)/: " + SampleSite.all.map { "\($0.folder) (\($0.summary))" }.joined(separator: ", "))

        // The writer.
        // Kept running, the user will query it: the default endpoints when free spare them --writer.
        let ports = options.keepRunning ? try FreePorts.preferringDefaults() : try FreePorts.find(3)
        let endpoints = Endpoints(
            queries: "tcp://127.0.0.1:\(ports[0])", runners: "tcp://127.0.0.1:\(ports[1])", feed: "tcp://127.0.0.1:\(ports[2])")
        let writerLog = logs.appendingPathComponent("writer.log")
        let writer = try children.start(
            name: "veritas-writer", executable: writerExecutable,
            arguments: [
                "--queries", endpoints.queries, "--runners", endpoints.runners, "--feed", endpoints.feed,
                "--data-dir", data.path, "--set", "log.format=text",
            ],
            logFile: writerLog)
        DemoConsole.line("Writer started (pid \(writer.pid)): queries \(endpoints.queries), runners \(endpoints.runners), feed \(endpoints.feed); log \(shown)/logs/writer.log")
        let client = try WriterClient(endpoint: endpoints.queries, timeout: .seconds(5))
        do {
            let outcome = try await runAudits(
                client: client, writer: writer, endpoints: endpoints, server: server, data: data, shown: shown,
                runnerExecutable: runnerExecutable, logs: logs)
            await client.close()
            return outcome
        } catch {
            await client.close()
            throw error
        }
    }

    private func runAudits(
        client: WriterClient, writer: ChildProcesses.Child, endpoints: Endpoints, server: SampleSiteServer, data: URL, shown: String,
        runnerExecutable: URL, logs: URL
    ) async throws -> Outcome {
        try await waitForHealth(client, writer: writer, shown: shown)

        // The runners.
        for number in 1...options.runners {
            let runner = try children.start(
                name: "veritas-runner demo-runner-\(number)", executable: runnerExecutable,
                arguments: [
                    "--writer", endpoints.runners, "--id", "demo-runner-\(number)",
                    "--data-dir", data.appendingPathComponent("runner-\(number)").path, "--set", "log.format=text",
                    // The sample sites are served on loopback, which the SSRF guard refuses by default.
                    "--set", "fetch.allow_private_networks=true",
                ],
                logFile: logs.appendingPathComponent("runner-\(number).log"))
            DemoConsole.line("Runner demo-runner-\(number) started (pid \(runner.pid)); log \(shown)/logs/runner-\(number).log")
        }
        await waitForRunners(client)

        // Subscribe before submitting, so the first events are not missed.
        let feed = try FeedWatcher(endpoint: endpoints.feed, auditID: nil)
        do {
            try await Task.sleep(for: .milliseconds(300))
            let outcome = try await submitAndFollow(client: client, feed: feed, server: server, endpoints: endpoints, shown: shown)
            await feed.close()
            return outcome
        } catch {
            await feed.close()
            throw error
        }
    }

    private func waitForHealth(_ client: WriterClient, writer: ChildProcesses.Child, shown: String) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            try Task.checkCancellation()
            guard writer.isRunning else {
                throw DemoError("veritas-writer exited during start-up; see \(shown)/logs/writer.log:\n" + Self.tail(of: writer.logFile))
            }
            do {
                let health = try await client.health(timeout: .milliseconds(500))
                DemoConsole.line("Writer healthy: \(health.status.rawValue), database \(health.database.rawValue)")
                return
            } catch {
                guard ContinuousClock.now < deadline else {
                    throw DemoError("veritas-writer did not answer health within 15 s (\(error)); see \(shown)/logs/writer.log")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Waits (briefly) until every runner has connected; audits queue anyway, so this only makes
    /// the output tell the truth.
    private func waitForRunners(_ client: WriterClient) async {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let health = try? await client.health(timeout: .seconds(1)), health.connectedRunners >= options.runners {
                DemoConsole.line("\(health.connectedRunners) runners connected")
                return
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func submitAndFollow(
        client: WriterClient, feed: FeedWatcher, server: SampleSiteServer, endpoints: Endpoints, shown: String
    ) async throws -> Outcome {
        var tracked: [Tracked] = []
        for site in SampleSite.all {
            let url = server.url(of: site)
            let audit = try await client.submit(url: url, tier: .standard, verdictMode: .expert)
            tracked.append(Tracked(site: site, url: url, audit: audit, status: audit.status, label: audit.status.rawValue))
        }
        DemoConsole.line()
        DemoConsole.line("Auditing \(tracked.count) sample sites (tier standard, verdict expert):")
        var display = ProgressLines(count: tracked.count)
        display.draw(tracked.map(Self.progressLine))

        let deadline = ContinuousClock.now + options.timeout
        var lastPoll = ContinuousClock.now
        while tracked.contains(where: { !$0.status.isTerminal }), ContinuousClock.now < deadline {
            try Task.checkCancellation()
            if let message = await feed.next(timeout: .milliseconds(500)),
               let index = tracked.firstIndex(where: { $0.audit.id == message.auditID }) {
                Self.apply(message, to: &tracked[index])
            }
            // The feed may drop messages: ask for the truth every second.
            if ContinuousClock.now - lastPoll >= .seconds(1) {
                lastPoll = ContinuousClock.now
                for index in tracked.indices where !tracked[index].status.isTerminal {
                    if let audit = try? await client.status(tracked[index].audit.id, timeout: .seconds(2)), audit.status != tracked[index].status {
                        tracked[index].status = audit.status
                        if audit.status == .completed { tracked[index].percent = 100 }
                        tracked[index].label = audit.status == .error ? "error: \(audit.errorMessage ?? "")" : audit.status.rawValue
                    }
                }
            }
            display.draw(tracked.map(Self.progressLine))
        }
        try Task.checkCancellation()
        display.draw(tracked.map(Self.progressLine))

        try await printSummary(tracked, client: client, shown: shown)
        let stuck = tracked.filter { !$0.status.isTerminal }
        let failed = tracked.filter { $0.status == .error }
        DemoConsole.line()
        printHowToQuery(tracked, endpoints: endpoints)

        var outcome = Outcome.success
        if !stuck.isEmpty {
            FileHandle.standardError.write(Data(("veritas: error: not finished within \(Self.seconds(options.timeout)): "
                + stuck.map { "\($0.site.folder) (\($0.audit.id), \($0.status.rawValue) at \(Int($0.percent))% \($0.label))" }.joined(separator: ", ")
                + "; see \(shown)/logs/\n").utf8))
            outcome = .failure
        }
        if !failed.isEmpty {
            FileHandle.standardError.write(Data(("veritas: error: audit(s) ended in error: "
                + failed.map { "\($0.site.folder): \($0.label)" }.joined(separator: "; ") + "; see \(shown)/logs/\n").utf8))
            outcome = .failure
        }

        guard options.keepRunning else { return outcome }
        finished.store(true, ordering: .relaxed)
        DemoConsole.line()
        DemoConsole.line("The writer and runners keep running (writer \(endpoints.queries)). Press Ctrl-C to stop.")
        while true {
            try await Task.sleep(for: .seconds(1))
            if children.running.count < options.runners + 1 {
                finished.store(false, ordering: .relaxed)
                throw DemoError("a child process exited on its own; see \(shown)/logs/")
            }
        }
    }

    // MARK: - Progress

    private static func apply(_ message: FeedMessage, to audit: inout Tracked) {
        if message.status.rank >= audit.status.rank { audit.status = message.status }
        switch message.event {
        case .progress:
            if let value = message.payload?["percent"]?.doubleValue { audit.percent = max(audit.percent, value) }
            if let phase = message.payload?["phase"]?.stringValue { audit.label = phase.replacingOccurrences(of: "_", with: " ") }
        case .screenshot:
            audit.label = "screenshot \(message.payload?["label"]?.stringValue ?? "")"
        case .completed:
            audit.percent = 100
            audit.label = "completed"
        case .error:
            audit.label = "error: \(message.payload?["error_message"]?.stringValue ?? "")"
        case .started:
            audit.label = "running"
        case .queued, .requeued:
            audit.label = message.event == .requeued ? "requeued" : "queued"
        }
        // The status is the audit's after the writer's batch, which may be ahead of this event.
        if audit.status == .completed {
            audit.percent = 100
            audit.label = "completed"
        } else if audit.status == .error, !audit.label.hasPrefix("error") {
            audit.label = "error"
        }
    }

    private static func progressLine(_ audit: Tracked) -> String {
        let width = 24
        let clamped = min(max(audit.percent, 0), 100)
        let filled = Int((clamped / 100 * Double(width)).rounded(.down))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        return "  " + audit.site.folder.padding(toLength: 14, withPad: " ", startingAt: 0) + bar + " "
            + "\(Int(clamped.rounded(.down)))%".padding(toLength: 5, withPad: " ", startingAt: 0) + audit.label.truncated(to: 60)
    }

    /// One line per audit: redrawn in place on a terminal, printed when changed otherwise.
    private struct ProgressLines {
        let count: Int
        private var last: [String] = []

        init(count: Int) { self.count = count }

        mutating func draw(_ lines: [String]) {
            guard lines != last else { return }
            if DemoConsole.isTerminal {
                var output = last.isEmpty ? "" : "\u{1B}[\(last.count)A"
                for line in lines { output += "\r\u{1B}[2K" + line + "\n" }
                DemoConsole.write(output)
            } else {
                for (index, line) in lines.enumerated() where index >= last.count || last[index] != line {
                    DemoConsole.line(line)
                }
            }
            last = lines
        }
    }

    // MARK: - Summary

    private static let severityRank: [Severity: Int] = [.high: 0, .medium: 1, .low: 2]

    private func printSummary(_ tracked: [Tracked], client: WriterClient, shown: String) async throws {
        var details: [(Tracked, Audit?, [Finding], Int)] = []
        for item in tracked {
            let audit = try? await client.status(item.audit.id)
            let findings = (try? await client.findings(item.audit.id))?.findings ?? []
            let screenshots = (try? await client.screenshots(item.audit.id))?.screenshots.count ?? 0
            details.append((item, audit, findings, screenshots))
        }
        DemoConsole.line()
        DemoConsole.line("Results")
        var table = DemoTable("SITE", "URL", "STATUS", "TRUST", "RISK", "TYPE", "FINDINGS", "SCREENSHOTS")
        for (item, audit, findings, screenshots) in details {
            table.append(
                item.site.folder, item.url, (audit?.status ?? item.status).rawValue,
                audit?.trustScore.map { "\($0)/100" } ?? "-", audit?.riskLevel?.rawValue ?? "-", audit?.siteType?.rawValue ?? "-",
                String(findings.count), String(screenshots))
        }
        DemoConsole.line(table.render(indent: "  "))
        for (item, audit, findings, screenshots) in details {
            DemoConsole.line()
            var head = "  \(item.site.folder) (\(item.site.summary)), audit \(item.audit.id)"
            if let score = audit?.trustScore, let risk = audit?.riskLevel { head += ": trust score \(score)/100, \(risk.rawValue) risk" }
            DemoConsole.line(head)
            if let message = audit?.errorMessage { DemoConsole.line("    error: \(message)") }
            if audit?.status == .completed {
                if findings.isEmpty {
                    DemoConsole.line("    top findings: none")
                } else {
                    let top = findings.enumerated().sorted {
                        (Self.severityRank[$0.element.severity] ?? 3, -$0.element.confidence, $0.offset)
                            < (Self.severityRank[$1.element.severity] ?? 3, -$1.element.confidence, $1.offset)
                    }.prefix(3).map(\.element)
                    DemoConsole.line("    top findings (\(top.count) of \(findings.count), by severity):")
                    for finding in top {
                        DemoConsole.line("      \(finding.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))"
                            + "\(finding.category.rawValue)/\(finding.patternType.rawValue): \(Self.evidence(of: finding))")
                    }
                }
            }
            let folder = "\(shown)/screenshots/\(item.audit.id)/"
            DemoConsole.line(screenshots == 0 ? "    screenshots: none" : "    screenshots: \(screenshots) saved in \(folder)")
        }
    }

    private func printHowToQuery(_ tracked: [Tracked], endpoints: Endpoints) {
        let isDefault = endpoints.queries == DefaultEndpoints.queriesConnect
        let writer = options.keepRunning && !isDefault ? " --writer \(endpoints.queries)" : ""
        DemoConsole.line("Query the results (stored in \(options.dataDirectory)/veritas.sqlite) with:")
        for item in tracked {
            DemoConsole.line("  veritas status \(item.audit.id)\(writer)")
        }
        if let first = tracked.last {
            DemoConsole.line("  veritas findings \(first.audit.id)\(writer)")
            DemoConsole.line("  veritas screenshots \(first.audit.id) --save ./shots\(writer)")
        }
        if options.keepRunning {
            DemoConsole.line("These need a writer on \(endpoints.queries): this demo keeps one running until Ctrl-C.")
        } else {
            DemoConsole.line("These need a writer running: this demo stops its own now. Start one on the same data (default endpoints) with")
            DemoConsole.line("  veritas-writer --data-dir \(options.dataDirectory)")
            DemoConsole.line("or run `veritas demo --keep-running` and pass the --writer endpoint it prints.")
        }
    }

    // MARK: - Helpers

    /// The evidence around the phrase that matched (the runner's `location` is `text: "phrase"`),
    /// e.g. `…only 2 left in stock 23 people…`.
    static func evidence(of finding: Finding, radius: Int = 30) -> String {
        let text = finding.evidence.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard let location = finding.location, location.hasPrefix("text: \""), location.hasSuffix("\""), location.count > 8 else {
            return "\"" + text.truncated(to: 70) + "\""
        }
        let phrase = String(location.dropFirst(7).dropLast())
        guard let range = text.range(of: phrase, options: .caseInsensitive) else { return "\"" + text.truncated(to: 70) + "\"" }
        let start = text.index(range.lowerBound, offsetBy: -radius, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: radius, limitedBy: text.endIndex) ?? text.endIndex
        let excerpt = text[start..<end].trimmingCharacters(in: .whitespaces)
        return "\"" + (start > text.startIndex ? "…" : "") + excerpt + (end < text.endIndex ? "…" : "") + "\""
    }

    static func tail(of file: URL, lines: Int = 15) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).map { "  | " + $0 }.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}
