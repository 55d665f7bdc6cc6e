import Foundation
import VeritasProtocol

/// Turns the signals into a verdict: signal scores, trust score, risk level, site type, narrative.
///
/// The formula, deliberately simple and documented:
/// - `security` = the Observatory-style score (0...100);
/// - `dark_patterns` = 100 − 30 per high, 20 per medium, 10 per low finding (not below 0);
/// - `transparency` = 100 × (privacy, terms, contact links present) / 3;
/// - trust = round(0.4 × security + 0.4 × dark_patterns + 0.2 × transparency);
/// - risk: ≥ 75 low, ≥ 50 medium, ≥ 25 high, else critical.
struct Verdict {
    let security: SecurityCheck
    let findings: [Finding]
    let transparency: [String: Bool]
    let siteType: SiteType

    var darkPatternScore: Int {
        max(0, 100 - findings.reduce(0) { total, finding in
            total + (finding.severity == .high ? 30 : finding.severity == .medium ? 20 : 10)
        })
    }

    var transparencyScore: Int {
        Int((Double(transparency.values.filter { $0 }.count) / 3 * 100).rounded())
    }

    var trustScore: Int {
        Int((0.4 * Double(security.score) + 0.4 * Double(darkPatternScore) + 0.2 * Double(transparencyScore)).rounded())
    }

    var riskLevel: RiskLevel {
        switch trustScore {
        case 75...: .low
        case 50..<75: .medium
        case 25..<50: .high
        default: .critical
        }
    }

    static func transparencyLinks(_ page: PageText) -> [String: Bool] {
        func present(_ words: [String]) -> Bool {
            page.links.contains { link in words.contains { link.contains($0) } } || words.contains { page.lowercased.contains($0) }
        }
        return [
            "privacy": present(["privacy", "datenschutz"]),
            "terms": present(["terms", "conditions", "/tos", "legal"]),
            "contact": present(["contact", "mailto:", "impressum"]),
        ]
    }

    static func guessSiteType(_ page: PageText) -> SiteType {
        let shopWords = ["add to cart", "add to basket", "checkout", "shopping cart", "your cart", "buy now"]
        if shopWords.contains(where: { page.lowercased.contains($0) }) || page.links.contains(where: { $0.contains("/cart") || $0.contains("/checkout") }) {
            return .shop
        }
        return .other
    }

    func narrative(mode: VerdictMode, url: String) -> String {
        let patternWord = findings.count == 1 ? "dark pattern" : "dark patterns"
        let missing = transparency.filter { !$0.value }.map(\.key).sorted()
        let transparencyText = missing.isEmpty ? "privacy, terms and contact information are linked" : "missing: \(missing.joined(separator: ", "))"
        let summary = "Trust score \(trustScore)/100 (\(riskLevel.rawValue) risk). Security grade \(security.grade); \(findings.count) \(patternWord) found; \(transparencyText)."
        guard mode == .expert else { return summary }
        var lines = [summary, "", "How the score was made: trust = 0.4 × security (\(security.score)) + 0.4 × dark patterns (\(darkPatternScore)) + 0.2 × transparency (\(transparencyScore)).", ""]
        let failed = security.tests.filter { !$0.pass }
        lines.append(failed.isEmpty ? "Security: every header check passed." : "Security checks that failed:")
        for test in failed { lines.append("- \(test.name): \(test.reason) (\(test.modifier))") }
        lines.append("")
        if findings.isEmpty {
            lines.append("Dark patterns: none of the known phrases were found in the page text.")
        } else {
            lines.append("Dark patterns:")
            for finding in findings.prefix(20) {
                lines.append("- \(finding.category.rawValue)/\(finding.patternType.rawValue) (\(finding.severity.rawValue)): \"\(finding.evidence.prefix(160))\"")
            }
        }
        lines.append("")
        lines.append("Transparency: " + ["privacy", "terms", "contact"].map { "\($0) \(transparency[$0] == true ? "linked" : "not found")" }.joined(separator: ", ") + ".")
        lines.append("Site type guess: \(siteType.rawValue). Audited URL: \(url).")
        return String(lines.joined(separator: "\n").prefix(ProtocolLimits.maxNarrativeLength))
    }
}
