import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import VeritasBrowser
import VeritasProtocol
import VeritasTestSupport

/// `veritas analyze FILE` with headless Chromium: the file is rendered from its `file://` URL, so
/// patterns a script adds are found and screenshots are taken. Runs with the browser suites
/// (serially, after the parallel tests: see the Makefile), since each run starts Chromium.
@Suite("veritas analyze renders files", .timeLimit(.minutes(3)))
struct AnalyzeRenderingTests {
    /// A shop page whose stock warning is built by a script after load, from pieces, so the raw
    /// HTML never holds the words.
    static let scriptedPage = """
        <!DOCTYPE html><html lang="en"><head><title>Lamp shop</title></head><body>
        <h1>Desk lamp</h1><p class="price">€49.00</p><button>Add to basket</button>
        <div id="toast" aria-live="polite"></div>
        <script>
        document.addEventListener('DOMContentLoaded', () => {
          setTimeout(() => {
            const words = ['Only', String(1 + 1), 'left', 'in', 'stock', '-', 'order', 'soon'];
            document.getElementById('toast').textContent = words.join(' ');
          }, 300);
        });
        </script>
        </body></html>
        """

    private static func json(_ text: String) throws -> JSONValue {
        try JSONValue.decode(Data(text.split(separator: "\n").first.map { String($0) }?.utf8 ?? "".utf8))
    }

    private static func types(_ result: JSONValue) -> [String] {
        guard case .array(let findings) = result["dark_pattern_summary"]?["findings"] else { return [] }
        return findings.compactMap { $0["pattern_type"]?.stringValue }
    }

    @Test("a file is rendered in Chromium: a pattern its script adds is found and its screenshots are written")
    func scriptedFile() async throws {
        // Not skipped without Chromium: scripts/install-deps.sh installs it, so its absence is a
        // set-up failure to report.
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                     || FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium-browser"),
                     "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("veritas-analyze-render")
        defer { folder.remove() }
        let page = folder.url.appendingPathComponent("lamp.html")
        try Self.scriptedPage.write(to: page, atomically: true, encoding: .utf8)
        let shots = folder.url.appendingPathComponent("shots")

        let rendered = try await VeritasCLI.run(["analyze", page.path, "--json", "--screenshots", shots.path])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let result = try Self.json(rendered.stdout)
        #expect(result["security_results"]?["rendered"] == .bool(true), "\(rendered.stdout)")
        #expect(result["security_results"]?["render_error"] == .null)
        #expect(result["security_results"]?["source"] == .string("file"))
        #expect(Self.types(result).contains("low_stock"), "the script's stock warning: \(rendered.stdout)")
        let written = try FileManager.default.contentsOfDirectory(atPath: shots.path).sorted()
        #expect(written.count == 2, "viewport and full page: \(written)")
        for name in written {
            let bytes = try Data(contentsOf: shots.appendingPathComponent(name))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
            #expect(bytes.count > 1_000, "\(name) shows a rendered page")
        }

        // As written, the script does not run: the warning is not there, and the result says why.
        let raw = try await VeritasCLI.run(["analyze", page.path, "--json", "--no-browser"])
        #expect(raw.status == 0, "\(raw.stderr)")
        let rawResult = try Self.json(raw.stdout)
        #expect(rawResult["security_results"]?["rendered"] == .bool(false))
        #expect(!Self.types(rawResult).contains("low_stock"))
    }

    @Test("a file in a private folder (0700) is still rendered: from a readable copy when Chromium runs as another user, and the result says so")
    func fileInPrivateFolder() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                     || FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium-browser"),
                     "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("veritas-analyze-private")
        defer { folder.remove() }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.url.path)
        let page = folder.url.appendingPathComponent("lamp.html")
        try Self.scriptedPage.write(to: page, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: page.path)

        let run = try await VeritasCLI.run(["analyze", page.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try Self.json(run.stdout)
        let security = result["security_results"]
        #expect(security?["rendered"] == .bool(true), "\(run.stdout)")
        #expect(security?["render_error"] == .null)
        #expect(Self.types(result).contains("low_stock"), "the script ran: \(run.stdout)")
        #expect(result["url"] == .string(page.absoluteString), "the verdict names the file, not its copy")
        // Started from root (sandboxed), Chromium is `nobody` and needs the copy; else it opens the file.
        let copied = security?["render_note"]?.stringValue
        #expect((copied != nil) == (geteuid() == 0), "\(security?.description ?? "")")
        if let copied { #expect(copied.contains("readable copy") && copied.contains("relative path")) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("veritas-render-") }
        #expect(leftovers.isEmpty, "the copy's folder is removed after the audit: \(leftovers)")

        let plain = try await VeritasCLI.run(["analyze", page.path])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("as rendered in headless Chromium"), "\(plain.stdout)")
        if geteuid() == 0 { #expect(plain.stdout.contains("readable copy")) }
    }

    /// A page whose stock warning, built by a script, sits in a box fixed by its style sheet:
    /// where Chromium lays it out is known without measuring it.
    static let placedPage = """
        <!DOCTYPE html><html lang="en"><head><title>Lamp shop</title>
        <style>body{margin:0} #toast{position:absolute;left:200px;top:300px;width:400px;height:50px;margin:0;padding:0;overflow:hidden}</style>
        </head><body><h1>Desk lamp</h1><p>€49.00</p><button>Add to basket</button>
        <p id="toast" aria-live="polite"></p>
        <script>
        document.addEventListener('DOMContentLoaded', () => {
          setTimeout(() => { document.getElementById('toast').textContent = ['Only', String(1 + 1), 'left', 'in', 'stock'].join(' '); }, 300);
        });
        </script>
        </body></html>
        """

    @Test("analyze --html: a finding's box is where Chromium laid its element out, and the report outlines it there")
    func findingBoxAndReport() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("veritas-analyze-report")
        defer { folder.remove() }
        let page = folder.url.appendingPathComponent("lamp.html")
        try Self.placedPage.write(to: page, atomically: true, encoding: .utf8)
        let report = folder.url.appendingPathComponent("lamp-report.html")

        let run = try await VeritasCLI.run(["analyze", page.path, "--json", "--html", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try Self.json(run.stdout)
        #expect(result["report"] == .string(report.path))
        let findings = result["dark_pattern_summary"]?["findings"]?.arrayValue ?? []
        let stock = try #require(findings.first { $0["pattern_type"] == "low_stock" }, "\(run.stdout)")
        let box = try #require(stock["box"]?.objectValue, "the stock warning has a box: \(stock)")
        #expect(box["screenshot_index"] == 1, "drawn on the full-page screenshot (index 1, after the viewport)")
        #expect(box["x"] == 200 && box["y"] == 300 && box["width"] == 400 && box["height"] == 50, "\(box)")

        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(html.contains("<rect class=\"outline\" x=\"200.0\" y=\"300.0\" width=\"400.0\" height=\"50.0\"/>"))
        #expect(html.contains("Only 2 left in stock"))
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 2, "both screenshots inlined")

        // Without a browser there is no layout: no box, and the report says why.
        let rawReport = folder.url.appendingPathComponent("raw.html")
        let raw = try await VeritasCLI.run(["analyze", page.path, "--no-browser", "--html", rawReport.path])
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(raw.stdout.contains("report") && raw.stdout.contains(rawReport.path))
        #expect(try String(contentsOf: rawReport, encoding: .utf8).contains("<main class=\"report\">"))
    }

    @Test("the report of the demo's pressure shop, opened in Chromium, outlines every finding that has a box (README's picture)")
    func pressureShopReport() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("veritas-report-picture")
        defer { folder.remove() }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/VeritasDemo/Sites/pressure-shop/index.html")
        // Chromium reads the page from a folder of the test's own, readable by it: a checkout in a
        // private folder (`mktemp -d` is 0700) is not readable by the browser, and nothing renders.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.url.path)
        let shop = folder.url.appendingPathComponent("pressure-shop.html")
        try FileManager.default.copyItem(at: source, to: shop)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: shop.path)
        let report = folder.url.appendingPathComponent("pressure-shop-report.html")
        let run = try await VeritasCLI.run(["analyze", shop.path, "--json", "--html", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        let findings = try Self.json(run.stdout)["dark_pattern_summary"]?["findings"]?.arrayValue ?? []
        let boxed = findings.filter { $0["box"] != nil && $0["box"] != .null }
        #expect(boxed.count >= 3, "most of the shop's findings are on the page: \(findings.count) found, \(boxed.count) with a box")

        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: report.path)
        let browser = try await HeadlessBrowser.launch(BrowserOptions(viewportWidth: 1100, viewportHeight: 900))
        do {
            let tab = try await browser.newPage()
            _ = try await tab.navigate(to: report)
            let outlines = try await tab.evaluate("document.querySelectorAll('rect.outline').length")
            let distinctBoxes = Set(boxed.compactMap { $0["box"]?.description })
            #expect(outlines.intValue == distinctBoxes.count, "one outline per element with findings")
            let tagged = try await tab.evaluate("Array.from(document.querySelectorAll('.mark text')).map(t => t.textContent).join(',').split(',').length")
            #expect(tagged.intValue == boxed.count, "every boxed finding's number is on a tag")
            let listed = try await tab.evaluate("document.querySelectorAll('li.finding').length")
            #expect(listed.intValue == findings.count)
            // The picture: the full-page screenshot with its outlines, as a reader scrolls to it.
            _ = try await tab.evaluate("document.getElementById('shot-1').scrollIntoView()")
            let picture = try await tab.viewportScreenshot()
            #expect(picture.starts(with: [0x89, 0x50, 0x4E, 0x47]) && picture.count > 10_000, "a rendered report")
            if let target = ProcessInfo.processInfo.environment["VERITAS_PICTURES_DIR"] {
                try picture.write(to: URL(fileURLWithPath: target).appendingPathComponent("report.png"))
            }
            await browser.close()
        } catch {
            await browser.close()
            throw error
        }
    }
}
