import Foundation
import Logging
import Testing
import VeritasAudit
import VeritasDemo
import VeritasHTML
import VeritasProtocol
import VeritasRunner

/// A page that is nothing but a script: the served HTML has an empty `<div id="app">`, and
/// everything a visitor sees (a product, a ticking countdown, a pre-checked add-on, a low-stock
/// line, a shaming decline link) is built by JavaScript after load.
@Suite("a JavaScript-only page is audited as a person sees it")
struct JavaScriptPageTests {
    static let page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Lumen Lamps</title>
        <style>.faint{font-size:10px;color:#ccc} .big{font-size:20px;background:#0a7;color:#fff}</style></head>
        <body><div id="app"></div>
        <script>
        document.addEventListener('DOMContentLoaded', function () {
          var app = document.getElementById('app');
          function add(tag, text, parent) { var e = document.createElement(tag); if (text) e.textContent = text; (parent || app).appendChild(e); return e; }
          add('h1', ['Aurora', 'desk', 'lamp'].join(' '));
          add('p', 'Price: $' + (89).toFixed(2));
          var stock = add('p', ['Only', 3, 'left', 'in', 'stock'].join(' '));
          var deal = add('p', 'Deal ' + 'ends in ');
          var clock = add('span', '', deal);
          var end = Date.now() + 15 * 60 * 1000;
          function tick() { var s = Math.max(0, Math.round((end - Date.now()) / 1000)); clock.textContent = Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }
          tick(); setInterval(tick, 1000);
          var form = add('form');
          var label = add('label', '', form);
          var box = document.createElement('input'); box.type = 'checkbox'; box.checked = true; label.appendChild(box);
          label.appendChild(document.createTextNode(' Add bulb protection plan (' + '$' + '9.99)'));
          var buy = add('button', 'Add to cart', form); buy.className = 'big';
          var no = add('a', 'No thanks, I ' + 'like overpaying for ' + 'broken bulbs', form); no.href = '#';
        });
        </script>
        <footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact</a> © 2026 Lumen Lamps Ltd</footer>
        </body></html>
        """

    @Test("the engine renders the page and finds the countdown, the pre-checked add-on, the low stock and the shaming link; the raw HTML shows none")
    func javascriptOnlyPage() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-js-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.page.utf8).write(to: folder.appendingPathComponent("app.html"))
        let server = try await SampleSiteServer.start(root: folder)
        defer { Task { await server.stop() } }

        // What the served HTML alone shows: no text at all in the body but the footer.
        let raw = AuditedPage(url: nil, document: try HTMLDocument(parsing: Self.page), isRendered: false)
        #expect(DarkPatternDetector.findings(on: raw).isEmpty)

        let engine = HTTPAuditEngine(configuration: Corpus.loopbackConfiguration, logger: Logger(label: "js-page"))
        let job = AuditJob(auditID: .generate(), url: "http://127.0.0.1:\(server.port)/app.html", tier: .standard,
                           verdictMode: .expert, attempt: 1, createdAt: .now)
        let shots = ShotLog()
        let result = try await engine.audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, label, _, image in shots.add(label, image) }))
        let findings = result.darkPatternSummary.findings
        let types = Set(findings.map(\.patternType))
        #expect(types.isSuperset(of: [.countdownTimer, .sneakIntoBasket, .lowStock, .confirmshaming]), "found \(findings)")
        #expect(findings.contains { $0.patternType == .countdownTimer && $0.evidence.contains("Deal ends in") })
        #expect(findings.contains { $0.patternType == .sneakIntoBasket && $0.evidence.contains("Add bulb protection plan") })
        #expect(result.securityResults["rendered"]?.boolValue == true)
        #expect(shots.labels.contains("viewport"))
        #expect(result.riskLevel == .high || result.riskLevel == .critical, "scored \(result.trustScore) \(result.riskLevel)")
    }
}
