import Foundation
import VeritasProtocol

/// Precision and recall of the detectors against the corpus labels, per category and overall.
///
/// Counting is per (page, pattern type): a type the detectors report on a page is a true positive
/// when the page's label expects that type **and** one of the reported findings of that type
/// quotes the labelled evidence (substring either way, case and whitespace folded); otherwise it
/// is a false positive, and the expected type, if any, a false negative. Several findings of one
/// type on a page count once, so a repeated banner neither inflates nor sinks the figures.
struct CorpusScore {
    struct Tally {
        var truePositives = 0
        var falsePositives = 0
        var falseNegatives = 0
        var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
    }

    private(set) var byCategory: [String: Tally] = [:]
    private(set) var byType: [String: Tally] = [:]
    /// Findings reported on clean pages (every one is false), and clean pages with any.
    private(set) var findingsOnCleanPages = 0
    private(set) var cleanPagesWithFindings = 0
    private(set) var overall = Tally()
    /// One line per mistake, for the report.
    private(set) var mistakes: [String] = []

    static func fold(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .replacingOccurrences(of: "’", with: "'")
    }

    static func matches(_ evidence: String, _ expected: String) -> Bool {
        let a = fold(evidence), b = fold(expected)
        return !a.isEmpty && !b.isEmpty && (a.contains(b) || b.contains(a))
    }

    mutating func add(page: Corpus.Page, findings: [Finding]) {
        let reported = Dictionary(grouping: findings, by: { $0.patternType.rawValue })
        let expected = Dictionary(grouping: page.expected, by: \.pattern_type)
        if page.clean {
            findingsOnCleanPages += findings.count
            cleanPagesWithFindings += findings.isEmpty ? 0 : 1
        }
        for type in Set(reported.keys).union(expected.keys).sorted() {
            let category = DarkPatternType(rawValue: type)!.category.rawValue
            let found = reported[type] ?? []
            let wanted = expected[type] ?? []
            let quoted = !found.isEmpty && wanted.contains { label in found.contains { Self.matches($0.evidence, label.evidence) } }
            if quoted {
                record(category, type) { $0.truePositives += 1 }
            } else {
                if !found.isEmpty {
                    record(category, type) { $0.falsePositives += 1 }
                    mistakes.append("FP \(page.page) \(type): \(found.map { "\"\($0.evidence.prefix(90))\"" }.joined(separator: "; "))")
                }
                if !wanted.isEmpty {
                    record(category, type) { $0.falseNegatives += 1 }
                    mistakes.append("FN \(page.page) \(type): expected \"\(wanted[0].evidence)\"")
                }
            }
        }
    }

    private mutating func record(_ category: String, _ type: String, _ change: (inout Tally) -> Void) {
        change(&byCategory[category, default: Tally()])
        change(&byType[type, default: Tally()])
        change(&overall)
    }

    /// A table: category, TP, FP, FN, precision, recall; then the overall line and the mistakes.
    var report: String {
        func line(_ name: String, _ tally: Tally) -> String {
            name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "%4d %4d %4d   %.3f   %.3f", tally.truePositives, tally.falsePositives, tally.falseNegatives, tally.precision, tally.recall)
        }
        var lines = ["category".padding(toLength: 34, withPad: " ", startingAt: 0) + "  TP   FP   FN   precision recall"]
        for category in DarkPatternCategory.allCases.map(\.rawValue) {
            lines.append(line(category, byCategory[category] ?? Tally()))
        }
        lines.append(line("overall", overall))
        lines.append("type")
        for type in DarkPatternType.allCases.map(\.rawValue) where byType[type] != nil {
            lines.append("  " + line(type, byType[type]!))
        }
        lines.append("false findings on clean pages: \(findingsOnCleanPages), on \(cleanPagesWithFindings) page(s)")
        lines.append(contentsOf: mistakes)
        return lines.joined(separator: "\n")
    }
}
