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

    /// Serves `html` on loopback and audits it with the real engine, as a runner would.
    private static func audit(_ html: String, shots: ShotLog = ShotLog()) async throws -> CompletedEventPayload {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-js-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(html.utf8).write(to: folder.appendingPathComponent("page.html"))
        let server = try await SampleSiteServer.start(root: folder)
        defer { Task { await server.stop() } }
        let engine = HTTPAuditEngine(configuration: Corpus.loopbackConfiguration, logger: Logger(label: "js-page"))
        let job = AuditJob(auditID: .generate(), url: "http://127.0.0.1:\(server.port)/page.html", tier: .standard,
                           verdictMode: .expert, attempt: 1, createdAt: .now)
        return try await engine.audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, label, _, image in shots.add(label, image) }))
    }

    @Test("the engine renders the page and finds the countdown, the pre-checked add-on, the low stock and the shaming link; the raw HTML shows none")
    func javascriptOnlyPage() async throws {
        // What the served HTML alone shows: no text at all in the body but the footer.
        let raw = AuditedPage(url: nil, document: try HTMLDocument(parsing: Self.page), isRendered: false)
        #expect(DarkPatternDetector.findings(on: raw).isEmpty)

        let shots = ShotLog()
        let result = try await Self.audit(Self.page, shots: shots)
        let findings = result.darkPatternSummary.findings
        let types = Set(findings.map(\.patternType))
        #expect(types.isSuperset(of: [.countdownTimer, .sneakIntoBasket, .lowStock, .confirmshaming]), "found \(findings)")
        #expect(findings.contains { $0.patternType == .countdownTimer && $0.evidence.contains("Deal ends in") })
        #expect(findings.contains { $0.patternType == .sneakIntoBasket && $0.evidence.contains("Add bulb protection plan") })
        #expect(result.securityResults["rendered"]?.boolValue == true)
        #expect(shots.labels.contains("viewport"))
        #expect(result.riskLevel == .high || result.riskLevel == .critical, "scored \(result.trustScore) \(result.riskLevel)")
    }

    /// A sale clock drawn as four digit boxes side by side (no separators: `innerText` reads
    /// "02230054"), its units in a caption line under them, ticking every second.
    static let digitBoxPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Swell Surf School</title>
        <style>.digits span{display:inline-block;width:40px;margin-right:6px;text-align:center;background:#123;color:#fff}</style></head>
        <body><main><h1>Winter surf week</h1><p>€340 per week</p><button>Book now</button>
        <div class="promo"><p>20% off winter weeks</p>
        <p class="digits" role="timer"><span id="d">02</span><span id="h">23</span><span id="m">00</span><span id="s">54</span></p>
        <p>DAYS HRS MINS SECS</p></div></main>
        <script>
        (function () {
          var end = Date.now() + ((2 * 24 + 23) * 3600 + 54) * 1000;
          function two(n) { return ('0' + n).slice(-2); }
          function tick() {
            var s = Math.max(0, Math.floor((end - Date.now()) / 1000));
            document.getElementById('d').textContent = two(Math.floor(s / 86400));
            document.getElementById('h').textContent = two(Math.floor(s / 3600) % 24);
            document.getElementById('m').textContent = two(Math.floor(s / 60) % 60);
            document.getElementById('s').textContent = two(s % 60);
          }
          tick(); setInterval(tick, 1000);
        })();
        </script>
        <footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact</a></footer>
        </body></html>
        """

    @Test("a clock of digit boxes is seen ticking: the renderer takes the second snapshot and the countdown is found with its offer and units")
    func digitBoxCountdown() async throws {
        let result = try await Self.audit(Self.digitBoxPage)
        let countdown = result.darkPatternSummary.findings.first { $0.patternType == .countdownTimer }
        #expect(countdown?.evidence.hasPrefix("20% off winter weeks 02 23 ") == true, "\(result.darkPatternSummary.findings)")
        #expect(countdown?.evidence.hasSuffix("DAYS HRS MINS SECS") == true)
    }

    /// A cart widget that builds its offer and clock 1.6 s after load: after the renderer's
    /// first snapshot (1 s after load), before its second.
    static let lateClockPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Cart</title></head>
        <body><main><h1>Your cart</h1><p>Carved fox, set of 3 $84.00</p><div id="offer"></div><button>Check out</button></main>
        <script>
        window.addEventListener('load', function () {
          setTimeout(function () {
            var offer = document.getElementById('offer');
            var line = document.createElement('p'); line.textContent = 'Extra 10% off your cart ends in ';
            var clock = document.createElement('span'); line.appendChild(clock); offer.appendChild(line);
            var end = Date.now() + 29 * 60 * 1000;
            function tick() { var s = Math.max(0, Math.round((end - Date.now()) / 1000)); clock.textContent = Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }
            tick(); setInterval(tick, 1000);
          }, 1600);
        });
        </script>
        <footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact</a></footer>
        </body></html>
        """

    @Test("a clock a script builds between the renderer's two snapshots is read over one more pair and found ticking")
    func clockBuiltLate() async throws {
        let result = try await Self.audit(Self.lateClockPage)
        let countdown = result.darkPatternSummary.findings.first { $0.patternType == .countdownTimer }
        #expect(countdown?.evidence.hasPrefix("Extra 10% off your cart ends in 28:") == true, "\(result.darkPatternSummary.findings)")
    }

    /// A shop whose newsletter pop-up opens 3.5 s after load (later than both snapshots, as real
    /// shops' pop-ups often are), with a shaming decline; and a second pop-up set for 20 s, past
    /// the renderer's horizon, which a quick visitor never sees; a sale clock ticks all along.
    static let latePopupPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Tide Tea Co.</title></head>
        <body><main><h1>Sencha, 100 g</h1><p>£8.50</p><button>Add to basket</button>
        <p>Free delivery offer ends in <span id="clock"></span></p></main>
        <script>
        var end = Date.now() + 19 * 60 * 1000;
        function tick() { var s = Math.max(0, Math.round((end - Date.now()) / 1000)); document.getElementById('clock').textContent = Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }
        tick(); setInterval(tick, 1000);
        window.addEventListener('load', function () {
          setTimeout(function () {
            document.body.insertAdjacentHTML('beforeend',
              '<div role="dialog" aria-modal="true" class="signup"><h2>Get 10% off your first order</h2>' +
              '<input type="email" placeholder="Email"><button>Sign me up</button>' +
              '<a href="#" class="decline">No thanks, I like paying full price</a></div>');
          }, 3500);
          setTimeout(function () {
            document.body.insertAdjacentHTML('beforeend', '<p class="late">Hurry! Only 2 left in stock</p>');
          }, 20000);
        });
        </script>
        <footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact</a></footer>
        </body></html>
        """

    @Test("a pop-up a timer opens after both snapshots is read in a late snapshot and its shaming decline found; a timer past the horizon is not waited for")
    func popupOpenedLate() async throws {
        let started = ContinuousClock.now
        let result = try await Self.audit(Self.latePopupPage)
        let elapsed = ContinuousClock.now - started
        let findings = result.darkPatternSummary.findings
        #expect(findings.contains { $0.patternType == .confirmshaming && $0.evidence == "No thanks, I like paying full price" }, "\(findings)")
        // The clock ticks in every snapshot: one countdown, not one per reading.
        #expect(findings.filter { $0.patternType == .countdownTimer }.count == 1, "\(findings)")
        // The 20 s timer is past the horizon: its line was never drawn, and the audit did not wait for it.
        #expect(!findings.contains { $0.patternType == .lowStock }, "\(findings)")
        #expect(elapsed < .seconds(20), "the audit waited \(elapsed)")
    }

    /// A shop whose discount pop-up opens only when the pointer leaves the window through the top
    /// (exit intent, with no timer to fall back on), with a shaming decline; a mouseout to another
    /// element of the page must not open it.
    static let exitIntentPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Backspin Bats</title></head>
        <body><header><nav><a href="/">Home</a> <a href="/bats">Bats</a></nav></header>
        <main><h1>Carbon blade, FL handle</h1><p>£64.00</p><button>Add to basket</button></main>
        <script>
        document.addEventListener('mouseout', function (event) {
          if (event.relatedTarget || event.clientY > 10 || document.getElementById('exit')) return;
          document.body.insertAdjacentHTML('beforeend',
            '<div id="exit" role="dialog" aria-modal="true"><h2>Wait! Your basket qualifies for 15% off</h2>' +
            '<button>Apply 15% to my basket</button><button class="no">No thanks, I like paying full price</button></div>');
        });
        </script>
        <footer><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact</a></footer>
        </body></html>
        """

    @Test("an exit-intent pop-up is opened by the pointer leaving the window, and its shaming decline found; the served HTML has none")
    func exitIntentPopup() async throws {
        let result = try await Self.audit(Self.exitIntentPage)
        let findings = result.darkPatternSummary.findings
        #expect(findings.contains { $0.patternType == .confirmshaming && $0.evidence == "No thanks, I like paying full price" }, "\(findings)")
        let raw = try HTMLDocument(parsing: Self.exitIntentPage)
        #expect(!raw.segments.contains { $0.text.contains("No thanks") })
    }
}
