import Testing

/// Which corpus pages a run audits: a held-back batch stays out of every run but its measurement.
@Suite("corpus splits")
struct CorpusSplitTests {
    static func page(_ number: Int, _ split: String?) -> Corpus.Page {
        Corpus.Page(page: "\(number)-shop-test.html", site_type: "shop", clean: true, javascript_injected: false, expected: [], split: split)
    }

    static let all = [page(1, nil), page(58, "dev"), page(138, "learning"), page(208, "measured"), page(222, "unseen"), page(223, "unseen")]

    static func chosen(_ environment: [String: String]) -> [String] {
        Corpus.pages(of: all, environment: environment).map(\.page)
    }

    @Test("a run without a split leaves the unseen pages out; =unseen and =all take them")
    func unseenOnlyWhenAsked() {
        #expect(Self.chosen([:]) == ["1-shop-test.html", "58-shop-test.html", "138-shop-test.html", "208-shop-test.html"])
        #expect(Self.chosen(["VERITAS_CORPUS_SPLIT": "unseen"]) == ["222-shop-test.html", "223-shop-test.html"])
        #expect(Self.chosen(["VERITAS_CORPUS_SPLIT": "all"]).count == Self.all.count)
        #expect(Self.chosen(["VERITAS_CORPUS_SPLIT": "dev"]) == ["1-shop-test.html", "58-shop-test.html"])
        #expect(Self.chosen(["VERITAS_CORPUS_SPLIT": "unseen", "VERITAS_CORPUS_PAGES": "223"]) == ["223-shop-test.html"])
    }
}
