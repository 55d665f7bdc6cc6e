import Foundation
import Testing
import VeritasBrowser
import VeritasProtocol
import VeritasReport

/// Reports opened in real headless Chromium: the style sheet its policy allows is applied, no
/// script from a hostile page runs, and each outline lies over its element in the screenshot.
@Suite("HTML report in a real browser", .timeLimit(.minutes(3)))
struct ReportInBrowserTests {
    static let chromium = ProcessInfo.processInfo.environment["VERITAS_CHROMIUM"] ?? "/usr/bin/chromium"

    /// A shop page whose texts carry markup and script, as a hostile page's would.
    static let hostilePage = """
        <!DOCTYPE html><html lang="en"><head><title>Shop</title>
        <style>body{margin:0;font:18px sans-serif} .pad{height:900px;background:#eef} #timer{margin:40px 0 0 120px;width:420px;padding:10px;background:#fdd}</style>
        </head><body><h1>Lamps</h1><div class="pad">catalogue</div>
        <p id="timer">Offer ends in 09:59 &lt;img src=x onerror="window.pwned=1"&gt;</p></body></html>
        """

    @Test("a report opens with its style, runs no script from the page's texts, and outlines the finding over its element")
    func reportInBrowser() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("shop.html")
        try Self.hostilePage.write(to: page, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: page.path)

        let browser = try await HeadlessBrowser.launch(BrowserOptions(executable: Self.chromium))
        do {
            // The page as the runner sees it: its full-page screenshot and where the timer is.
            let tab = try await browser.newPage()
            _ = try await tab.navigate(to: page)
            let rect = try await tab.evaluate("(() => { const r = document.getElementById('timer').getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()")
            let measured = rect.arrayValue?.compactMap(\.doubleValue) ?? []
            try #require(measured.count == 4)
            let shot = try await tab.fullPageScreenshot()
            let evidence = try #require(try await tab.evaluate("document.getElementById('timer').textContent").stringValue)
            let box = FindingBox(screenshotIndex: 0, x: measured[0], y: measured[1], width: measured[2], height: measured[3])
            var audit = ReportSamples.completedAudit(url: page.absoluteString, narrative: "Narrative <script>window.pwned=2</script>")
            audit.securityResults = ReportSamples.securityResults
            let report = AuditReport(
                audit: audit,
                findings: [
                    Finding(patternType: .countdownTimer, severity: .high, confidence: 0.9, evidence: evidence, location: "p#timer", box: box),
                    Finding(patternType: .confirmshaming, severity: .medium, confidence: 0.7, evidence: "<script>window.pwned=3</script>No thanks"),
                ],
                screenshots: [AuditReport.Screenshot(index: 0, label: "full page", contentType: .png, image: shot.png)],
                origin: "test")
            let file = folder.appendingPathComponent("report.html")
            try Data(HTMLReport.render(report).utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)

            // The report, opened like a person would.
            let reader = try await browser.newPage()
            _ = try await reader.navigate(to: file)
            let facts = try await reader.evaluate("""
                (() => {
                  const svg = document.querySelector('#shot-0 svg').getBoundingClientRect();
                  const outline = document.querySelector('#shot-0 rect.outline').getBoundingClientRect();
                  const verdict = getComputedStyle(document.querySelector('.verdict'));
                  return {
                    pwned: typeof window.pwned, findings: document.querySelectorAll('li.finding').length,
                    border: verdict.borderTopWidth, imageLoaded: document.querySelector('#shot-0 image') !== null,
                    evidence: document.querySelector('#finding-2 .evidence').textContent,
                    svgLeft: svg.left, svgTop: svg.top, svgWidth: svg.width,
                    left: outline.left, top: outline.top, width: outline.width, height: outline.height
                  };
                })()
                """)
            #expect(facts["pwned"]?.stringValue == "undefined", "no script from the page's texts ran")
            #expect(facts["findings"]?.intValue == 2)
            #expect(facts["border"]?.stringValue == "2px", "the style sheet the policy hashes is applied")
            #expect(facts["evidence"]?.stringValue == "<script>window.pwned=3</script>No thanks", "hostile evidence is shown as text")
            // The outline sits where the element was, scaled like the image.
            let scale = try #require(facts["svgWidth"]?.doubleValue) / Double(shot.width)
            let tolerance = 2.0
            #expect(abs((facts["left"]!.doubleValue! - facts["svgLeft"]!.doubleValue!) - measured[0] * scale) <= tolerance)
            #expect(abs((facts["top"]!.doubleValue! - facts["svgTop"]!.doubleValue!) - measured[1] * scale) <= tolerance)
            #expect(abs(facts["width"]!.doubleValue! - measured[2] * scale) <= tolerance)
            #expect(abs(facts["height"]!.doubleValue! - measured[3] * scale) <= tolerance)
            await browser.close()
        } catch {
            await browser.close()
            throw error
        }
    }
}
