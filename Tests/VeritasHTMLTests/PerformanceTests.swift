import Foundation
import Testing
import VeritasHTML

@Suite("Parse time")
struct PerformanceTests {
    /// Prints the time to parse the largest corpus page and a 2 MB synthetic page. The bounds are
    /// loose (a busy CI machine, debug build); the figures are what matter.
    @Test func largestCorpusPageAndTwoMegabytes() throws {
        let pages = try FileManager.default.contentsOfDirectory(
            at: Corpus.directory.appendingPathComponent("pages"), includingPropertiesForKeys: [.fileSizeKey])
        let largest = try #require(pages.max { a, b in
            ((try? a.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
                < ((try? b.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        })
        let corpusData = try Data(contentsOf: largest)
        let clock = ContinuousClock()
        var corpusPage: HTMLDocument?
        let corpusTime = try clock.measure { corpusPage = try HTMLDocument(parsing: corpusData) }
        #expect(corpusPage?.segments.isEmpty == false)

        let synthetic = Self.syntheticPage(bytes: 2_000_000)
        var big: HTMLDocument?
        let bigTime = try clock.measure { big = try HTMLDocument(parsing: synthetic) }
        #expect(big?.forms.count ?? 0 > 1_000)
        print("""
            parse time: \(largest.lastPathComponent) (\(corpusData.count) bytes) \(corpusTime); \
            synthetic \(synthetic.utf8.count) bytes, \(big?.segments.count ?? 0) segments, \(big?.inputs.count ?? 0) inputs: \(bigTime)
            """)
        #expect(bigTime < .seconds(30))
    }

    /// A shop-like page: a style sheet, then product cards with forms, labels, links and fine print.
    static func syntheticPage(bytes: Int) -> String {
        var html = """
            <!DOCTYPE html><html lang="en"><head><title>Synthetic</title><style>
            .card{background:#fff;padding:8px} .fine{font-size:10px;color:#bbb} .promo .deal{color:#c00}
            #top{display:none} .btn{background:#d9480f;color:#fff} td,th{padding:4px}
            </style></head><body><div id="top">hidden</div><main>
            """
        var item = 0
        while html.utf8.count < bytes {
            item += 1
            html += """
                <div class="card promo" id="item-\(item)"><h3>Product \(item) &ndash; deluxe</h3>
                <p class="deal">Only \(item % 7) left in stock</p><p>Lorem ipsum dolor sit amet, <a href="/p/\(item)">details</a>,
                consectetur adipiscing elit &amp; more.</p>
                <form action="/cart" method="post"><label><input type="checkbox" name="x\(item)" checked> Add care plan ($4.99)</label>
                <select name="q"><option>1</option><option selected>2</option></select>
                <button class="btn" type="submit">Add to cart</button></form>
                <p class="fine">Renews automatically at $9.99/month.</p><table><tr><td>Price</td><td>$\(item).00</td></tr></table></div>

                """
        }
        return html + "</main></body></html>"
    }
}
