import Foundation
import VeritasProtocol
import VeritasReport

/// How values read in human output.
enum Formatting {
    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func truncated(_ text: String, to limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(max(limit - 1, 0))) + "…"
    }

    static func time(_ timestamp: Timestamp?) -> String {
        timestamp?.description ?? "-"
    }

    static func score(_ audit: Audit) -> String {
        audit.trustScore.map(String.init) ?? "-"
    }

    /// `1.2 KiB`, `3.4 MiB`.
    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1024 * 1024 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / 1_048_576)
    }

    /// The readable block of one audit, as `veritas status` prints it.
    static func auditBlock(_ audit: Audit) -> String {
        var lines: [(String, String)] = [
            ("id", audit.id.rawValue),
            ("url", audit.url.isEmpty ? "-" : audit.url),
            ("status", TerminalStyle.current.status(audit.status)),
            ("tier", "\(audit.tier.rawValue), verdict \(audit.verdictMode.rawValue)"),
        ]
        lines += verdictLines(trustScore: audit.trustScore, riskLevel: audit.riskLevel, siteType: audit.siteType, narrative: audit.narrative)
        lines += signalLines(signalScores: audit.signalScores, securityResults: audit.securityResults)
        if let message = audit.errorMessage { lines.append(("error", message)) }
        lines.append(("created", time(audit.createdAt)))
        lines.append(("started", time(audit.startedAt)))
        lines.append(("completed", time(audit.completedAt)))
        if let runner = audit.runnerID { lines.append(("runner", runner.rawValue)) }
        lines.append(("attempts", String(audit.attempts)))
        lines.append(("source", audit.source.rawValue))
        return block(lines)
    }

    /// The verdict's lines of a block (`trust score`, `risk`, `site type`, `narrative`), each
    /// only when known: ``auditBlock(_:)`` and `veritas analyze` show a verdict the same way.
    static func verdictLines(trustScore: Int?, riskLevel: RiskLevel?, siteType: SiteType?, narrative: String?) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let trustScore { lines.append(("trust score", "\(trustScore)/100")) }
        if let riskLevel { lines.append(("risk", TerminalStyle.current.risk(riskLevel))) }
        if let siteType { lines.append(("site type", siteType.rawValue)) }
        if let narrative { lines.append(("narrative", narrative)) }
        return lines
    }

    /// The signal scores behind the trust score and the security grade, each only when known:
    /// `signals  dark patterns 60 · security 80 · transparency 70 · hygiene 90`,
    /// `security  grade B, score 70, 3 of 10 tests failed`.
    static func signalLines(signalScores: [String: Double]?, securityResults: JSONValue?) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let signalScores, !signalScores.isEmpty {
            lines.append(("signals", HTMLReport.orderedSignalNames(signalScores).map { "\($0.replacingOccurrences(of: "_", with: " ")) \(Int(signalScores[$0]!.rounded()))" }.joined(separator: " · ")))
        }
        if let security = securityResults, let grade = security["grade"]?.stringValue {
            var text = "grade \(grade)"
            if let score = security["score"]?.doubleValue { text += ", score \(Int(score))" }
            if let tests = security["tests"]?.objectValue {
                let failed = tests.values.filter { $0["pass"]?.boolValue == false }.count
                text += ", \(failed) of \(tests.count) tests failed"
            }
            lines.append(("security", text))
        }
        return lines
    }

    /// The findings in full, as `veritas findings --wide` prints them: one block each, with the
    /// whole evidence and where it is on the page.
    static func findingsDetail(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "no findings" }
        return findings.enumerated().map { index, finding in
            let style = TerminalStyle.current
            var lines = ["\(index + 1). \(finding.category.rawValue) / \(finding.patternType.rawValue), severity \(style.severity(finding.severity)), confidence \(String(format: "%.2f", finding.confidence))"]
            lines.append(wrapped("   evidence: ", finding.evidence, style: style))
            lines.append(wrapped("   where: ", finding.location ?? "not recorded", style: style))
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// The findings as `veritas findings` prints them: a table with the evidence cut to 60
    /// characters, or `no findings`.
    static func findingsTable(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "no findings" }
        var table = TextTable("CATEGORY", "TYPE", "SEVERITY", "CONFIDENCE", "EVIDENCE")
        for finding in findings {
            table.append(
                finding.category.rawValue, finding.patternType.rawValue, finding.severity.rawValue,
                String(format: "%.2f", finding.confidence), truncated(finding.evidence, to: 60))
        }
        return table.render()
    }

    /// `label:  value` lines with the values aligned; multi-line values stay indented, and long
    /// ones are wrapped at the terminal's width (``TerminalStyle``).
    static func block(_ lines: [(String, String)], style: TerminalStyle = .current) -> String {
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        return lines.map { label, value in
            let head = (label + ":").padding(toLength: width, withPad: " ", startingAt: 0)
            return wrapped(head, value, style: style)
        }.joined(separator: "\n")
    }

    /// `head` then `value`, its continuation lines indented under the value's start; wrapped at
    /// the style's width when it has one.
    static func wrapped(_ head: String, _ value: String, style: TerminalStyle) -> String {
        let indent = String(repeating: " ", count: head.count)
        let lines = style.width.map { TerminalStyle.wrap(value, width: max($0 - head.count, 20)) }
            ?? value.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return head + lines.joined(separator: "\n" + indent)
    }

    /// A file-name-safe version of a screenshot label: lowercase letters, digits and `-`.
    static func slug(_ label: String) -> String {
        var slug = ""
        for scalar in label.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        slug = String(slug.prefix(48))
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "screenshot" : slug
    }
}
