import Foundation
import Synchronization
import Logging
import Metrics
import VeritasAudit
import VeritasBrowser
import VeritasHTML
import VeritasProtocol
import VeritasSecurity

/// The audit engine: fetches the page (``PageFetcher``), grades its security headers by the HTTP
/// Observatory rules (`VeritasSecurity`), renders it in headless Chromium (``PageRenderer``) so the
/// detectors see what a visitor sees, finds dark patterns (`VeritasAudit`), takes viewport and
/// full-page screenshots (plus a few key pages on `deep`), and scores the lot into a
/// `TrustVerdict`.
///
/// Honest by construction: every signal comes from the fetched response or the rendered page; a
/// page that cannot be fetched (DNS, refused, TLS, timeout), answers HTTP ≥ 400, is not HTML or is
/// too large ends in an ``AuditFailure`` saying which. When Chromium is missing or fails, the audit
/// goes on with the raw HTML and says so (`security_results.rendered` is false, and the expert
/// narrative notes it).
///
/// Progress phases: ``AuditPhase``, in order.
public struct HTTPAuditEngine: AuditEngine {
    /// Timeouts by tier: `quick` gives up soonest, `deep` waits longest.
    public var timeouts: [Tier: FetchTimeouts] = [
        .quick: .init(connect: .seconds(5), read: .seconds(10), total: .seconds(20)),
        .standard: .init(connect: .seconds(10), read: .seconds(20), total: .seconds(40)),
        .deep: .init(connect: .seconds(15), read: .seconds(30), total: .seconds(60)),
    ]
    /// The plain-http probe is quick: it only needs the redirect chain.
    public var probeTimeouts = FetchTimeouts(connect: .seconds(3), read: .seconds(5), total: .seconds(8))
    /// The most a rendering may take, screenshots and followed pages included; past it the audit
    /// goes on with the raw HTML.
    public var renderTimeouts: [Tier: Duration] = [.quick: .seconds(30), .standard: .seconds(60), .deep: .seconds(120)]
    /// Pages followed on `deep` (cart, checkout, pricing, cancel/account).
    public var maxFollowedPages = 3
    /// The model the detectors read every block's wording with. The corpus evaluation gives each
    /// page one trained without the texts that page quotes, so its figures are not memory.
    public var wordingModel: WordingModel = .bundled
    private let fetcher: PageFetcher
    private let renderer: PageRenderer?
    private let logger: Logger
    /// Where audits may connect (the SSRF guard); each audit gets its own ``EgressProxy`` with it,
    /// so the destinations it refused are that audit's.
    public let destinationPolicy: DestinationPolicy
    private let metrics: RunnerMetrics
    /// Consecutive failed renderings and the last reason, for ``browserHealth``.
    private let renderings = RenderingRecord()

    /// Chromium missing, failing (its last renderings all failed) or usable.
    public var browserHealth: (state: RunnerHealth.Browser, problem: String?) {
        guard renderer != nil else { return (.missing, "Chromium not found (chromium.path, or chromium on PATH)") }
        let (failures, problem) = renderings.state
        return failures >= RunnerHealth.failingRenderings ? (.failing, problem) : (.usable, nil)
    }

    /// Looks for Chromium once; without it, logs one warning and audits the raw HTML without
    /// screenshots.
    /// - Parameter metrics: counts refused destinations and renderings.
    public init(configuration: RunnerConfiguration, logger: Logger, metrics: RunnerMetrics = .none) {
        self.logger = logger
        self.metrics = metrics
        destinationPolicy = configuration.destinationPolicy
        fetcher = PageFetcher(maxPageBytes: configuration.maxPageBytes, userAgent: "Veritas/\(VeritasVersion.current) (+trust audit)")
        if let path = PageRenderer.locateChromium(configured: configuration.chromiumPath) {
            let timeout = Duration.milliseconds(configuration.screenshotTimeoutMilliseconds)
            let options = BrowserOptions(executable: path, commandTimeout: timeout, navigationTimeout: timeout, sandbox: configuration.chromiumSandbox)
            var renderer = PageRenderer(options: options, logger: logger)
            renderer.lateContentHorizon = .milliseconds(configuration.lateContentMilliseconds)
            self.renderer = renderer
            logger.info("pages rendered with headless Chromium", metadata: ["chromium": "\(path)"])
        } else {
            renderer = nil
            logger.warning("Chromium not found (chromium.path, or chromium / chromium-browser on PATH): audits read the raw HTML, without screenshots",
                           metadata: ["configured": "\(configuration.chromiumPath)"])
        }
    }

    public func audit(_ job: AuditJob, reporter: AuditReporter) async throws -> CompletedEventPayload {
        try await throughGuard { proxy in try await audit(job, reporter: reporter, proxy: proxy) }
    }

    /// Runs `body` with a fresh ``EgressProxy`` for one audit, stopped afterwards whatever happens.
    private func throughGuard<T: Sendable>(_ body: (EgressProxy) async throws -> T) async throws -> T {
        let proxy: EgressProxy
        do {
            proxy = try await EgressProxy.start(policy: destinationPolicy, logger: logger) { [metrics] _ in
                metrics.blockedDestinations.increment()
            }
        } catch {
            throw AuditFailure("could not start the egress guard: \(error)")
        }
        do {
            let result = try await body(proxy)
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }

    private func audit(_ job: AuditJob, reporter: AuditReporter, proxy: EgressProxy) async throws -> CompletedEventPayload {
        guard let startURL = URL(string: job.url) else { throw AuditFailure("'\(job.url)' is not a valid URL") }
        let limits = timeouts[job.tier] ?? timeouts[.standard]!

        await reporter.progress(.fetching, "fetching \(job.url)")
        let page = try await fetcher.fetch(startURL, limits: limits, proxy: proxy)
        try Task.checkCancellation()
        let rawDocument: HTMLDocument
        do {
            // A charset libxml2 does not know is dropped: the page's own declaration, then UTF-8.
            let limit = fetcher.maxPageBytes
            rawDocument = try await Self.offThePool {
                try (try? HTMLDocument(parsing: page.body, encoding: page.charset, baseURL: page.finalURL, sizeLimit: limit))
                    ?? HTMLDocument(parsing: page.body, baseURL: page.finalURL, sizeLimit: limit)
            }
        } catch {
            throw AuditFailure("\(page.finalURL.absoluteString) could not be read as HTML: \(error)")
        }

        await reporter.progress(.security, "grading security headers")
        let httpChain = await plainHTTPChain(startURL: startURL, page: page, proxy: proxy)
        let security = ObservatoryGrader.grade(ObservatoryInput(
            host: page.finalURL.host ?? "", scheme: page.finalURL.scheme ?? "http", httpAvailable: httpChain != nil,
            redirectChain: httpChain, headers: page.mergedHeaders, cookies: page.cookies,
            scripts: rawDocument.scripts.map { ScriptTag(src: $0.src, integrity: $0.integrity, crossorigin: $0.crossOrigin) }))
        try Task.checkCancellation()

        let analysis = try await analyse(page.finalURL, raw: rawDocument, tier: job.tier, reporter: reporter, proxy: proxy)
        var payload = try await Self.offThePool {
            let hygiene = HygieneSignals(page: analysis.page, finalURL: page.finalURL, redirects: page.redirects.count, pageBytes: page.body.count)
            return Self.payload(of: analysis, security: security, hygiene: hygiene, mode: job.verdictMode, url: job.url,
                                securityResults: SecurityResults.json(report: security, page: page, httpChain: httpChain, hygiene: hygiene,
                                                                      rendered: analysis.rendering != nil, renderError: analysis.renderError))
        }
        if job.verdictMode == .expert, let renderError = analysis.renderError {
            payload.narrative = String((payload.narrative + "\nThe page was analysed as served, without running its scripts (\(renderError)): patterns that scripts add were not seen.").prefix(ProtocolLimits.maxNarrativeLength))
        }
        return payload
    }

    /// Audits a local HTML file (`veritas analyze FILE`) with the same rendering, detectors and
    /// verdict as a fetched page: Chromium opens the `file://` URL (scripts run, screenshots are
    /// taken); the security grade is computed for a page with no HTTP headers, and
    /// `security_results` says so (`source: "file"`, `note`). The runner never calls this: jobs are
    /// http(s) URLs only.
    /// - Parameters:
    ///   - file: the file's URL; `contents` are its bytes, already read and checked by the caller.
    public func auditFile(_ file: URL, contents: Data, verdictMode: VerdictMode, reporter: AuditReporter) async throws -> CompletedEventPayload {
        try await throughGuard { proxy in try await auditFile(file, contents: contents, verdictMode: verdictMode, reporter: reporter, proxy: proxy) }
    }

    private func auditFile(_ file: URL, contents: Data, verdictMode: VerdictMode, reporter: AuditReporter, proxy: EgressProxy) async throws -> CompletedEventPayload {
        let rawDocument: HTMLDocument
        do {
            // The file's own <meta charset>, then UTF-8; a charset libxml2 does not know is dropped.
            let limit = fetcher.maxPageBytes
            rawDocument = try await Self.offThePool {
                try (try? HTMLDocument(parsing: contents, baseURL: file, sizeLimit: limit))
                    ?? HTMLDocument(parsing: String(decoding: contents, as: UTF8.self), baseURL: file, sizeLimit: limit)
            }
        } catch {
            throw AuditFailure("could not be read as HTML: \(error)")
        }
        await reporter.progress(.security, "grading a page without HTTP headers")
        let security = ObservatoryGrader.grade(ObservatoryInput(
            host: "", scheme: "http", httpAvailable: false, redirectChain: nil, headers: [:], cookies: [],
            scripts: rawDocument.scripts.map { ScriptTag(src: $0.src, integrity: $0.integrity, crossorigin: $0.crossOrigin) }))
        // A file Chromium's user cannot open where it is is rendered from a readable copy.
        var copy: BrowserReadableCopy?
        if let renderer, !renderer.options.browserCanOpen(file: file.path) {
            copy = try BrowserReadableCopy(named: file.lastPathComponent, contents: contents)
        }
        defer { copy?.remove() }
        // Quick: a file has no site around it to follow.
        let analysis = try await analyse(file, rendering: copy?.url, raw: rawDocument, tier: .quick, reporter: reporter, proxy: proxy)
        var fileFields: [String: JSONValue] = ["source": .string("file"), "note": .string(SecurityResults.fileNote)]
        if copy != nil, analysis.rendering != nil, let renderer {
            fileFields["render_note"] = .string(BrowserReadableCopy.note(user: renderer.options.unprivilegedUser))
        }
        var payload = try await Self.offThePool { [fileFields] in
            let hygiene = HygieneSignals(page: analysis.page, finalURL: file, redirects: 0, pageBytes: contents.count)
            return Self.payload(
                of: analysis, security: security, hygiene: hygiene, mode: verdictMode, url: file.absoluteString,
                securityResults: SecurityResults.json(
                    report: security, finalURL: file, redirects: [], httpChain: nil, hygiene: hygiene, rendered: analysis.rendering != nil,
                    renderError: analysis.renderError, extra: fileFields))
        }
        var notes: [String] = []
        if verdictMode == .expert, let renderError = analysis.renderError {
            notes.append("The file was analysed as written, without running its scripts (\(renderError)): patterns that scripts add were not seen.")
        }
        notes.append("A file has no HTTP headers, so its security grade only reflects their absence.")
        payload.narrative = String((payload.narrative + (verdictMode == .expert ? "\n" : " ") + notes.joined(separator: " ")).prefix(ProtocolLimits.maxNarrativeLength))
        return payload
    }

    /// What rendering and the detectors made of one page.
    struct PageAnalysis {
        /// What the detectors read: the rendered DOM, or the raw HTML when there is no rendering.
        var page: AuditedPage
        var findings: [Finding]
        var rendering: PageRenderer.Rendering?
        /// Why the page was not rendered (no Chromium, a failed or slow rendering).
        var renderError: String?
        /// What the guard refused while the page was fetched and rendered (subresources, fetch/XHR,
        /// WebSocket, followed links).
        var blocked: [EgressProxy.Refusal]
        var blockedTotal: Int
    }

    /// Renders `url` (unless there is no Chromium), reports its screenshots, and runs the
    /// detectors on the rendering (else on `raw`), plus the followed pages on `deep`.
    /// - Parameter renderedURL: what Chromium opens instead of `url` (a readable copy of a file).
    private func analyse(_ url: URL, rendering renderedURL: URL? = nil, raw rawDocument: HTMLDocument, tier: Tier, reporter: AuditReporter,
                         proxy: EgressProxy) async throws -> PageAnalysis {
        var rendering: PageRenderer.Rendering?
        var renderError: String?
        if let renderer {
            await reporter.progress(.rendering, "rendering the page in headless Chromium")
            let limit = maxFollowedPages
            let follow: @Sendable (String) -> [URL] = { html in
                guard tier == .deep else { return [] }
                let document = (try? HTMLDocument(parsing: html, baseURL: url)) ?? rawDocument
                return Self.linksWorthFollowing(in: document, from: url, limit: limit)
            }
            do {
                rendering = try await Self.within(renderTimeouts[tier] ?? .seconds(60), what: "rendering") {
                    try await renderer.render(renderedURL ?? url, proxyPort: proxy.port, follow: follow)
                }
                metrics.rendered("ok")
                metrics.chromium("started")
                renderings.succeeded()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                renderError = "\(error)"
                metrics.rendered("failed")
                switch error as? BrowserError {
                case .launchFailed?: metrics.chromium("launch_failed")
                case .exited?, .pageCrashed?: metrics.chromium("crashed")
                default: metrics.chromium("started")
                }
                renderings.failed("\(error)")
                logger.warning("rendering failed; analysing the raw HTML", metadata: ["url": "\(url.absoluteString)", "error": "\(error)"])
            }
        } else {
            renderError = "Chromium is not installed"
        }
        try Task.checkCancellation()

        var locator: FindingLocator?
        if let rendering {
            await reporter.progress(.screenshots, "storing screenshots")
            var index = 0
            if let viewport = rendering.viewport {
                await reporter.screenshot(index, "viewport", .png, viewport)
                index += 1
            }
            if let fullPage = rendering.fullPage {
                let label = fullPage.isTruncated ? "full page (first \(fullPage.capturedHeight) of \(fullPage.pageHeight) px)" : "full page"
                await reporter.screenshot(index, label, .png, fullPage.png)
                if let renderer {
                    locator = FindingLocator(boxes: rendering.elementBoxes, screenshotIndex: index, screenshot: fullPage,
                                             viewportWidth: renderer.options.viewportWidth)
                }
                index += 1
            }
            for followed in rendering.followed {
                guard let shot = followed.screenshot else { continue }
                let label = "followed: \(followed.url.path.isEmpty ? "/" : followed.url.path)"
                await reporter.screenshot(index, String(label.prefix(ProtocolLimits.maxLabelLength)), .png, shot)
                index += 1
            }
        }

        await reporter.progress(.analysing, "looking for dark patterns")
        let (audited, findings) = try await Self.offThePool { [rendering, locator, wordingModel] in
            let audited = Self.auditedPage(rendering: rendering, raw: rawDocument, url: url, wordingModel: wordingModel)
            var findings = DarkPatternDetector.findings(on: audited)
            // What timers drew later (a pop-up opened at 3 s) or leaving opened (an exit-intent
            // pop-up): read against the main snapshot, so a clock that ticked between them counts
            // too; findings the main snapshot has are not repeated, nor the same clock or counter
            // read again with other figures.
            if let late = Self.lateAuditedPage(rendering: rendering, after: audited, url: url, wordingModel: wordingModel) {
                let seen = Set(findings.map { Self.figureless($0) })
                findings += DarkPatternDetector.findings(on: late).filter { !seen.contains(Self.figureless($0)) }
            }
            if let locator { findings = locator.locate(findings) }
            for followed in rendering?.followed ?? [] {
                guard let document = try? HTMLDocument(parsing: followed.html, baseURL: followed.url) else { continue }
                for var finding in DarkPatternDetector.findings(on: AuditedPage(url: followed.url, document: document, isRendered: true, wordingModel: wordingModel))
                where !findings.contains(where: { $0.patternType == finding.patternType && $0.evidence == finding.evidence }) {
                    finding.location = String("\(followed.url.path): \(finding.location ?? "")".prefix(ProtocolLimits.maxLocationLength))
                    findings.append(finding)
                }
            }
            return (audited, Array(findings.prefix(ProtocolLimits.maxFindingsPerEvent)))
        }
        await reporter.progress(.scoring, nil)
        return PageAnalysis(page: audited, findings: findings, rendering: rendering, renderError: renderError,
                            blocked: proxy.refusals, blockedTotal: proxy.refusedTotal)
    }

    /// At most this many refused destinations are listed in `security_results`.
    static let maxBlockedListed = 20

    /// The `audit.completed` payload: the verdict over the analysis and the security grade.
    private static func payload(
        of analysis: PageAnalysis, security: ObservatoryReport, hygiene: HygieneSignals, mode: VerdictMode, url: String,
        securityResults: JSONValue
    ) -> CompletedEventPayload {
        let verdict = TrustVerdict(
            security: security, findings: analysis.findings, transparency: TransparencySignals(analysis.page), hygiene: hygiene,
            siteType: SiteClassifier.classify(analysis.page).type)
        var counts: [String: JSONValue] = [:]
        for finding in analysis.findings { counts[finding.category.rawValue] = .number((counts[finding.category.rawValue]?.doubleValue ?? 0) + 1) }
        var security = securityResults
        var narrative = verdict.narrative(mode: mode, url: url)
        if case .object(var fields) = security {
            fields["blocked_destinations"] = .array(analysis.blocked.prefix(Self.maxBlockedListed).map { .string(String($0.description.prefix(300))) })
            fields["blocked_destinations_total"] = .number(Double(analysis.blockedTotal))
            security = .object(fields)
        }
        if mode == .expert, analysis.blockedTotal > 0 {
            narrative += "\nThe egress guard refused \(analysis.blockedTotal) connection\(analysis.blockedTotal == 1 ? "" : "s") the page tried to make to addresses audits may not reach (see security_results.blocked_destinations)."
        }
        return CompletedEventPayload(
            trustScore: verdict.trustScore,
            riskLevel: verdict.riskLevel,
            narrative: String(narrative.prefix(ProtocolLimits.maxNarrativeLength)),
            signalScores: verdict.signalScores,
            siteType: verdict.siteType,
            securityResults: security,
            darkPatternSummary: DarkPatternSummary(
                findings: analysis.findings,
                summary: .object([
                    "by_category": .object(counts), "total": .number(Double(analysis.findings.count)),
                    "dark_pattern_score": .number(Double(verdict.darkPatternScore)),
                ]))
        )
    }

    /// Runs CPU-bound work (parsing, the detectors and their wording model, the verdict) on a
    /// Dispatch worker thread instead of Swift's cooperative pool. A large page keeps a thread busy
    /// for a second or more (several in a debug build); the pool has one thread per core, and the
    /// runner's heartbeats run on it too: a runner whose pool is busy analysing looks silent to
    /// its writer, which then hands its audits to another runner.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// Runs `body`, cancelling it and throwing ``AuditFailure`` if it takes longer than `limit`.
    static func within<T: Sendable>(_ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw AuditFailure("\(what) took longer than \(limit)")
            }
            return value
        }
    }

    /// The page for the detectors: the rendering when there is one (falling back to the raw HTML
    /// if the rendered DOM does not parse), else the raw HTML.
    static func auditedPage(rendering: PageRenderer.Rendering?, raw: HTMLDocument, url: URL, wordingModel: WordingModel) -> AuditedPage {
        if let rendering, let document = try? HTMLDocument(parsing: rendering.html, baseURL: url) {
            let earlier = try? HTMLDocument(parsing: rendering.earlierHTML, baseURL: url)
            return AuditedPage(url: url, document: document, earlierDocument: earlier, isRendered: true, wordingModel: wordingModel)
        }
        return AuditedPage(url: url, document: raw, isRendered: false, wordingModel: wordingModel)
    }

    /// The page as the timers pending at the main snapshot, and the pointer leaving the window,
    /// left it (``PageRenderer/Rendering/lateHTML``),
    /// with the main snapshot as its earlier reading; `nil` when there is none or it is the same.
    /// - Parameter main: the page the detectors read (``auditedPage(rendering:raw:url:wordingModel:)``);
    ///   its document is the main snapshot, already parsed, unless it fell back to the raw HTML.
    static func lateAuditedPage(rendering: PageRenderer.Rendering?, after main: AuditedPage, url: URL, wordingModel: WordingModel) -> AuditedPage? {
        guard let rendering, let lateHTML = rendering.lateHTML, lateHTML != rendering.html,
              let late = try? HTMLDocument(parsing: lateHTML, baseURL: url) else { return nil }
        return AuditedPage(url: url, document: late, earlierDocument: main.isRendered ? main.document : nil, isRendered: true, wordingModel: wordingModel)
    }

    /// A finding's type and evidence without its figures: "Offer ends 00:14:55" read at 2.3 s and
    /// "Offer ends 00:14:52" read at 5 s are one clock.
    static func figureless(_ finding: Finding) -> String {
        finding.patternType.rawValue + "|" + String(finding.evidence.unicodeScalars.filter { !CharacterSet.decimalDigits.contains($0) })
    }

    /// The chain plain http gives for the host (Observatory's redirection test): the fetch's own
    /// chain when the audit started on http, else a probe of `http://host/`.
    private func plainHTTPChain(startURL: URL, page: PageFetcher.Page, proxy: EgressProxy) async -> [String]? {
        if startURL.scheme?.lowercased() == "http" {
            return page.redirects.map(\.url) + [page.finalURL.absoluteString]
        }
        guard let host = page.finalURL.host else { return nil }
        return await fetcher.probePlainHTTP(host: host, port: nil, limits: probeTimeouts, proxy: proxy)
    }

    /// Words in a link's path or text that lead where dark patterns live.
    private static let worthFollowing = ["cart", "basket", "bag", "checkout", "pricing", "plans", "subscribe", "subscription",
                                         "cancel", "account", "billing", "membership"]

    /// Up to `limit` same-site links whose path or text names a cart, checkout, pricing or
    /// cancellation page, in document order, without repeats or the page itself.
    static func linksWorthFollowing(in document: HTMLDocument, from page: URL, limit: Int) -> [URL] {
        var chosen: [URL] = []
        for link in document.links {
            guard chosen.count < limit, let url = link.url?.absoluteURL, url.host == page.host,
                  url.scheme == page.scheme, url.path != page.path else { continue }
            let words = (url.path + " " + link.text).lowercased()
            guard worthFollowing.contains(where: words.contains) else { continue }
            var components = URLComponents(url: url, resolvingAgainstBaseURL: true)
            components?.fragment = nil
            guard let clean = components?.url, !chosen.contains(clean) else { continue }
            chosen.append(clean)
        }
        return chosen
    }
}

/// Renderings that failed in a row, and why the last one did.
final class RenderingRecord: Sendable {
    private let record = Mutex<(failures: Int, problem: String?)>((0, nil))
    var state: (Int, String?) { record.withLock { ($0.failures, $0.problem) } }
    func succeeded() { record.withLock { $0 = (0, nil) } }
    func failed(_ problem: String) { record.withLock { $0 = ($0.failures + 1, String(problem.prefix(300))) } }
}
