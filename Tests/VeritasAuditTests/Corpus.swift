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
    }

    static func pages() throws -> [Page] {
        try JSONDecoder().decode([Page].self, from: Data(contentsOf: folder.appendingPathComponent("labels.json")))
    }
}
