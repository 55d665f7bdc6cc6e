import Foundation
import Testing
import VeritasHTML

@Suite("Links and scripts")
struct LinkAndScriptTests {
    @Test func linksResolveAgainstTheBaseURL() throws {
        let page = try HTMLDocument(
            parsing: """
                <a href="/privacy">Privacy <b>policy</b></a>
                <a href=" terms.html " rel="nofollow Sponsored">Terms</a>
                <a href="https://example.org/x">Out</a><a name="anchor">no href</a>
                """,
            baseURL: URL(string: "https://shop.example/cart/view"))
        #expect(page.links.map(\.href) == ["/privacy", "terms.html", "https://example.org/x"])
        #expect(page.links.map(\.url?.absoluteString) == [
            "https://shop.example/privacy", "https://shop.example/cart/terms.html", "https://example.org/x",
        ])
        #expect(page.links.map(\.text) == ["Privacy policy", "Terms", "Out"])
        #expect(page.links[1].rel == ["nofollow", "sponsored"])
    }

    @Test func baseElementWins() throws {
        let page = try HTMLDocument(
            parsing: #"<head><base href="/shop/"></head><a href="item?id=1">x</a>"#,
            baseURL: URL(string: "https://a.example/elsewhere/page"))
        #expect(page.baseURL?.absoluteString == "https://a.example/shop/")
        #expect(page.links.first?.url?.absoluteString == "https://a.example/shop/item?id=1")
    }

    @Test func relativeLinksWithoutBaseStayRelative() throws {
        let page = try HTMLDocument(parsing: #"<a href="/x">x</a>"#)
        #expect(page.links.first?.url?.absoluteString == "/x")
    }

    @Test func scriptsReportSourceIntegrityAndInlineLength() throws {
        let page = try HTMLDocument(
            parsing: """
                <head><script src="https://cdn.example/lib.js" integrity="sha384-abc" crossorigin="anonymous"></script>
                <script src="/app.js" crossorigin></script></head>
                <body><script type="module">let x = "é</p>";</script></body>
                """,
            baseURL: URL(string: "https://site.example/"))
        #expect(page.scripts.count == 3)
        #expect(page.scripts[0].integrity == "sha384-abc")
        #expect(page.scripts[0].crossOrigin == "anonymous")
        #expect(page.scripts[1].url?.absoluteString == "https://site.example/app.js")
        #expect(page.scripts[1].crossOrigin == "")
        #expect(page.scripts[1].integrity == nil)
        #expect(page.scripts[2].src == nil)
        #expect(page.scripts[2].type == "module")
        #expect(page.scripts[2].inlineTextLength == #"let x = "é</p>";"#.utf8.count)
    }
}
