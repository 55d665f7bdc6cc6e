import Foundation
import Testing
import VeritasHTML

@Suite("Parsing: metadata, errors, limits, encodings, broken markup")
struct ParsingTests {
    @Test func readsTitleLangAndDescription() throws {
        let page = try HTMLDocument(parsing: """
            <!DOCTYPE html><html lang="en-GB"><head>
            <meta name="Description" content="Boots for wet hills.">
            <title>  Boots &amp;
              more  </title></head><body><p>Hi</p></body></html>
            """)
        #expect(page.title == "Boots & more")
        #expect(page.lang == "en-GB")
        #expect(page.metaDescription == "Boots for wet hills.")
        #expect(page.segments.map(\.text) == ["Hi"])
    }

    @Test func missingMetadataIsNil() throws {
        let page = try HTMLDocument(parsing: "<p>only text")
        #expect(page.title == nil)
        #expect(page.lang == nil)
        #expect(page.metaDescription == nil)
    }

    @Test func emptyInputIsTheOnlyParseError() throws {
        #expect(throws: HTMLParseError.self) { try HTMLDocument(parsing: "") }
        do {
            _ = try HTMLDocument(parsing: Data())
            Issue.record("empty data parsed")
        } catch let error as HTMLParseError {
            #expect(error.code == .noDocument)
        }
        // Garbage is still a document.
        let garbage = try HTMLDocument(parsing: "<<<>>></div></p>&&&;<")
        #expect(garbage.segments.isEmpty == false)
    }

    @Test func sizeLimitRefusesLargerInput() throws {
        let html = "<p>" + String(repeating: "a", count: 2_000) + "</p>"
        #expect(throws: HTMLParseError(.documentTooLarge, "the document is 2007 bytes, over the limit of 1000")) {
            try HTMLDocument(parsing: html, sizeLimit: 1_000)
        }
        #expect(throws: HTMLParseError.self) { try HTMLDocument(parsing: Data(html.utf8), sizeLimit: 2_006) }
        _ = try HTMLDocument(parsing: Data(html.utf8), sizeLimit: 2_007)
        #expect(HTMLDocument.defaultSizeLimit == 5 * 1024 * 1024)
    }

    @Test func unknownEncodingHintIsRefused() {
        do {
            _ = try HTMLDocument(parsing: Data("<p>x</p>".utf8), encoding: "x-no-such-charset")
            Issue.record("parsed with a bogus encoding")
        } catch let error as HTMLParseError {
            #expect(error.code == .unsupportedEncoding)
            #expect(error.description.contains("x-no-such-charset"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func dataFollowsMetaCharset() throws {
        // "Café – naïve" in windows-1252: é = E9, en dash = 96, ï = EF.
        var bytes = Array(#"<html><head><meta charset="windows-1252"><title>Caf"#.utf8)
        bytes += [0xE9]
        bytes += Array("</title></head><body><p>a ".utf8) + [0x96] + Array(" na".utf8) + [0xEF] + Array("ve</p></body></html>".utf8)
        let page = try HTMLDocument(parsing: Data(bytes))
        #expect(page.title == "Café")
        #expect(page.segments.map(\.text) == ["a – naïve"])
    }

    @Test func dataFollowsHttpEquivCharset() throws {
        var bytes = Array(#"<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>"#.utf8)
        bytes += [0xFC, 0x62, 0x65, 0x72]  // "über"
        let page = try HTMLDocument(parsing: Data(bytes))
        #expect(page.segments.map(\.text) == ["über"])
    }

    @Test func encodingHintOverridesTheDocument() throws {
        // Declared Latin-1 but really UTF-8 (a common server mistake); the header knows better.
        let bytes = Data(#"<meta charset="iso-8859-1"><p>café</p>"#.utf8)
        #expect(try HTMLDocument(parsing: bytes).segments.map(\.text) == ["cafÃ©"])
        #expect(try HTMLDocument(parsing: bytes, encoding: "utf-8").segments.map(\.text) == ["café"])
    }

    @Test func dataWithoutDeclarationIsUTF8() throws {
        let page = try HTMLDocument(parsing: Data("<p>Grüße – ok</p>".utf8))
        #expect(page.segments.map(\.text) == ["Grüße – ok"])
    }

    @Test func stringIgnoresMetaCharset() throws {
        // The String is already decoded: a stale declaration must not re-decode it.
        let page = try HTMLDocument(parsing: #"<meta charset="iso-8859-1"><title>Straße</title><p>Straße</p>"#)
        #expect(page.title == "Straße")
        #expect(page.segments.map(\.text) == ["Straße"])
    }

    @Test func decodesEntities() throws {
        let page = try HTMLDocument(parsing: "<p>3&ndash;5 days &middot; &copy; 2026 &amp; &#8364;5 &#x2019; &nbsp;x&nbsp;&nbsp;y &bogus; AT&T</p>")
        #expect(page.segments.map(\.text) == ["3–5 days · © 2026 & €5 ’ x y &bogus; AT&T"])
    }

    @Test func recoversFromBrokenMarkup() throws {
        let page = try HTMLDocument(parsing: """
            <div><p>one<p>two</div></div></span>
            <ul><li>a<li>b</ul>
            <div>unclosed <b>bold <i>both</div>
            <p>after
            """)
        #expect(page.segments.map(\.text) == ["one", "two", "a", "b", "unclosed", "bold", "both", "after"])
        #expect(page.visibleText == "one two a b unclosed bold both after")
    }

    @Test func lineBreaksSeparateText() throws {
        let page = try HTMLDocument(parsing: "<p>line one<br>line two<br/>three</p><p>x<b>y</b>z</p>")
        #expect(page.segments.map(\.text) == ["line one", "line two", "three", "x", "y", "z"])
        #expect(page.visibleText == "line one line two three xyz")
    }

    @Test func skipsNonRenderedText() throws {
        let page = try HTMLDocument(parsing: """
            <html><head><title>T</title><style>p{color:red}</style><script>var a = "<p>no</p>";</script></head>
            <body><script>document.write("hidden")</script><noscript>enable JS</noscript>
            <template><p>inert</p></template><textarea name="c">typed</textarea><p>shown</p></body></html>
            """)
        #expect(page.segments.map(\.text) == ["shown"])
        #expect(page.inputs.first?.value == "typed")
    }

    @Test func deepNestingDoesNotOverflow() throws {
        // libxml2 without XML_PARSE_HUGE returns an empty document from depth 256 on.
        for depth in [300, 100_000] {
            let html = String(repeating: "<div>", count: depth) + "deep" + String(repeating: "</div>", count: depth)
                + "<p>after</p>"
            let page = try HTMLDocument(parsing: html)
            #expect(page.segments.map(\.text) == ["deep", "after"])
            #expect(page.segments.first?.path.count == "html>body".count + depth * 4)
        }
    }

    @Test func documentIsSendableAcrossTasks() async throws {
        let html = "<title>x</title><a href='/a'>A</a>"
        let titles = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try HTMLDocument(parsing: html).title } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(titles == Array(repeating: "x", count: 8))
    }
}
