import Testing
import VeritasHTML

@Suite("Presentation flags from inline styles and <style> rules")
struct PresentationTests {
    private func flags(_ html: String) throws -> [String: TextSegment.Presentation] {
        let page = try HTMLDocument(parsing: html)
        return Dictionary(page.segments.map { ($0.text, $0.presentation) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func hiddenByEveryMechanism() throws {
        let seen = try flags("""
            <style>.gone{display:none} #ghost{visibility:hidden} p.faded{opacity:0}</style>
            <p style="display: none">inline none</p>
            <div class="gone"><p>inside removed</p></div>
            <p id="ghost">invisible <span style="visibility:visible">but this child shows</span></p>
            <p class="faded">transparent</p>
            <p hidden>hidden attribute</p>
            <p aria-hidden="true">aria hidden</p>
            <dialog><p>closed dialog</p></dialog>
            <p style="opacity:.5">half</p>
            <p>plain</p>
            """)
        for text in ["inline none", "inside removed", "invisible", "transparent", "hidden attribute", "aria hidden", "closed dialog"] {
            #expect(seen[text]?.isHidden == true, "\(text)")
        }
        for text in ["but this child shows", "half", "plain"] {
            #expect(seen[text]?.isHidden == false, "\(text)")
        }
    }

    @Test("a page region hidden from screen readers behind an open dialog is still in sight; an icon's aria-hidden glyph is not")
    func ariaHiddenPageRegion() throws {
        let seen = try flags("""
            <main aria-hidden="true"><h1>Classic espadrille</h1><span class="tag">Low In Stock Today</span><i aria-hidden="true">★</i></main>
            <dialog open><p>Your bag</p></dialog>
            """)
        #expect(seen["Classic espadrille"]?.isHidden == false)
        #expect(seen["Low In Stock Today"]?.isHidden == false)
        #expect(seen["★"]?.isHidden == true)
        #expect(seen["Your bag"]?.isHidden == false)
    }

    @Test func authorDisplayOverridesHiddenAttribute() throws {
        let seen = try flags(#"<style>.shown{display:block}</style><p hidden class="shown">back</p>"#)
        #expect(seen["back"]?.isHidden == false)
    }

    @Test func tinyText() throws {
        let seen = try flags("""
            <style>.fine{font-size:10px} .small{font-size:0.7em} .ok{font-size:11px} html{font-size:12px}</style>
            <p class="fine">ten px</p><p class="ok">eleven px</p><p class="small">point seven em</p>
            <p style="font-size:70%">seventy percent</p><p style="font-size:.65rem">rem</p>
            <p style="font-size:7pt">seven points</p><p style="font: 9px/1.2 Arial, sans-serif">shorthand</p>
            <div style="font-size:10px"><p style="font-size:1em">inherited small</p></div>
            <p style="font-size:x-small">keyword</p><p>default</p>
            """)
        for text in ["ten px", "point seven em", "seventy percent", "rem", "seven points", "shorthand", "inherited small", "keyword"] {
            #expect(seen[text]?.isTiny == true, "\(text)")
        }
        #expect(seen["eleven px"]?.isTiny == false)
        #expect(seen["default"]?.isTiny == false)
        #expect(seen["default"]?.fontSize == 12)  // html{font-size:12px} inherited
        #expect(seen["rem"].map { abs($0.fontSize - 7.8) < 0.001 } == true)
    }

    @Test func lowContrastAgainstNearestBackground() throws {
        let seen = try flags("""
            <style>
            .dark{background:#1e293b url(x.png) no-repeat} .faint{color:#334155} .pale{color:#c7c9d1}
            .box{background-color:rgba(0,0,0,0)} .grey{color:rgb(100 100 100 / 100%)}
            </style>
            <p class="pale">pale on white</p>
            <div class="dark"><p class="faint">dark on dark</p><p style="color:#fff">white on dark</p>
              <div class="box"><p class="faint">transparent box keeps dark</p></div></div>
            <p class="grey">grey on white</p><p style="color:#767676">AA grey</p>
            <p style="color:black;opacity:.2">faded black</p>
            <p style="color:hsl(0, 0%, 85%)">hsl light</p><p style="color:whitesmoke">named</p>
            <p>black on white</p>
            """)
        for text in ["pale on white", "dark on dark", "transparent box keeps dark", "faded black", "hsl light", "named"] {
            #expect(seen[text]?.isLowContrast == true, "\(text)")
        }
        for text in ["white on dark", "grey on white", "AA grey", "black on white"] {
            #expect(seen[text]?.isLowContrast == false, "\(text)")
        }
        #expect(seen["black on white"].map { abs($0.contrastRatio - 21) < 0.01 } == true)
        #expect(seen["AA grey"].map { abs($0.contrastRatio - 4.54) < 0.01 } == true)
    }

    @Test func cascadeOrderSpecificityAndImportance() throws {
        let seen = try flags("""
            <style>
            p{font-size:9px} p{font-size:14px}
            #main .note{color:#eee} .note{color:#000}
            .keep{display:none !important}
            section > p.child{font-size:8px} aside p{font-size:8px}
            a:hover{display:none} a[href]:hover{display:none} .a ~ .b{display:none} ::before{display:none}
            h1, .title{font-size:9px}
            </style>
            <p>later wins</p>
            <div id="main"><p class="note">specific wins</p></div>
            <p class="keep" style="display:block">important wins</p>
            <section><p class="child">child combinator</p><div><p class="child">not a child</p></div></section>
            <aside><div><p>descendant</p></div></aside>
            <a href="/x">pseudo ignored</a>
            <h1>comma one</h1><p class="title">comma two</p>
            """)
        #expect(seen["later wins"]?.fontSize == 14)
        #expect(seen["specific wins"]?.isLowContrast == true)
        #expect(seen["important wins"]?.isHidden == true)
        #expect(seen["child combinator"]?.fontSize == 8)
        #expect(seen["not a child"]?.fontSize == 14)
        #expect(seen["descendant"]?.fontSize == 8)
        #expect(seen["pseudo ignored"]?.isHidden == false)
        #expect(seen["comma one"]?.isTiny == true)
        #expect(seen["comma two"]?.isTiny == true)
    }

    @Test("attribute selectors: a toast shown by [open], a drawer by [aria-hidden=false], prefixes, words and case")
    func attributeSelectors() throws {
        let seen = try flags("""
            <style>
            buyer-toast{display:none} buyer-toast[open]{display:block}
            .drawer{display:none} .drawer[aria-hidden="false"]{display:block}
            [data-state^=clo]{display:none} [data-state = 'OPEN' i]{font-size:8px}
            p[lang|=en]{font-size:9px} [class~=faint]{opacity:0} [data-x*="idd"]{visibility:hidden} [data-y$=end]{display:none}
            [data-z=a"]{display:none} [=x]{display:none}
            </style>
            <div><buyer-toast open>Rick bought a table</buyer-toast></div>
            <div><buyer-toast>closed toast</buyer-toast></div>
            <div class="drawer" aria-hidden="false"><p>open drawer</p></div>
            <div class="drawer" aria-hidden="true"><p>shut drawer</p></div>
            <p data-state="closing">prefix hides</p>
            <p data-state="open">case-insensitive value</p>
            <p lang="en-GB">dash prefix</p>
            <p class="note faint">word in a list</p>
            <p data-x="hidden-ish">substring</p>
            <p data-y="the-end">suffix</p>
            <p data-z='a"'>broken selector ignored</p>
            """)
        #expect(seen["Rick bought a table"]?.isHidden == false)
        #expect(seen["closed toast"]?.isHidden == true)
        #expect(seen["open drawer"]?.isHidden == false)
        #expect(seen["shut drawer"]?.isHidden == true)
        #expect(seen["prefix hides"]?.isHidden == true)
        #expect(seen["case-insensitive value"]?.fontSize == 8)
        #expect(seen["dash prefix"]?.fontSize == 9)
        for text in ["word in a list", "substring", "suffix"] {
            #expect(seen[text]?.isHidden == true, "\(text)")
        }
        #expect(seen["broken selector ignored"]?.isHidden == false)
    }

    @Test func inlineStyleBeatsRulesAndMediaIsSkipped() throws {
        let seen = try flags("""
            <style>/* a comment { } */ .x{font-size:8px} @media (max-width:10px){.y{display:none}} @import url(a.css);
            .z{color:#fff;</style>
            <p class="x" style="font-size:20px">inline wins</p><p class="y">media skipped</p><p class="z">truncated rule</p>
            """)
        #expect(seen["inline wins"]?.fontSize == 20)
        #expect(seen["media skipped"]?.isHidden == false)
        #expect(seen["truncated rule"]?.isLowContrast == true)
    }

    @Test func linksAreBlueByDefault() throws {
        let seen = try flags(#"<div style="background:#000080"><a href="/x">blue on navy</a></div>"#)
        #expect(seen["blue on navy"]?.isLowContrast == true)
    }
}
