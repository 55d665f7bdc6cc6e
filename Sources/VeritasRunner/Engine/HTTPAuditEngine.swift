import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import VeritasProtocol

/// The first real audit engine: fetches the page with AsyncHTTPClient, checks its security
/// headers, scans its text for dark patterns and transparency links, takes a screenshot with
/// headless Chromium when one is installed, and scores the lot (see ``Verdict``).
///
/// Honest by construction: every signal comes from the fetched response; a page that cannot be
/// fetched (DNS, refused, TLS, timeout), answers HTTP ≥ 400, is not HTML or is too large ends in
/// an ``AuditFailure`` with a message saying which, never in an invented verdict.
///
/// Progress phases: `fetching` 10, `analysing` 50, `screenshots` 70, `scoring` 90.
public struct HTTPAuditEngine: AuditEngine {
    /// Timeouts of one tier.
    public struct Timeouts: Sendable {
        public var connect: Duration
        public var read: Duration
        /// The whole fetch, redirects included.
        public var total: Duration

        public init(connect: Duration, read: Duration, total: Duration) {
            self.connect = connect
            self.read = read
            self.total = total
        }
    }

    /// Timeouts by tier: `quick` gives up soonest, `deep` waits longest.
    public var timeouts: [Tier: Timeouts] = [
        .quick: Timeouts(connect: .seconds(5), read: .seconds(10), total: .seconds(20)),
        .standard: Timeouts(connect: .seconds(10), read: .seconds(20), total: .seconds(40)),
        .deep: Timeouts(connect: .seconds(15), read: .seconds(30), total: .seconds(60)),
    ]
    /// The largest body read; a larger page fails the audit.
    public var maxPageBytes: Int
    /// The most redirects followed.
    public var maxRedirects = 10
    private let screenshotter: ChromiumScreenshotter?
    private let logger: Logger

    /// Looks for Chromium once; without it, logs one warning and audits without screenshots.
    public init(configuration: RunnerConfiguration, logger: Logger) {
        self.maxPageBytes = configuration.maxPageBytes
        self.logger = logger
        if let path = ChromiumScreenshotter.locate(configured: configuration.chromiumPath) {
            screenshotter = ChromiumScreenshotter(executable: path, timeout: .milliseconds(configuration.screenshotTimeoutMilliseconds), logger: logger)
            logger.info("screenshots with headless Chromium", metadata: ["chromium": "\(path)"])
        } else {
            screenshotter = nil
            logger.warning("Chromium not found (chromium.path, or chromium / chromium-browser on PATH): audits run without screenshots",
                           metadata: ["configured": "\(configuration.chromiumPath)"])
        }
    }

    public func audit(_ job: AuditJob, reporter: AuditReporter) async throws -> CompletedEventPayload {
        guard let startURL = URL(string: job.url) else { throw AuditFailure("'\(job.url)' is not a valid URL") }
        let limits = timeouts[job.tier] ?? timeouts[.standard]!

        await reporter.progress("fetching", 10, "fetching \(job.url)")
        let page = try await fetch(startURL, limits: limits)
        try Task.checkCancellation()

        await reporter.progress("analysing", 50, "checking security headers and page text")
        let text = PageText(html: page.body)
        let security = SecurityCheck(startURL: startURL, finalURL: page.finalURL, headers: page.headers, html: text.html)
        let findings = DarkPatternScanner.scan(text)

        if let screenshotter {
            await reporter.progress("screenshots", 70, "taking a screenshot")
            if let png = await screenshotter.viewport(of: page.finalURL.absoluteString) {
                try Task.checkCancellation()
                await reporter.screenshot(0, "viewport", .png, png)
            }
        }

        await reporter.progress("scoring", 90, nil)
        let verdict = Verdict(
            security: security, findings: Array(findings.prefix(ProtocolLimits.maxFindingsPerEvent)),
            transparency: Verdict.transparencyLinks(text), siteType: Verdict.guessSiteType(text))
        var counts: [String: JSONValue] = [:]
        for finding in verdict.findings { counts[finding.category.rawValue] = .number((counts[finding.category.rawValue]?.doubleValue ?? 0) + 1) }
        return CompletedEventPayload(
            trustScore: verdict.trustScore,
            riskLevel: verdict.riskLevel,
            narrative: verdict.narrative(mode: job.verdictMode, url: job.url),
            signalScores: [
                "security": Double(security.score),
                "dark_patterns": Double(verdict.darkPatternScore),
                "transparency": Double(verdict.transparencyScore),
            ],
            siteType: verdict.siteType,
            securityResults: security.jsonValue(startURL: startURL, finalURL: page.finalURL, redirects: page.redirects),
            darkPatternSummary: DarkPatternSummary(
                findings: verdict.findings,
                summary: .object(["by_category": .object(counts), "total": .number(Double(verdict.findings.count))]))
        )
    }

    // MARK: Fetching

    struct FetchedPage {
        var finalURL: URL
        /// Every hop before the final one: the URL asked for and its redirect status.
        var redirects: [(url: String, status: Int)]
        /// Header names lowercased, repeated names kept.
        var headers: [(String, String)]
        var body: String
    }

    /// GET with redirects followed by hand (to record the chain), timeouts and a body limit.
    func fetch(_ startURL: URL, limits: Timeouts) async throws -> FetchedPage {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(limits.connect), read: TimeAmount(limits.read)))
        configuration.decompression = .enabled(limit: .size(maxPageBytes * 4))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let page = try await fetch(startURL, limits: limits, client: client)
            try? await client.shutdown()
            return page
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func fetch(_ startURL: URL, limits: Timeouts, client: HTTPClient) async throws -> FetchedPage {
        let deadline = NIODeadline.now() + TimeAmount(limits.total)
        var url = startURL
        var redirects: [(url: String, status: Int)] = []
        while true {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: "Veritas/\(RunnerVersion.current) (+trust audit)")
            request.headers.add(name: "Accept", value: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                throw AuditFailure(Self.describe(error, url: url, limits: limits))
            }
            let status = Int(response.status.code)
            if (300..<400).contains(status), let location = response.headers.first(name: "location") {
                guard redirects.count < maxRedirects else {
                    throw AuditFailure("\(startURL.absoluteString) redirects more than \(maxRedirects) times")
                }
                guard let next = URL(string: location, relativeTo: url)?.absoluteURL,
                      let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                    throw AuditFailure("\(url.absoluteString) redirects to an unusable location '\(location.prefix(200))'")
                }
                redirects.append((url.absoluteString, status))
                url = next
                continue
            }
            if status >= 400 {
                throw AuditFailure("\(url.absoluteString) answered HTTP \(status) \(response.status.reasonPhrase)")
            }
            let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
            guard contentType.contains("text/html") || contentType.contains("application/xhtml+xml") else {
                throw AuditFailure("\(url.absoluteString) is not an HTML page (Content-Type: \(contentType.isEmpty ? "none" : contentType))")
            }
            var body = Data()
            do {
                for try await chunk in response.body {
                    guard body.count + chunk.readableBytes <= maxPageBytes else {
                        throw AuditFailure("\(url.absoluteString) is larger than the \(maxPageBytes / 1024 / 1024) MiB page limit")
                    }
                    body.append(contentsOf: chunk.readableBytesView)
                }
            } catch let failure as AuditFailure {
                throw failure
            } catch {
                throw AuditFailure(Self.describe(error, url: url, limits: limits))
            }
            let headers = response.headers.map { ($0.name.lowercased(), $0.value) }
            return FetchedPage(finalURL: url, redirects: redirects, headers: headers, body: String(decoding: body, as: UTF8.self))
        }
    }

    /// A message for the analyst: what failed, in words.
    static func describe(_ error: any Error, url: URL, limits: Timeouts) -> String {
        let host = url.host ?? url.absoluteString
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "could not connect to \(host): timed out after \(limits.connect)"
            case .readTimeout: return "\(host) stopped answering (no data for \(limits.read))"
            case .deadlineExceeded: return "\(url.absoluteString) did not load within \(limits.total)"
            case .remoteConnectionClosed: return "\(host) closed the connection before answering"
            case .cancelled: return "the fetch of \(url.absoluteString) was cancelled"
            default: break
            }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("refused") { return "could not connect to \(host): connection refused" }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") || lowered.contains("handshake") {
            return "TLS failure with \(host): \(text)"
        }
        if lowered.contains("dns") || lowered.contains("resolv") || lowered.contains("getaddrinfo") || lowered.contains("unknown host") {
            return "could not resolve \(host): \(text)"
        }
        if lowered.contains("timeout") || lowered.contains("timed out") { return "\(url.absoluteString) timed out: \(text)" }
        return "fetching \(url.absoluteString) failed: \(text)"
    }
}
