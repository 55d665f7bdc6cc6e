import Foundation
import Testing
@testable import VeritasBrowser

@Suite("Rendered DOM and scripting")
struct RenderingTests {
    @Test func htmlContainsContentAddedByScriptAfterLoad() async throws {
        let folder = try PageFolder()
        defer { folder.remove() }
        let file = try folder.write("late.html", """
            <!doctype html><html><head><title>late</title></head><body><p id="static">static text</p>
            <script>
            document.addEventListener('DOMContentLoaded', () => setTimeout(() => {
              const p = document.createElement('p');
              p.id = 'late';
              p.textContent = ['Added', 'by', 'script'].join(' ') + ' after 300 ms';
              document.body.appendChild(p);
            }, 300));
            </script></body></html>
            """)
        let raw = try String(contentsOf: file, encoding: .utf8)
        #expect(!raw.contains("Added by script"))

        try await withPage { page in
            let result = try await page.navigate(to: file)
            #expect(result.finalURL == file.absoluteString)
            #expect(result.httpStatus == 200)  // What Chromium reports for a file: document.
            // Waiting for the page's 300 ms timer is the behaviour under test.
            try await Task.sleep(for: .milliseconds(900))
            let html = try await page.html()
            #expect(html.contains("static text"))
            #expect(html.contains("<p id=\"late\">Added by script after 300 ms</p>"))
        }
    }

    @Test func clockTextChangesBetweenTwoSnapshots() async throws {
        let page = dataURL("""
            <!doctype html><html><body><span id="clock">start</span>
            <script>
            let ticks = 0;
            setInterval(() => {
              ticks += 1;
              document.getElementById('clock').textContent = 'tick ' + ticks + ' at ' + Date.now();
            }, 1000);
            </script></body></html>
            """)
        try await withPage { tab in
            try await tab.navigate(to: page)
            func clock() async throws -> String? {
                let html = try await tab.html()
                guard let start = html.range(of: "<span id=\"clock\">"),
                      let end = html.range(of: "</span>", range: start.upperBound..<html.endIndex) else { return nil }
                return String(html[start.upperBound..<end.lowerBound])
            }
            let first = try await clock()
            try await Task.sleep(for: .milliseconds(1200))  // The page's 1 s clock is under test.
            let second = try await clock()
            #expect(first != nil)
            #expect(second != nil)
            #expect(first != second)
        }
    }

    @Test func evaluateConvertsValuesAndReportsExceptions() async throws {
        try await withPage { page in
            try await page.navigate(to: dataURL("<p>x</p>"))
            #expect(try await page.evaluate("({a: 1, b: [true, null, 's'], c: 1.5})")
                == ["a": 1, "b": [true, nil, "s"], "c": 1.5])
            #expect(try await page.evaluate("undefined") == .null)
            #expect(try await page.evaluate("Promise.resolve(40 + 2)") == 42)
            #expect(try await page.evaluate("0/0").doubleValue?.isNaN == true)

            await #expect {
                try await page.evaluate("throw new Error('boom ' + (20 + 1))")
            } throws: { error in
                guard case BrowserError.javaScriptError(let text) = error else { return false }
                return text.contains("boom 21")
            }
            await #expect {
                try await page.evaluate("Promise.reject(new TypeError('rejected!'))")
            } throws: { error in
                guard case BrowserError.javaScriptError(let text) = error else { return false }
                return text.contains("rejected!")
            }
            // A syntax error is an exception too, not a protocol error.
            await #expect(throws: BrowserError.self) { try await page.evaluate("this is not javascript") }
        }
    }

    @Test func largeRepliesArriveIntact() async throws {
        try await withPage { page in
            let text = try await page.evaluate("'0123456789'.repeat(800000) + 'end'")
            #expect(text.stringValue?.utf8.count == 8_000_003)
            #expect(text.stringValue?.hasSuffix("9end") == true)
            // The connection stays in sync after the big message.
            #expect(try await page.evaluate("1 + 1") == 2)
        }
    }

    @Test func concurrentCallsOnOneBrowserAndOnePage() async throws {
        try await withBrowser { browser in
            async let first = browser.newPage()
            async let second = browser.newPage()
            let pages = try await [first, second]
            #expect(pages[0].targetID != pages[1].targetID)

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, page) in pages.enumerated() {
                    group.addTask {
                        try await page.navigate(to: dataURL("<h1>page \(index)</h1>"))
                        // Both pages are rendered: neither is a hidden background tab.
                        #expect(try await page.evaluate("document.visibilityState") == "visible")
                        #expect(try await page.html().contains("<h1>page \(index)</h1>"))
                        #expect(pngSize(try await page.viewportScreenshot())?.width == 1280)
                    }
                }
                try await group.waitForAll()
            }
            // Many commands in flight on one page: every reply reaches its own caller.
            let results = try await withThrowingTaskGroup(of: (Int, DevToolsValue).self) { group in
                for index in 0..<40 {
                    group.addTask { (index, try await pages[index % 2].evaluate("\(index) * 3")) }
                }
                var results: [Int: DevToolsValue] = [:]
                for try await (index, value) in group { results[index] = value }
                return results
            }
            #expect(results.count == 40)
            #expect(results.allSatisfy { $0.value == .number(Double($0.key * 3)) })

            await pages[1].close()
            await #expect(throws: BrowserError.closed) { try await pages[1].html() }
            #expect(try await pages[0].evaluate("'still here'") == "still here")
        }
    }

    @Test func commandTimeoutAndCancellationLeaveTheConnectionUsable() async throws {
        try await withPage(testOptions(commandTimeout: .seconds(1))) { page in
            let start = ContinuousClock.now
            await #expect {
                try await page.evaluate("new Promise(() => {})")
            } throws: { error in
                guard case BrowserError.timedOut(let what) = error else { return false }
                return what.contains("Runtime.evaluate")
            }
            #expect(seconds(since: start) < 4)

            let task = Task { try await page.evaluate("(window.waiting = true, new Promise(() => {}))") }
            // Cancel only once the command is really being executed by the page.
            while try await page.evaluate("window.waiting === true") != true {}
            task.cancel()
            let cancelled = await task.result
            #expect(throws: CancellationError.self) { try cancelled.get() }
            #expect(try await page.evaluate("6 * 7") == 42)
        }
    }

    @Test func callsAfterCloseFailWithClosed() async throws {
        let (browser, page): (HeadlessBrowser, BrowserPage) = try await gated {
            let browser = try await HeadlessBrowser.launch(testOptions())
            let page = try await browser.newPage()
            await browser.close()
            await browser.close()  // Idempotent.
            return (browser, page)
        }
        await #expect(throws: BrowserError.closed) { try await page.html() }
        await #expect(throws: BrowserError.closed) { try await browser.newPage() }
        #expect(!FileManager.default.fileExists(atPath: browser.profilePath))
    }
}
