import Foundation
import Logging
import Testing
import VeritasDemo
import VeritasHTML
import VeritasProtocol
@testable import VeritasRunner

/// The `deep` tier follows the same-site links that matter (cart, checkout, pricing, cancel,
/// account) in the rendered page, screenshots them and runs the detectors on them too.
@Suite("deep tier: followed pages")
struct DeepTierTests {
    static let home = """
        <!DOCTYPE html><html lang="en"><head><title>Kettle Co</title></head><body>
        <h1>Kettles</h1><p>Our kettles boil fast.</p>
        <a href="/cart.html">Your cart</a> <a href="/pricing.html#plans">Pricing</a> <a href="/about.html">About us</a>
        <a href="https://example.com/cart">Partner cart</a> <a href="/cart.html">Cart again</a>
        <footer><a href="/privacy">Privacy</a></footer>
        <script>document.addEventListener('DOMContentLoaded', function () {
          var a = document.createElement('a'); a.href = '/check' + 'out.html'; a.textContent = 'Checkout'; document.body.appendChild(a);
        });</script></body></html>
        """
    static let cart = """
        <!DOCTYPE html><html lang="en"><head><title>Checkout</title></head><body>
        <h2>Step 3 of 3: Payment</h2>
        <table><tr><td>Kettle</td><td>$39.00</td></tr><tr><td>Service fee</td><td>$4.50</td></tr></table>
        </body></html>
        """
    static let plain = "<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body><p>Plain page.</p></body></html>"

    @Test("links worth following: same site, named cart/checkout/pricing/cancel/account, no repeats, no fragments, at most the limit")
    func choosingLinks() throws {
        let base = URL(string: "http://shop.example/")!
        let document = try HTMLDocument(parsing: Self.home, baseURL: base)
        let chosen = HTTPAuditEngine.linksWorthFollowing(in: document, from: base, limit: 3)
        #expect(chosen.map(\.absoluteString) == ["http://shop.example/cart.html", "http://shop.example/pricing.html"])
        #expect(HTTPAuditEngine.linksWorthFollowing(in: document, from: base, limit: 1).count == 1)
    }

    @Test("a deep audit screenshots and analyses the followed pages; a standard audit does not follow")
    func deepAudit() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, html) in [("index.html", Self.home), ("cart.html", Self.cart), ("pricing.html", Self.plain), ("about.html", Self.plain),
                             ("checkout.html", Self.plain)] {
            try Data(html.utf8).write(to: folder.appendingPathComponent(name))
        }
        let server = try await SampleSiteServer.start(root: folder)
        defer { Task { await server.stop() } }
        let engine = HTTPAuditEngine(configuration: Corpus.loopbackConfiguration, logger: Logger(label: "deep"))

        func audit(_ tier: Tier) async throws -> (CompletedEventPayload, [String]) {
            let shots = ShotLog()
            let job = AuditJob(auditID: .generate(), url: "http://127.0.0.1:\(server.port)/index.html", tier: tier,
                               verdictMode: .expert, attempt: 1, createdAt: .now)
            let result = try await engine.audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, label, _, image in shots.add(label, image) }))
            return (result, shots.labels)
        }

        let (deep, deepShots) = try await audit(.deep)
        #expect(deepShots.contains("followed: /cart.html") && deepShots.contains("followed: /pricing.html"), "\(deepShots)")
        // A link a script adds is followed too: links are chosen from the rendered page.
        #expect(deepShots.contains("followed: /checkout.html"), "\(deepShots)")
        #expect(!deepShots.contains("followed: /about.html"))
        let fee = deep.darkPatternSummary.findings.first { $0.patternType == .hiddenCosts }
        #expect(fee?.evidence == "Service fee")
        #expect(fee?.location?.hasPrefix("/cart.html:") == true)

        let (standard, standardShots) = try await audit(.standard)
        #expect(!standardShots.contains { $0.hasPrefix("followed:") })
        #expect(!standard.darkPatternSummary.findings.contains { $0.patternType == .hiddenCosts })
    }
}
