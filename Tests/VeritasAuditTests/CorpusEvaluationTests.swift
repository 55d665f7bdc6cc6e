import Foundation
import Logging
import Testing
import VeritasAudit
import VeritasDemo
import VeritasHTML
import VeritasProtocol
@testable import VeritasRunner

/// The audit engine against the labelled corpus: every page served on loopback, fetched, rendered
/// in headless Chromium and audited exactly as a runner audits a site; the findings are scored
/// against `labels.json` (see ``CorpusScore``) and the verdicts checked.
///
/// Runs with the process suites (`make test` runs them one at a time): it drives about 60
/// Chromium renderings.
@Suite("corpus evaluation: the real engine on the labelled pages", .serialized)
struct CorpusEvaluationTests {
    /// The bars of issue 7, over all findings.
    static let minimumPrecision = 0.90
    static let minimumRecall = 0.85
    /// Issue 12: the trust score separates clean from manipulative pages.
    static let minimumTrustAUC = 0.95

    /// ROC AUC of (100 − trust) for "the page has dark patterns": the chance that a manipulative
    /// page scores below a clean one (ties count half).
    static func trustAUC(_ audited: [Audited]) -> Double {
        WordingEvaluation.rocAUC(scores: audited.map { Double(100 - $0.result.trustScore) }, labels: audited.map { !$0.page.clean })
    }

    /// Trust AUC, clean pages rated high or critical, and the median trust of each kind of page.
    static func separation(_ audited: [Audited]) -> String {
        let clean = audited.filter(\.page.clean).map(\.result.trustScore).sorted()
        let manipulative = audited.filter { !$0.page.clean }.map(\.result.trustScore).sorted()
        let highRiskClean = audited.filter { $0.page.clean && ($0.result.riskLevel == .high || $0.result.riskLevel == .critical) }
        return String(format: "trust AUC %.3f; median trust: clean %d, manipulative %d; clean pages rated high/critical risk: %d",
                      trustAUC(audited), clean.isEmpty ? 0 : clean[clean.count / 2],
                      manipulative.isEmpty ? 0 : manipulative[manipulative.count / 2], highRiskClean.count)
            + highRiskClean.map { " \($0.page.page)" }.joined()
    }

    struct Audited: Sendable {
        var page: Corpus.Page
        var result: CompletedEventPayload
        var screenshots: [String]
        /// Wall-clock time of the whole audit (fetch, render, screenshots, analysis).
        var seconds: Double
    }

    /// Audits every corpus page, three at a time.
    static func auditCorpus() async throws -> [Audited] {
        // The engine's own lookup (chromium or chromium-browser on PATH), as a runner does it.
        try #require(PageRenderer.locateChromium(configured: "") != nil,
                     "headless Chromium is required (make test installs it): the corpus has pages only a browser shows")
        let server = try await SampleSiteServer.start(root: Corpus.pagesFolder)
        defer { Task { await server.stop() } }
        var logger = Logger(label: "corpus")
        logger.logLevel = .warning
        let engine = HTTPAuditEngine(configuration: Corpus.loopbackConfiguration, logger: logger)
        let pages = try Corpus.pages()
        // With VERITAS_CORPUS_MODEL=held-out each page is read with a wording model that never saw
        // the texts it quotes (see CorpusWordingModels); else with the bundled one, as sites are.
        var models: [String: WordingModel] = [:]
        if CorpusWordingModels.usesHeldOutModels {
            let (byPage, summary) = try await CorpusWordingModels.models(for: pages, all: try Corpus.allPages())
            models = byPage
            print("wording model: held out, one per fold of the corpus, trained without the texts its pages quote: \(summary)")
        } else {
            print("wording model: the bundled one, trained on the texts the corpus pages quote: fitted figures (VERITAS_CORPUS_MODEL=held-out for held-out ones)")
        }
        return try await withThrowingTaskGroup(of: Audited.self) { group in
            var results: [Audited] = []
            var next = 0
            func start() {
                let page = pages[next]
                next += 1
                var engine = engine
                engine.wordingModel = models[page.page] ?? .bundled
                group.addTask {
                    let url = "http://127.0.0.1:\(server.port)/\(page.page)"
                    let shots = ShotLog()
                    let started = ContinuousClock.now
                    let job = AuditJob(auditID: .generate(), url: url, tier: .standard, verdictMode: .expert, attempt: 1, createdAt: .now)
                    let result = try await engine.audit(job, reporter: AuditReporter(
                        progress: { _, _, _ in },
                        screenshot: { _, label, _, image in shots.add(label, image) }))
                    let elapsed = ContinuousClock.now - started
                    return Audited(page: page, result: result, screenshots: shots.labels,
                                   seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                }
            }
            for _ in 0..<min(3, pages.count) { start() }
            while let audited = try await group.next() {
                results.append(audited)
                if next < pages.count { start() }
            }
            return results.sorted { $0.page.page < $1.page.page }
        }
    }

    @Test("precision and recall over all findings meet the bar; every page rendered, screenshotted and verdicted sensibly")
    func corpus() async throws {
        let audited = try await Self.auditCorpus()
        #expect(audited.count == (try Corpus.pages()).count)

        var score = CorpusScore()
        for entry in audited { score.add(page: entry.page, findings: entry.result.darkPatternSummary.findings) }
        print("CORPUS EVALUATION, all \(audited.count) pages:\n" + score.report)
        // The part seen while tuning and the held-back part, reported apart: figures on tuned
        // pages say little about new ones.
        for (name, part) in [("seen while tuning", audited.filter(\.page.isTuned)),
                             ("measured once, not yet learnt from", audited.filter { $0.page.split == "measured" }),
                             ("measured once, then learnt from in one round (tuned, below the bar)", audited.filter { $0.page.split == "learning" }),
                             ("UNSEEN part (held back until the end)", audited.filter(\.page.isUnseen))] where !part.isEmpty {
            var partScore = CorpusScore()
            for entry in part { partScore.add(page: entry.page, findings: entry.result.darkPatternSummary.findings) }
            print("\nCORPUS, \(name), \(part.count) pages:\n" + partScore.report)
            print(Self.separation(part))
        }
        // The bar is checked on the pages seen while tuning; the held-back, the measured-once and
        // the learning parts are printed above and gate nothing (the learning part is tuned
        // material below the bar, reported so that it is not hidden). Run with
        // VERITAS_CORPUS_SPLIT=unseen (or =measured) and it is the only part, so the bar applies to it.
        let gated = audited.contains(where: \.page.isTuned) ? audited.filter(\.page.isTuned) : audited
        if gated.count < audited.count {
            for entry in audited where !entry.page.isTuned && (entry.page.clean ? entry.result.riskLevel == .high || entry.result.riskLevel == .critical : entry.result.riskLevel == .low) {
                print("NOT TUNED: \(entry.page.page) (\(entry.page.clean ? "clean" : "positive")) scored \(entry.result.trustScore) (\(entry.result.riskLevel.rawValue))")
            }
            score = CorpusScore()
            for entry in gated { score.add(page: entry.page, findings: entry.result.darkPatternSummary.findings) }
        }
        let auc = Self.trustAUC(gated)
        print("\nCORPUS SUMMARY (\(gated.count) pages checked against the bar): precision \(String(format: "%.3f", score.overall.precision)) recall \(String(format: "%.3f", score.overall.recall)) "
              + "trust-AUC \(String(format: "%.3f", auc)) false-findings-on-clean \(score.findingsOnCleanPages)")
        #expect(auc >= Self.minimumTrustAUC, "trust score separates clean from manipulative pages with AUC \(auc)")
        #expect(score.overall.precision >= Self.minimumPrecision, "precision \(score.overall.precision) below \(Self.minimumPrecision)\n\(score.report)")
        #expect(score.overall.recall >= Self.minimumRecall, "recall \(score.overall.recall) below \(Self.minimumRecall)\n\(score.report)")
        for category in DarkPatternCategory.allCases {
            #expect((score.byCategory[category.rawValue]?.truePositives ?? 0) > 0, "no true positive at all for \(category.rawValue)")
        }

        var siteTypesRight = 0
        for entry in gated {
            let result = entry.result
            let security = result.securityResults
            #expect(security["rendered"]?.boolValue == true, "\(entry.page.page) was not rendered: \(security["render_error"] ?? .null)")
            #expect(entry.screenshots.contains("viewport") && entry.screenshots.contains { $0.hasPrefix("full page") },
                    "\(entry.page.page) screenshots: \(entry.screenshots)")
            if entry.page.clean {
                #expect(result.riskLevel == .low || result.riskLevel == .medium,
                        "clean page \(entry.page.page) scored \(result.trustScore) (\(result.riskLevel.rawValue)):\n\(result.narrative)")
            } else {
                #expect(result.riskLevel != .low, "\(entry.page.page) has dark patterns but scored low risk")
            }
            if result.siteType.rawValue == entry.page.site_type { siteTypesRight += 1 }
            // The expert narrative cites every finding's evidence.
            for finding in result.darkPatternSummary.findings {
                #expect(result.narrative.contains(finding.evidence.prefix(60)), "narrative of \(entry.page.page) does not cite \"\(finding.evidence)\"")
            }
        }
        let times = gated.map(\.seconds).sorted()
        print(String(format: "audit time per page (three at a time): median %.2f s, slowest %.2f s", times[times.count / 2], times.last ?? 0))
        let siteTypeAccuracy = Double(siteTypesRight) / Double(gated.count)
        print(String(format: "site types: %d of %d right (%.2f)", siteTypesRight, gated.count, siteTypeAccuracy))
        #expect(siteTypeAccuracy >= 0.75)
    }
}

/// Screenshot labels (and a PNG check) collected from an engine's reporter.
final class ShotLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ label: String, _ image: Data) {
        guard image.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return }
        lock.withLock { stored.append(label) }
    }
    var labels: [String] { lock.withLock { stored } }
}
