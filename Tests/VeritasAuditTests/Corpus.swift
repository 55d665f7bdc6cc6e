import Foundation

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
        /// `unseen`: held back while the detectors were tuned (pages 72–81); `dev` or absent: seen.
        var split: String?
        var isUnseen: Bool { split == "unseen" }
    }

    /// Every page, or with `VERITAS_CORPUS_SPLIT=dev` only the pages seen while tuning (so tuning
    /// runs never show the unseen part's results), with `=unseen` only the held-back ones.
    static func pages() throws -> [Page] {
        let all = try JSONDecoder().decode([Page].self, from: Data(contentsOf: folder.appendingPathComponent("labels.json")))
        switch ProcessInfo.processInfo.environment["VERITAS_CORPUS_SPLIT"] {
        case "dev": return all.filter { !$0.isUnseen }
        case "unseen": return all.filter(\.isUnseen)
        default: return all
        }
    }
}
