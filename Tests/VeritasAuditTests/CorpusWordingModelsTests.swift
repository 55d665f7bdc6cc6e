import Foundation
import Testing
import VeritasAudit

/// The corpus evaluation's held-out wording models leave out what each page quotes.
@Suite("corpus wording models: leave the quoted sources out")
struct CorpusWordingModelsTests {
    static let examples = [
        WordingExample(text: "Only 2 left in stock - order soon.", type: .lowStock, group: "975"),
        WordingExample(text: "In demand", type: .highDemand, group: "12"),
        WordingExample(text: "*", type: .lowStock, group: "13"),
        WordingExample(text: "Free delivery over $50", type: nil, group: "14"),
    ]

    static func page(_ evidence: [String], notes: String? = nil) -> Corpus.Page {
        Corpus.Page(page: "300-shop-test.html", site_type: "shop", clean: evidence.isEmpty, javascript_injected: false,
                    expected: evidence.map { .init(pattern_type: "low_stock", category: "scarcity", evidence: $0) }, notes: notes)
    }

    @Test("a page's sources: the page_ids its notes name and the texts that hold its evidence or that it holds")
    func sources() {
        // Part of a text, case and spacing aside.
        #expect(CorpusWordingModels.sources(of: Self.page(["only 2  LEFT in stock"]), in: Self.examples) == ["975"])
        // A whole short text inside a longer evidence, and a page_id named in the notes.
        #expect(CorpusWordingModels.sources(of: Self.page(["Selling fast: in demand now"], notes: "from dev.tsv page_id 4410"), in: Self.examples)
                == ["12", "4410"])
        // "*" is in every evidence with a footnote mark: too short to count as quoted.
        #expect(CorpusWordingModels.sources(of: Self.page(["Offer ends soon*"]), in: Self.examples).isEmpty)
        #expect(CorpusWordingModels.sources(of: Self.page([]), in: Self.examples).isEmpty)
    }

    @Test("on the real corpus every page that names a source page has it left out, and folds are stable")
    func realCorpus() throws {
        let examples = try WordingExample.load(tsv: Data(contentsOf: CorpusWordingModels.dataset))
        let all = try Corpus.allPages()
        var named = 0
        for page in all {
            let ids = CorpusWordingModels.namedSources(in: page.notes ?? "")
            guard !ids.isEmpty else { continue }
            named += 1
            let sources = CorpusWordingModels.sources(of: page, in: examples)
            #expect(Set(ids).isSubset(of: sources), "\(page.page): \(ids) not all in \(sources)")
        }
        #expect(named >= 120, "only \(named) pages name a source page")
        // The fold of a page depends on its place in labels.json only, and every fold has pages.
        #expect(Set(all.indices.map(CorpusWordingModels.fold(at:))) == Set(0..<CorpusWordingModels.folds))
    }
}
