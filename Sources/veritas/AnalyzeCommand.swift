import ArgumentParser
import Foundation
import Logging
import Synchronization
import VeritasProtocol
import VeritasReport
import VeritasRunner

/// `veritas analyze URL|FILE...`: audits pages here and now, in this process, without a writer
/// or runner; `veritas analyze --segments FILE`: the wording model on text segments
/// (``SegmentClassification``).
///
/// A URL goes through the runner's own engine (``HTTPAuditEngine``: fetch, Observatory grading,
/// headless Chromium unless `--no-browser`, detectors, verdict); a file is read and checked by
/// ``FileAudit`` and audited by the same engine, rendered from its `file://` URL. Both give an `audit.completed`
/// payload, printed as `veritas status` and `veritas findings` print an audit, or with `--json`
/// as one JSON object per input.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Audit URLs or HTML files in this process (no writer, no runner), or classify text segments.",
        discussion: """
            A URL (http, https) is audited by the runner's engine: fetched, its security headers \
            graded, rendered in headless Chromium (unless --no-browser, or Chromium is not on PATH), \
            its dark patterns found and a verdict made. A FILE (a path or a file:// URL) is audited the same \
            way, rendered from its file:// URL (unless --no-browser); having no HTTP headers, its \
            security grade only reflects their absence. Each input prints the verdict as `veritas status` does and the \
            findings as `veritas findings` does; with --json, one object per line: the \
            audit.completed payload plus "input" and "url", or {"input", "error"} for an input that \
            could not be analysed (its message also goes to stderr).

            --segments FILE (- for stdin) reads JSON lines {"id": ..., "text": "..."} and writes one \
            line per line read, in order: {"id", "dark_pattern", "category", "type", "confidence", \
            "probability"} (category and type null when not a dark pattern), or {"id", "error"} for \
            a line that is not such an object.

            --html FILE writes each page's report as a self-contained HTML file (as `veritas report` \
            does for a writer's audit): the verdict, signal scores, security tests, findings with \
            their evidence, and the screenshots with the findings outlined. With several inputs, \
            input N's report is FILE with -N before its extension (page-2.html).

            Exit codes: 0 every input analysed (and, with --fail-on/--min-trust, every page passed); \
            7 a page missed --fail-on or --min-trust; 8 an input could not be analysed or a \
            --segments line was bad (8 wins over 7); 1 a screenshot or a report could not be written.
            """
    )

    @Argument(help: ArgumentHelp("http(s) URLs and HTML files (paths or file:// URLs) to audit.", valueName: "url-or-file"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp(
        "Classify text segments instead: JSON lines {\"id\", \"text\"} from this file (- for stdin).", valueName: "file"))
    var segments: String?

    @Option(help: "How thorough a URL's audit is (timeouts; deep also follows cart, checkout and pricing links).")
    var tier: Tier = .standard

    @Option(name: [.customLong("mode"), .customLong("verdict-mode")], help: "How the verdict is explained.")
    var mode: VerdictMode = .simple

    @Flag(name: .customLong("no-browser"), help: "Do not use headless Chromium: analyse pages as served or written (scripts not run), without screenshots.")
    var noBrowser = false

    @Flag(name: .customLong("allow-private-networks"), help: "Let the audit reach loopback, private and link-local addresses (refused by default, as on a runner).")
    var allowPrivateNetworks = false

    @Option(help: ArgumentHelp(
        "Write the pages' screenshots into this folder (created if missing) as <input number>-<index>-<label>.png.", valueName: "dir"))
    var screenshots: String?

    @Option(help: ArgumentHelp("Write each page's report as a self-contained HTML file.", valueName: "file"))
    var html: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 7 when a page's risk is at least this level.", valueName: "risk"))
    var failOn: RiskLevel?

    @Option(name: .customLong("min-trust"), help: ArgumentHelp("Exit 7 when a page's trust score is below this (0-100).", valueName: "score"))
    var minTrust: Int?

    @Flag(help: "Print one JSON object per input instead of text.")
    var json = false

    func validate() throws {
        if segments != nil {
            guard inputs.isEmpty else { throw ValidationError("give either URLs/files or --segments, not both") }
            guard failOn == nil, minTrust == nil, screenshots == nil, html == nil else {
                throw ValidationError("--fail-on, --min-trust, --screenshots and --html apply to pages, not to --segments")
            }
        } else if inputs.isEmpty {
            throw ValidationError("give at least one URL or file to analyse, or --segments FILE")
        }
        if let minTrust, !(0...100).contains(minTrust) {
            throw ValidationError("--min-trust must be 0-100; got \(minTrust)")
        }
        if let screenshots, screenshots.isEmpty { throw ValidationError("--screenshots must not be empty") }
        if let html, html.isEmpty { throw ValidationError("--html must not be empty") }
    }

    func run() async throws {
        if let segments {
            let errors = try SegmentClassification.run(path: segments)
            if errors > 0 {
                Console.note("\(errors) --segments line\(errors == 1 ? " was" : "s were") not {\"id\", \"text\"} objects (answered with \"error\")")
                throw ExitCode(VeritasExitStatus.analysisFailed.rawValue)
            }
            return
        }
        let folder = try screenshotFolder()
        var engine: HTTPAuditEngine?
        var worst = VeritasExitStatus.success
        for (position, input) in inputs.enumerated() {
            if position > 0, !json { Console.line() }
            let sink = ScreenshotSink(folder: folder, prefix: "\(position + 1)", keepsImages: html != nil)
            let analysis: Analysis
            do {
                analysis = try await analyse(input, engine: &engine, sink: sink)
            } catch {
                let message = (error as? AuditFailure)?.message ?? "\(error)"
                Console.error("\(input): \(message)")
                if json { Console.json(JSONValue.object(["input": .string(input), "error": .string(message)]).encoded()) }
                worst = .analysisFailed
                continue
            }
            var reportFile: URL?
            if let html {
                let file = Self.reportFile(html, input: position + 1, of: inputs.count)
                do {
                    try writeReport(analysis, images: sink.images, to: file)
                    reportFile = file
                } catch {
                    Console.error("\(input): cannot write the report \(file.path): \((error as NSError).localizedDescription)")
                    if worst == .success { worst = .failure }
                }
            }
            show(analysis, report: reportFile)
            for failure in sink.failures {
                Console.error("\(input): \(failure)")
                if worst == .success { worst = .failure }
            }
            if let missed = missedBar(analysis.payload) {
                Console.note("\(input): \(missed)")
                if worst != .analysisFailed { worst = .belowBar }
            }
        }
        if worst != .success { throw ExitCode(worst.rawValue) }
    }

    // MARK: Analysis

    /// One input's result.
    struct Analysis {
        var input: String
        /// The URL audited: the URL as given, or the file's `file://` URL.
        var url: String
        var isFile: Bool
        var payload: CompletedEventPayload
        var screenshots: [String]
        var startedAt: Timestamp
        var completedAt: Timestamp
    }

    private func analyse(_ input: String, engine: inout HTTPAuditEngine?, sink: ScreenshotSink) async throws -> Analysis {
        switch try Self.classify(input) {
        case .file(let file):
            let contents = try FileAudit.contents(of: file)
            if engine == nil { engine = makeEngine() }
            defer { clearProgress() }
            let started = Timestamp.now
            var payload = try await engine!.auditFile(file, contents: contents, verdictMode: mode, reporter: reporter(for: file.absoluteString, sink: sink))
            if noBrowser { payload = Self.markedNoBrowser(payload) }
            return Analysis(input: input, url: file.absoluteString, isFile: true, payload: payload, screenshots: sink.written,
                            startedAt: started, completedAt: .now)
        case .web(let url):
            if engine == nil { engine = makeEngine() }
            let job = AuditJob(auditID: .generate(), url: url, tier: tier, verdictMode: mode, attempt: 1, createdAt: .now)
            defer { clearProgress() }
            var payload = try await engine!.audit(job, reporter: reporter(for: url, sink: sink))
            if noBrowser { payload = Self.markedNoBrowser(payload) }
            return Analysis(input: input, url: url, isFile: false, payload: payload, screenshots: sink.written,
                            startedAt: job.createdAt, completedAt: .now)
        }
    }

    enum Input: Equatable {
        case web(String)
        case file(URL)
    }

    /// `http(s)://...` is a URL, `file:...` a file URL, another `scheme://` is refused, anything
    /// else is a path.
    static func classify(_ input: String) throws -> Input {
        let lowered = input.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let url = URL(string: input), url.host?.isEmpty == false else { throw AuditFailure("'\(input)' is not a valid URL") }
            return .web(input)
        }
        if lowered.hasPrefix("file:") {
            guard let url = URL(string: input), url.isFileURL, !url.path.isEmpty else { throw AuditFailure("'\(input)' is not a valid file URL") }
            return .file(url.standardizedFileURL)
        }
        if let separator = input.range(of: "://"), !input[..<separator.lowerBound].isEmpty,
           input[..<separator.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
            throw AuditFailure("only http, https and file URLs, or file paths, can be analysed")
        }
        guard !input.isEmpty else { throw AuditFailure("an empty argument is neither a URL nor a file") }
        return .file(URL(fileURLWithPath: input).standardizedFileURL)
    }

    /// The runner's engine. `--no-browser` points it at a Chromium path that cannot run
    /// (`/dev/null`), so it finds no browser and reads the HTML as served; its warnings (about
    /// Chromium, failed renderings) go to stderr, except the expected one under `--no-browser`.
    private func makeEngine() -> HTTPAuditEngine {
        var configuration = RunnerConfiguration()
        configuration.allowPrivateNetworks = allowPrivateNetworks
        if noBrowser { configuration.chromiumPath = "/dev/null" }
        let logger: Logger
        if noBrowser {
            logger = Logger(label: "veritas.analyze") { _ in SwiftLogNoOpLogHandler() }
        } else {
            var stderrLogger = Logger(label: "veritas.analyze") { label in StreamLogHandler.standardError(label: label) }
            stderrLogger.logLevel = .warning
            logger = stderrLogger
        }
        return HTTPAuditEngine(configuration: configuration, logger: logger)
    }

    /// The engine says "Chromium is not installed" when it found none; under `--no-browser` the
    /// truth is that it was not asked to look.
    static func markedNoBrowser(_ payload: CompletedEventPayload) -> CompletedEventPayload {
        var payload = payload
        let installed = "Chromium is not installed"
        let reason = "--no-browser: Chromium not used"
        if case .object(var fields) = payload.securityResults, fields["render_error"] == .string(installed) {
            fields["render_error"] = .string(reason)
            payload.securityResults = .object(fields)
        }
        payload.narrative = payload.narrative.replacingOccurrences(of: "(\(installed))", with: "(\(reason))")
        return payload
    }

    // MARK: Progress and screenshots

    /// Progress as a bar redrawn on stderr when it is a terminal; screenshots to `sink`.
    private func reporter(for url: String, sink: ScreenshotSink) -> AuditReporter {
        let showProgress = Console.isErrorTerminal
        let host = URL(string: url)?.host ?? url
        return AuditReporter(
            progress: { phase, percent, _ in
                guard showProgress else { return }
                let line = ProgressDisplay.bar(percent: percent, label: "\(phase.replacingOccurrences(of: "_", with: " ")) \(host)")
                Console.progress("\r" + Formatting.truncated(line, to: Self.progressWidth).padding(toLength: Self.progressWidth, withPad: " ", startingAt: 0))
            },
            screenshot: { index, label, contentType, image in sink.save(index: index, label: label, contentType: contentType, image: image) })
    }

    /// The progress line is padded to this width, so a shorter line covers a longer one.
    private static let progressWidth = 79

    private func clearProgress() {
        guard Console.isErrorTerminal else { return }
        Console.progress("\r" + String(repeating: " ", count: Self.progressWidth) + "\r")
    }

    /// `--screenshots DIR`, created if missing; `nil` without the option.
    private func screenshotFolder() throws -> URL? {
        guard let screenshots else { return nil }
        let folder = URL(fileURLWithPath: screenshots, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(.failure, "cannot create \(screenshots): \((error as NSError).localizedDescription)")
        }
        return folder
    }

    /// Where one input's screenshots go: dropped without `--screenshots`, else written as
    /// `<prefix>-<index>-<label>.<ext>`, remembering the paths written and the writes that failed;
    /// kept in memory for the report when `keepsImages`.
    final class ScreenshotSink: Sendable {
        let folder: URL?
        let prefix: String
        let keepsImages: Bool
        private let state = Mutex<(written: [String], failures: [String], images: [AuditReport.Screenshot])>(([], [], []))

        init(folder: URL?, prefix: String, keepsImages: Bool = false) {
            self.folder = folder
            self.prefix = prefix
            self.keepsImages = keepsImages
        }

        var written: [String] { state.withLock { $0.written } }
        var failures: [String] { state.withLock { $0.failures } }
        var images: [AuditReport.Screenshot] { state.withLock { $0.images } }

        func save(index: Int, label: String, contentType: ImageContentType, image: Data) {
            if keepsImages {
                state.withLock { $0.images.append(AuditReport.Screenshot(index: index, label: label, contentType: contentType, image: image)) }
            }
            guard let folder else { return }
            let file = folder.appendingPathComponent("\(prefix)-\(index)-\(Formatting.slug(label)).\(contentType.fileExtension)")
            do {
                try image.write(to: file, options: .atomic)
                state.withLock { $0.written.append(file.path) }
            } catch {
                state.withLock { $0.failures.append("cannot write screenshot \(file.path): \((error as NSError).localizedDescription)") }
            }
        }
    }

    // MARK: Report

    /// `--html FILE` for input `number` of `count`: FILE itself for one input, else FILE with
    /// `-number` before its extension.
    static func reportFile(_ path: String, input number: Int, of count: Int) -> URL {
        let file = URL(fileURLWithPath: path)
        guard count > 1 else { return file }
        let stem = file.deletingPathExtension().lastPathComponent
        let named = file.deletingLastPathComponent().appendingPathComponent("\(stem)-\(number)")
        return file.pathExtension.isEmpty ? named : named.appendingPathExtension(file.pathExtension)
    }

    private func writeReport(_ analysis: Analysis, images: [AuditReport.Screenshot], to file: URL) throws {
        let report = AuditReport(
            analysedURL: analysis.url, tier: tier, verdictMode: mode, payload: analysis.payload, screenshots: images,
            startedAt: analysis.startedAt, completedAt: analysis.completedAt, origin: "veritas analyze \(analysis.input), in process")
        try Data(HTMLReport.render(report).utf8).write(to: file, options: .atomic)
    }

    // MARK: Output

    private func show(_ analysis: Analysis, report: URL?) {
        let payload = analysis.payload
        if json {
            guard case .object(var fields) = payload.jsonValue else { return }
            fields["input"] = .string(analysis.input)
            fields["url"] = .string(analysis.url)
            if screenshots != nil, !analysis.isFile { fields["screenshots"] = .array(analysis.screenshots.map(JSONValue.string)) }
            if let report { fields["report"] = .string(report.path) }
            Console.json(JSONValue.object(fields).encoded())
            return
        }
        var lines = Self.blockLines(analysis, tier: tier, mode: mode)
        if let report { lines.append(("report", report.path)) }
        Console.line(Formatting.block(lines))
        Console.line()
        Console.line(Formatting.findingsTable(payload.darkPatternSummary.findings))
    }

    /// The readable block of one input: what was analysed and how, then the verdict as
    /// `veritas status` shows it, the security grade, and any screenshots written.
    static func blockLines(_ analysis: Analysis, tier: Tier, mode: VerdictMode) -> [(String, String)] {
        let payload = analysis.payload
        let security = payload.securityResults
        var lines: [(String, String)] = [("input", analysis.input)]
        let finalURL = security["final_url"]?.stringValue ?? analysis.url
        lines.append(("url", finalURL))
        if analysis.isFile {
            lines.append(("verdict mode", mode.rawValue))
        } else {
            lines.append(("tier", "\(tier.rawValue), verdict \(mode.rawValue)"))
        }
        if security["rendered"]?.boolValue == true {
            let note = security["render_note"]?.stringValue.map { " (\($0))" } ?? ""
            lines.append(("analysed", "as rendered in headless Chromium" + note))
        } else {
            let reason = security["render_error"]?.stringValue.map { " (\($0))" } ?? ""
            lines.append(("analysed", "as written, scripts not run" + reason))
        }
        lines += Formatting.verdictLines(
            trustScore: payload.trustScore, riskLevel: payload.riskLevel, siteType: payload.siteType, narrative: payload.narrative)
        if let grade = security["grade"]?.stringValue {
            let score = security["score"]?.doubleValue.map { ", score \(Int($0))" } ?? ""
            let note = analysis.isFile ? " (\(SecurityResults.fileNote))" : ""
            lines.append(("security", "grade \(grade)\(score)\(note)"))
        }
        if !analysis.screenshots.isEmpty { lines.append(("screenshots", analysis.screenshots.joined(separator: "\n"))) }
        return lines
    }

    // MARK: The bar

    /// Why the page misses `--fail-on` / `--min-trust`, or `nil` when it passes.
    func missedBar(_ payload: CompletedEventPayload) -> String? {
        var reasons: [String] = []
        if let failOn, payload.riskLevel.rank >= failOn.rank {
            reasons.append("risk \(payload.riskLevel.rawValue) reaches --fail-on \(failOn.rawValue)")
        }
        if let minTrust, payload.trustScore < minTrust {
            reasons.append("trust score \(payload.trustScore) is below --min-trust \(minTrust)")
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
