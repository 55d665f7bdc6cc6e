import Testing
import VeritasHTML

@Suite("Text segments: order, paths, roles, context")
struct SegmentTests {
    @Test func pathsAndReadingOrder() throws {
        let page = try HTMLDocument(parsing: """
            <html><body><div><form><label>Name <input name="n"></label></form></div><p>  tail
            text </p></body></html>
            """)
        #expect(page.segments.map(\.text) == ["Name", "tail text"])
        #expect(page.segments.map(\.path) == ["html>body>div>form>label", "html>body>p"])
    }

    @Test func rolesOfTheNearestInteractiveAncestor() throws {
        let page = try HTMLDocument(parsing: """
            <h2>Plans <small>monthly</small></h2>
            <p>Read the <a href="/terms">terms <span>now</span></a>.</p>
            <button><span>Buy</span></button>
            <label><input type="radio" name="p" checked> Enterprise</label>
            <label><input type="radio" name="p"> Team</label>
            <label><input type="checkbox"> Extras</label>
            <label>Plain <input type="text"></label>
            <select><option>One</option><option selected>Two</option></select>
            <div role="heading" aria-level="4">ARIA heading</div>
            <span role="checkbox" aria-checked="true">Custom box</span>
            <p>nothing</p>
            """)
        let roles = Dictionary(page.segments.map { ($0.text, $0.role) }, uniquingKeysWith: { first, _ in first })
        #expect(roles["Plans"] == .heading(level: 2))
        #expect(roles["monthly"] == .heading(level: 2))
        #expect(roles["Read the"] == TextSegment.Role.none)
        #expect(roles["terms"] == .link)
        #expect(roles["now"] == .link)
        #expect(roles["Buy"] == .button)
        #expect(roles["Enterprise"] == .radio(checked: true))
        #expect(roles["Team"] == .radio(checked: false))
        #expect(roles["Extras"] == .checkbox(checked: false))
        #expect(roles["Plain"] == .label)
        #expect(roles["One"] == .option(selected: false))
        #expect(roles["Two"] == .option(selected: true))
        #expect(roles["ARIA heading"] == .heading(level: 4))
        #expect(roles["Custom box"] == .checkbox(checked: true))
        #expect(roles["nothing"] == TextSegment.Role.none)
    }

    @Test func idsAndClassesOfNearestAncestors() throws {
        let page = try HTMLDocument(parsing: """
            <div id="banner" class="cookie-banner wide"><p class="lead">We use <span>cookies</span></p></div>
            """)
        let cookies = try #require(page.segments.first { $0.text == "cookies" })
        #expect(cookies.nearestID == "banner")
        #expect(cookies.nearestClasses == ["lead"])
        #expect(cookies.ancestorClasses == ["lead", "cookie-banner", "wide"])
    }

    @Test func modalContexts() throws {
        let page = try HTMLDocument(parsing: """
            <dialog open><p>native</p></dialog>
            <div role="alertdialog"><p>alert</p></div>
            <div aria-modal="true"><p>aria</p></div>
            <div class="NewsletterPopup"><p>popup</p></div>
            <div class="page-overlay"><p>overlay</p></div>
            <div class="lightbox-inner"><p>lightbox</p></div>
            <div class="model"><p>not a modal</p></div>
            """)
        #expect(page.segments.filter(\.isInModal).map(\.text) == ["native", "alert", "aria", "popup", "overlay", "lightbox"])
    }

    @Test func joinsInlineNeighboursWithoutSpace() throws {
        let page = try HTMLDocument(parsing: "<p>Service fee<sup>*</sup> applies, <b>only</b> <i>today</i></p><p>next</p>")
        #expect(page.segments.map(\.continuesPreviousSegment) == [false, true, false, false, false, false])
        #expect(page.visibleText == "Service fee* applies, only today next")
    }
}
