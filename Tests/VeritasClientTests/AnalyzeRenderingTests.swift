import Foundation
import Testing
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
}
