import Foundation
import Testing
import VeritasBrowser
import VeritasClient
import VeritasDemo
import VeritasProtocol
import VeritasTestSupport

/// The console as a person uses it: a real writer, a real `veritas-runner` process auditing the
/// sample sites with headless Chromium, and the console, all on loopback, driven by another
/// headless Chromium through its pages.
@Suite("console in a real browser", .timeLimit(.minutes(5)))
struct ConsoleBrowserTests {
    /// A shop page whose texts carry markup and script, as a hostile page's would.
    static let hostilePage = """
        <!DOCTYPE html><html lang="en"><head><title>Gadgets &lt;script&gt;window.pwned=3&lt;/script&gt;</title></head><body>
        <h1>Gadget &lt;img src=x onerror="window.pwned=4"&gt;</h1><p class="price">$19.99</p><button>Add to cart</button>
        <p class="stock">Only 2 left in stock! &lt;img src=x onerror="window.pwned=1"&gt;</p>
        <a class="decline" href="/">No thanks, I don't want to save &lt;script&gt;window.pwned=2&lt;/script&gt;</a>
        <footer><a href="/privacy">Privacy</a></footer>
        </body></html>
        """

    @Test("submit through the form, watch live progress reach 100%, read the verdict with findings outlined; list and health; a hostile page runs nothing")
    func console() async throws {
        let runnerPath = try #require(BuiltProducts.url("veritas-runner"), "veritas-runner was not built next to the tests")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "headless Chromium is not installed: run scripts/install-deps.sh")
        let folder = try TemporaryFolder("veritas-console-browser")
        defer { folder.remove() }
        let hostileRoot = folder.url.appendingPathComponent("hostile-site")
        try FileManager.default.createDirectory(at: hostileRoot.appendingPathComponent("hostile"), withIntermediateDirectories: true)
        try Self.hostilePage.write(to: hostileRoot.appendingPathComponent("hostile/index.html"), atomically: true, encoding: .utf8)
        let sites = try await SampleSiteServer.start()
        let hostileSite = try await SampleSiteServer.start(root: hostileRoot)

        try await withConsole { console, writer, client in
            let runner = try SpawnedProcess(
                executable: runnerPath.path,
                arguments: ["--writer", writer.endpoints.runners, "--data-dir", folder.url.appendingPathComponent("runner").path,
                            "--set", "fetch.allow_private_networks=true", "--set", "log.format=text"],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                stdout: folder.url.appendingPathComponent("runner.out"), stderr: folder.url.appendingPathComponent("runner.err"))
            defer {
                runner.terminate()
                _ = runner.waitForExit()
            }
            let browser = try await HeadlessBrowser.launch(BrowserOptions(viewportWidth: 1100, viewportHeight: 900))
            do {
                let tab = try await browser.newPage()
                func value(_ script: String) async throws -> JSONValue { try await tab.evaluate(script) }

                // The list, and the submit form filled and sent as a person would.
                _ = try await tab.navigate(to: URL(string: console.base + "/")!)
                let shop = sites.url(of: .pressureShop)
                _ = try await value("""
                    (() => { const form = document.querySelector('form.submit');
                      form.querySelector('input[name=url]').value = \(JSONValue.string(shop).encodedText);
                      form.requestSubmit(); return true; })()
                    """)
                let onAuditPage = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                    let path = try? await value("location.pathname").stringValue
                    let state = try? await value("document.readyState").stringValue
                    return (path ?? nil)?.hasPrefix("/audits/") == true && (state ?? nil) == "complete"
                }
                let where_ = try await value("location.href + ' ' + document.body.innerText.slice(0, 400)").stringValue ?? ""
                try #require(onAuditPage, "the form did not lead to the audit's page: \(where_)")
                let path = try #require(try await value("location.pathname").stringValue)
                let id = try AuditID(String(path.dropFirst("/audits/".count)))
                #expect(try await client.status(id).url == shop, "the form queued the URL typed")

                // Live progress: the bar moves while the runner works, reaches 100%, and the verdict
                // replaces the page's content without a reload.
                #expect(try await value("document.getElementById('live') !== null").boolValue == true, "an audit under way shows live progress")
                var seen: Set<Int> = []
                let finished = try await eventually(timeout: .seconds(150), every: .milliseconds(150)) {
                    if let percent = try? await value("document.getElementById('live-progress').value").intValue { seen.insert(percent) }
                    return (try? await value("document.getElementById('live').dataset.loaded").stringValue) == "true"
                }
                try #require(finished, "the page never showed the end of the audit; progress seen: \(seen.sorted()); runner: \(runner.stderr.suffix(2_000))")
                #expect(try await value("document.getElementById('live-progress').value").intValue == 100)
                #expect(seen.contains { (1...99).contains($0) }, "progress was shown on the way, not only at the end: \(seen.sorted())")
                #expect(try await value("document.getElementById('live-status').textContent").stringValue == "completed")
                let trust = try await value("document.querySelector('.verdict .trust')?.textContent").stringValue
                #expect(trust.flatMap(Int.init) != nil, "the verdict is shown: \(String(describing: trust))")
                let findings = try await value("document.querySelectorAll('li.finding').length").intValue ?? 0
                #expect(findings >= 3, "the pressure shop's findings: \(findings)")
                let outlines = try await value("document.querySelectorAll('rect.outline').length").intValue ?? 0
                #expect(outlines >= 1, "findings outlined on the screenshot")
                try await Self.photograph(tab, name: "console.png")

                // The list shows it, with its status and score; the health page shows the runner.
                _ = try await tab.navigate(to: URL(string: console.base + "/?status=completed")!)
                let row = try await value("Array.from(document.querySelectorAll('tr.audit')).map(r => r.textContent).join('\\n')").stringValue ?? ""
                #expect(row.contains(shop) && row.contains("completed"), "\(row)")
                _ = try await tab.navigate(to: URL(string: console.base + "/health")!)
                let health = try await value("document.querySelector('main').textContent").stringValue ?? ""
                #expect(health.contains("Runners connected1"), "\(health)")

                // A hostile page: its markup and script are shown as text and never run.
                let hostile = try await client.submit(url: "http://127.0.0.1:\(hostileSite.port)/hostile/")
                let done = try await eventually(timeout: .seconds(150), every: .milliseconds(250)) {
                    let status = try await client.status(hostile.id).status
                    return status == .completed || status == .error
                }
                try #require(done, "the hostile page's audit did not end")
                #expect(try await client.status(hostile.id).status == .completed)
                _ = try await tab.navigate(to: URL(string: console.base + "/audits/\(hostile.id.rawValue)")!)
                #expect(try await value("typeof window.pwned").stringValue == "undefined", "nothing from the page's texts ran")
                let evidence = try await value("Array.from(document.querySelectorAll('.evidence')).map(e => e.textContent).join('\\n')").stringValue ?? ""
                #expect(evidence.contains("<img src=x onerror=\"window.pwned=1\">") || evidence.contains("<script>window.pwned=2</script>"),
                        "the page's markup is shown as text: \(evidence)")
                #expect(try await value("document.querySelectorAll('main img, main script').length").intValue == 0, "no element came from the page's texts")
                await browser.close()
            } catch {
                await browser.close()
                throw error
            }
        }
        await hostileSite.stop()
        await sites.stop()
    }

    /// README's picture of the console, when `VERITAS_PICTURES_DIR` names where to put it.
    static func photograph(_ tab: BrowserPage, name: String) async throws {
        let picture = try await tab.viewportScreenshot()
        #expect(picture.starts(with: [0x89, 0x50, 0x4E, 0x47]) && picture.count > 10_000, "a rendered page")
        if let target = ProcessInfo.processInfo.environment["VERITAS_PICTURES_DIR"] {
            try picture.write(to: URL(fileURLWithPath: target).appendingPathComponent(name))
        }
    }
}

extension JSONValue {
    /// The value as JSON text, for splicing into a script as a literal.
    var encodedText: String { String(decoding: encoded(), as: UTF8.self) }
}
