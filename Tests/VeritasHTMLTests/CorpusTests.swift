import Foundation
import Testing
import VeritasHTML

/// The labelled pages of `Tests/VeritasAuditTests/Corpus` (data for the audit engine), read in place.
enum Corpus {
    struct Page: Decodable, Sendable, CustomTestStringConvertible {
        var page: String
        var clean: Bool
        var javascript_injected: Bool
        var expected: [Expected]
        /// Set on pages 58–81 only.
        var split: String?
        var testDescription: String { page }
    }

    struct Expected: Decodable, Sendable {
        var pattern_type: String
        var evidence: String
        var javascript: Bool?
    }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VeritasAuditTests/Corpus")

    static let pages: [Page] = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("labels.json"))
            // Pages 01–57, whose markup these checks describe. Pages 58–81 (real-world strings in
            // shop markup, with a `split`) were checked by the corpus's own invariant script when
            // written, and are measured by the audit engine's CorpusEvaluationTests.
            return try JSONDecoder().decode([Page].self, from: data).filter { $0.split == nil }
        } catch {
            // Surfaces as a failing `labelsLoad` test rather than a crash.
            return []
        }
    }()

    static func document(_ name: String) throws -> HTMLDocument {
        try HTMLDocument(parsing: Data(contentsOf: directory.appendingPathComponent("pages").appendingPathComponent(name)))
    }

    /// Whitespace (no-break spaces too) collapsed, as the labels' evidence is written.
    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0 == "\u{00A0}" }).joined(separator: " ")
    }
}

@Suite("Labelled corpus")
struct CorpusTests {
    @Test func labelsLoad() {
        #expect(Corpus.pages.count == 57)
    }

    @Test(arguments: Corpus.pages)
    func everyPageParses(_ label: Corpus.Page) throws {
        let page = try Corpus.document(label.page)
        #expect(page.title?.isEmpty == false)
        #expect(page.lang?.hasPrefix("en") == true)
        #expect(page.metaDescription?.isEmpty == false)
        #expect(page.segments.count > 10)
        #expect(page.links.contains { $0.href == "/privacy" || $0.text.lowercased().contains("privacy") })
    }

    /// Every static evidence string is in the visible text (the JS-injected ones cannot be: the
    /// text is assembled by scripts the parser does not run).
    @Test(arguments: Corpus.pages.filter { !$0.javascript_injected })
    func staticEvidenceIsVisible(_ label: Corpus.Page) throws {
        let page = try Corpus.document(label.page)
        let visible = Corpus.normalized(page.visibleText)
        for expected in label.expected {
            let evidence = Corpus.normalized(expected.evidence)
            #expect(visible.contains(evidence), "\(label.page) \(expected.pattern_type): '\(evidence)' not visible")
        }
    }

    /// The static entries on pages that also have JS-injected patterns (12 and 30: low stock; 49: low stock).
    @Test func staticEvidenceOnScriptedPagesIsVisible() throws {
        let entries = Corpus.pages.filter(\.javascript_injected).flatMap { label in
            label.expected.filter { $0.javascript != true }.map { (label.page, $0) }
        }
        #expect(entries.count == 3)
        for (name, expected) in entries {
            let visible = Corpus.normalized(try Corpus.document(name).visibleText)
            #expect(visible.contains(Corpus.normalized(expected.evidence)), "\(name): \(expected.evidence)")
        }
    }

    /// JS-injected evidence must be absent: the parser does not run scripts.
    @Test func injectedEvidenceIsAbsent() throws {
        for label in Corpus.pages {
            for expected in label.expected where expected.javascript == true {
                let visible = Corpus.normalized(try Corpus.document(label.page).visibleText)
                #expect(!visible.contains(Corpus.normalized(expected.evidence)), "\(label.page)")
            }
        }
    }

    /// Fine print and styled-away options: the evidence's segment carries the flag the label describes.
    @Test func finePrintAndInterferenceAreFlagged() throws {
        let flagged = ["hidden_subscription", "visual_interference"]
        var checked = 0
        for label in Corpus.pages where !label.javascript_injected {
            let page = try Corpus.document(label.page)
            for expected in label.expected where flagged.contains(expected.pattern_type) {
                let evidence = Corpus.normalized(expected.evidence)
                let segment = page.segments.first { Corpus.normalized($0.text).contains(evidence) }
                let presentation = try #require(segment?.presentation, "\(label.page): no single segment holds '\(evidence)'")
                #expect(!presentation.isHidden, "\(label.page)")
                #expect(presentation.isTiny || presentation.isLowContrast,
                        "\(label.page) \(expected.pattern_type): '\(evidence)' is \(presentation)")
                checked += 1
            }
        }
        #expect(checked == 10)
    }

    /// Sneak-into-basket pages: the pre-checked add-on is a checked checkbox labelled with the evidence.
    @Test func preCheckedAddOnsAreReported() throws {
        var checked = 0
        for label in Corpus.pages where !label.javascript_injected {
            for expected in label.expected where expected.pattern_type == "sneak_into_basket" {
                let page = try Corpus.document(label.page)
                let evidence = Corpus.normalized(expected.evidence)
                let input = page.inputs.first { Corpus.normalized($0.label ?? "").contains(evidence) }
                #expect(input?.type == "checkbox", "\(label.page)")
                #expect(input?.isChecked == true, "\(label.page)")
                let segment = page.segments.first { Corpus.normalized($0.text).contains(evidence) }
                #expect(segment?.role == .checkbox(checked: true), "\(label.page)")
                checked += 1
            }
        }
        #expect(checked == 5)
    }

    /// Clean pages have no pre-checked checkbox with a price in its label.
    @Test func cleanPagesHaveNoPricedPreCheckedBoxes() throws {
        for label in Corpus.pages where label.clean {
            let page = try Corpus.document(label.page)
            let offenders = page.inputs.filter { $0.type == "checkbox" && $0.isChecked && ($0.label ?? "").contains("$") }
            #expect(offenders.isEmpty, "\(label.page): \(offenders)")
        }
    }
}
