import Foundation
import VeritasRunner

/// The labelled corpus in `Tests/VeritasAuditTests/Corpus` (see its README): pages, their expected
/// patterns, and the security-header cases.
enum Corpus {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let pagesFolder = folder.appendingPathComponent("pages")

    struct Page: Decodable, Sendable {
        struct Expected: Decodable, Sendable {
            var pattern_type: String
            var category: String
            var evidence: String
            var javascript: Bool?
        }
        var page: String
        var site_type: String
        var clean: Bool
        var javascript_injected: Bool
        var expected: [Expected]
        var notes: String?
        /// `unseen`: held back while the detectors were tuned (see the corpus README for which
        /// pages); `measured`: held out, measured once, not yet learnt from; `learning`: measured
        /// once, then learnt from in one round, reported apart until the detectors reach the bar
        /// on them too; `dev` or absent: seen while tuning, the bar's pages.
        var split: String?
        var isUnseen: Bool { split == "unseen" }
        /// Seen while tuning: the pages the bar is checked on.
        var isTuned: Bool { split == nil || split == "dev" }
    }

    /// A runner's configuration for pages served on loopback (the SSRF guard refuses loopback by
    /// default).
    static var loopbackConfiguration: RunnerConfiguration {
        var configuration = RunnerConfiguration()
        configuration.allowPrivateNetworks = true
        return configuration
    }

    /// Every page but the unseen ones, or with `VERITAS_CORPUS_SPLIT=dev` only the pages seen while
    /// tuning, with `=unseen` only the held-back ones (their one measurement), with `=measured` only
    /// those measured once and not yet learnt from, with `=learning` those learnt from once and
    /// reported apart, with `=all` every page. With `VERITAS_CORPUS_PAGES=58,72-75`, only those
    /// page numbers (within the split).
    static func pages() throws -> [Page] {
        pages(of: try allPages(), environment: ProcessInfo.processInfo.environment)
    }

    /// Every page of `labels.json`, in its order.
    static func allPages() throws -> [Page] {
        try JSONDecoder().decode([Page].self, from: Data(contentsOf: folder.appendingPathComponent("labels.json")))
    }

    /// The pages of `all` that `environment` chooses (see ``pages()``). Unseen pages are left out
    /// unless asked for by name, so that no tuning run (nor `make test`) shows a held-back batch's
    /// results before its one measurement.
    static func pages(of all: [Page], environment: [String: String]) -> [Page] {
        var chosen: [Page]
        switch environment["VERITAS_CORPUS_SPLIT"] {
        case "dev": chosen = all.filter(\.isTuned)
        case "unseen": chosen = all.filter(\.isUnseen)
        case "measured": chosen = all.filter { $0.split == "measured" }
        case "learning": chosen = all.filter { $0.split == "learning" }
        case "all": chosen = all
        default: chosen = all.filter { !$0.isUnseen }
        }
        if let list = environment["VERITAS_CORPUS_PAGES"], !list.isEmpty {
            var numbers = Set<Int>()
            for item in list.split(separator: ",") {
                let bounds = item.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                if let low = bounds.first, let high = bounds.last, low <= high { numbers.formUnion(low...high) }
            }
            chosen = chosen.filter { Int($0.page.prefix { $0.isNumber }).map(numbers.contains) ?? false }
        }
        return chosen
    }
}
