import Foundation
import Testing
@testable import VeritasBrowser

@Suite("Screenshots")
struct ScreenshotTests {
    private func tallPage(_ height: Int) -> URL {
        dataURL("""
            <!doctype html><html><body style="margin:0">
            <div style="height:\(height)px;background:linear-gradient(#c00,#00c)">top</div>
            </body></html>
            """)
    }

    @Test func viewportScreenshotIs1280x800() async throws {
        try await withPage { page in
            try await page.navigate(to: tallPage(3000))
            let png = try await page.viewportScreenshot()
            #expect(pngSize(png)?.width == 1280)
            #expect(pngSize(png)?.height == 800)
        }
    }

    @Test func fullPageScreenshotsFollowTheHeightRule() async throws {
        try await withPage { page in
            // A 3000 px page is captured completely.
            try await page.navigate(to: tallPage(3000))
            let medium = try await page.fullPageScreenshot()
            #expect(pngSize(medium.png)?.width == 1280)
            #expect(pngSize(medium.png)?.height == 3000)
            #expect(medium.capturedHeight == 3000)
            #expect(medium.pageHeight >= 3000)
            #expect(!medium.isTruncated)

            // A 20000 px page is cut at fullPageMaxHeight (6000 by default).
            try await page.navigate(to: tallPage(20000))
            let huge = try await page.fullPageScreenshot()
            #expect(pngSize(huge.png)?.height == 6000)
            #expect(huge.capturedHeight == page.browser.options.fullPageMaxHeight)
            #expect(huge.pageHeight > 6000)
            #expect(huge.isTruncated)

            // A tiny page: the document is never shorter than the viewport, and neither is the
            // capture. (Chromium reports scrollHeight 800 for a 10 px page in an 800 px viewport.)
            try await page.navigate(to: tallPage(10))
            let tiny = try await page.fullPageScreenshot()
            #expect(tiny.pageHeight == 800)
            #expect(tiny.capturedHeight == 800)
            #expect(pngSize(tiny.png)?.height == 800)

            // Capturing beyond the viewport does not leave the viewport resized.
            #expect(try await page.evaluate("innerWidth + 'x' + innerHeight") == "1280x800")
            #expect(pngSize(try await page.viewportScreenshot())?.height == 800)
        }
    }

    @Test func fullPageScreenshotStartsAtTheTopWhateverTheScrollPosition() async throws {
        try await withPage { page in
            try await page.navigate(to: dataURL("""
                <!doctype html><html><body style="margin:0">
                <div style="height:1000px;background:#c00"></div>
                <div style="height:1000px;background:#0c0"></div>
                <div style="height:1000px;background:#00c"></div>
                </body></html>
                """))
            let atTop = try await page.fullPageScreenshot()
            #expect(try await page.evaluate("scrollTo(0, 1500), scrollY") == 1500)
            let scrolled = try await page.fullPageScreenshot()
            #expect(scrolled.capturedHeight == 3000)
            #expect(scrolled.png == atTop.png)
        }
    }

    @Test func customViewportAndCap() async throws {
        var options = testOptions()
        options.viewportWidth = 800
        options.viewportHeight = 600
        options.fullPageMaxHeight = 1000
        try await withPage(options) { page in
            try await page.navigate(to: tallPage(3000))
            #expect(pngSize(try await page.viewportScreenshot()).map { [$0.width, $0.height] } == [800, 600])
            let full = try await page.fullPageScreenshot()
            #expect(pngSize(full.png).map { [$0.width, $0.height] } == [800, 1000])
            #expect(full.pageHeight == 3000)
        }
    }
}
