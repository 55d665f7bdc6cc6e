import Crypto
import Foundation
import VeritasProtocol

/// One audit as a single self-contained HTML page: the verdict, the signal scores, the security
/// grade with every test, each finding with its full evidence, and the screenshots with the
/// findings outlined on them.
///
/// The page loads nothing: images are inlined as `data:` URLs and the style sheet is inline. It
/// runs nothing either: it has no script, and its Content-Security-Policy allows none
/// (`default-src 'none'`), so even text that escaped escaping could not run. Every text that came
/// from the audited page or the network is escaped (``HTMLEscaping``). Boxes are drawn in an SVG
/// over each image, in the image's own pixels, so they stay on their element at any width and in
/// print.
public enum HTMLReport {
    /// The whole document.
    public static func render(_ report: AuditReport) -> String {
        let audit = report.audit
        let title = "Veritas audit: \(audit.url.isEmpty ? audit.id.rawValue : audit.url)"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <meta name="referrer" content="no-referrer">
            <meta name="generator" content="Veritas \(VeritasVersion.current)">
            <title>\(HTMLEscaping.escape(title))</title>
            <style>\(ReportStyle.css)</style>
            </head>
            <body>
            \(article(report))
            </body>
            </html>

            """
    }

    /// The policy of the report: nothing may load or run but the inline style sheet (by its hash)
    /// and the inlined images.
    public static let contentSecurityPolicy =
        "default-src 'none'; img-src data:; style-src '\(ReportStyle.hashSource)'; base-uri 'none'; form-action 'none'"

    /// The report's content without the document around it (the console embeds it in its pages,
    /// which link ``ReportStyle/css`` themselves).
    public static func article(_ report: AuditReport) -> String {
        let audit = report.audit
        let numbered = Array(report.findings.enumerated())
        var html = "<main class=\"report\">\n"
        html += header(audit)
        html += verdict(audit)
        html += details(audit)
        html += signals(audit.signalScores)
        html += security(audit.securityResults)
        html += findings(numbered, screenshots: report.screenshots)
        html += screenshots(report.screenshots, findings: numbered)
        html += """
            <footer>Made by Veritas \(VeritasVersion.current) on \(HTMLEscaping.escape(report.generatedAt.description)) \
            from \(HTMLEscaping.escape(report.origin)). This file is self-contained: it loads nothing from the network and runs no script.</footer>
            </main>

            """
        return html
    }

    // MARK: Sections

    private static func header(_ audit: Audit) -> String {
        let url = HTMLEscaping.escape(audit.url)
        let link = HTMLEscaping.linkableURL(audit.url).map { "<a href=\"\(HTMLEscaping.escape($0))\" rel=\"noopener noreferrer nofollow\">\(url)</a>" } ?? url
        return "<header><p class=\"kicker\">Veritas audit report</p><h1>\(link.isEmpty ? "(no URL)" : link)</h1></header>\n"
    }

    private static func verdict(_ audit: Audit) -> String {
        guard let trust = audit.trustScore, let risk = audit.riskLevel else {
            var text = "No verdict: the audit is \(audit.status.rawValue)."
            if let error = audit.errorMessage { text += " \(error)" }
            return "<section class=\"verdict\" id=\"verdict\"><p class=\"pending\">\(HTMLEscaping.escape(text))</p></section>\n"
        }
        let site = audit.siteType.map { "<span class=\"site\">\(HTMLEscaping.escape(words($0.rawValue))) site</span>" } ?? ""
        let narrative = (audit.narrative ?? "").split(separator: "\n", omittingEmptySubsequences: true)
            .map { "<p>\(HTMLEscaping.escape(String($0)))</p>" }.joined(separator: "\n")
        return """
            <section class="verdict risk-\(risk.rawValue)" id="verdict">
            <div class="score"><span class="trust">\(trust)</span><span class="of">/100 trust</span></div>
            <div class="headline"><span class="risk">\(risk.rawValue) risk</span> \(site)</div>
            <div class="narrative">\(narrative)</div>
            </section>

            """
    }

    private static func details(_ audit: Audit) -> String {
        var rows: [(String, String)] = [
            ("Audit id", audit.id.rawValue),
            ("Status", audit.status.rawValue),
            ("Tier", audit.tier.rawValue),
            ("Verdict mode", audit.verdictMode.rawValue),
            ("Created", audit.createdAt.description),
        ]
        if let completed = audit.completedAt { rows.append(("Completed", completed.description)) }
        if let runner = audit.runnerID { rows.append(("Runner", runner.rawValue)) }
        let security = audit.securityResults
        if let final = security?["final_url"]?.stringValue, final != audit.url { rows.append(("Final URL", final)) }
        if let rendered = security?["rendered"]?.boolValue {
            let reason = security?["render_error"]?.stringValue.map { " (\($0))" } ?? ""
            rows.append(("Analysed", rendered ? "as rendered in headless Chromium, scripts run" : "as served, scripts not run" + reason))
        }
        if let note = security?["note"]?.stringValue { rows.append(("Note", note)) }
        let items = rows.map { "<dt>\(HTMLEscaping.escape($0.0))</dt><dd>\(HTMLEscaping.escape($0.1))</dd>" }.joined()
        return "<section id=\"details\"><h2>The audit</h2><dl class=\"facts\">\(items)</dl></section>\n"
    }

    /// The order the trust score's signals are explained in; others follow by name.
    static let signalOrder = ["dark_patterns", "security", "transparency", "hygiene"]

    /// `scores`' signal names in ``signalOrder``, then the others by name: how every view lists
    /// them (this report, `veritas status`).
    public static func orderedSignalNames(_ scores: [String: Double]) -> [String] {
        scores.keys.sorted {
            (signalOrder.firstIndex(of: $0) ?? signalOrder.count, $0) < (signalOrder.firstIndex(of: $1) ?? signalOrder.count, $1)
        }
    }

    private static func signals(_ scores: [String: Double]?) -> String {
        guard let scores, !scores.isEmpty else { return "" }
        let rows = orderedSignalNames(scores).map { name -> String in
            let value = Int(scores[name]!.rounded())
            return "<tr><th scope=\"row\">\(HTMLEscaping.escape(words(name)))</th><td class=\"num\">\(value)</td>"
                + "<td><meter min=\"0\" max=\"100\" low=\"50\" high=\"80\" optimum=\"100\" value=\"\(value)\">\(value)/100</meter></td></tr>"
        }.joined(separator: "\n")
        return """
            <section id="signals"><h2>Signal scores</h2>
            <table class="signals"><thead><tr><th scope="col">Signal</th><th scope="col">Score</th><th scope="col">0–100</th></tr></thead>
            <tbody>
            \(rows)
            </tbody></table></section>

            """
    }

    private static func security(_ results: JSONValue?) -> String {
        guard let results, let grade = results["grade"]?.stringValue else { return "" }
        var summary = "Grade <strong class=\"grade\">\(HTMLEscaping.escape(grade))</strong>"
        if let score = results["score"]?.doubleValue { summary += ", score \(Int(score))" }
        if let penalties = results["penalties"]?.doubleValue, let bonuses = results["bonuses"]?.doubleValue {
            summary += " (100 − \(Int(penalties)) in penalties + \(Int(bonuses)) in bonuses"
            if results["bonuses_applied"]?.boolValue == false { summary += ", bonuses not applied below grade B" }
            summary += ")"
        }
        let tests = (results["tests"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
        let failed = tests.filter { $0.value["pass"]?.boolValue == false }.count
        summary += ". \(failed) of \(tests.count) tests failed."
        let rows = tests.map { name, test -> String in
            let pass = test["pass"]?.boolValue ?? false
            let modifier = Int(test["modifier"]?.doubleValue ?? 0)
            let signed = modifier > 0 ? "+\(modifier)" : "\(modifier)"
            return "<tr class=\"\(pass ? "pass" : "fail")\"><th scope=\"row\">\(HTMLEscaping.escape(words(name)))</th>"
                + "<td>\(pass ? "✓ pass" : "✗ fail")</td><td class=\"num\">\(signed)</td>"
                + "<td><code>\(HTMLEscaping.escape(test["result"]?.stringValue ?? ""))</code> \(HTMLEscaping.escape(test["reason"]?.stringValue ?? ""))</td></tr>"
        }.joined(separator: "\n")
        var extra = ""
        if let mixed = results["mixed_content"]?.arrayValue, !mixed.isEmpty {
            extra += "<p>Mixed content: \(mixed.compactMap(\.stringValue).map { "<code>\(HTMLEscaping.escape($0))</code>" }.joined(separator: ", "))</p>"
        }
        if let blocked = results["blocked_destinations"]?.arrayValue, !blocked.isEmpty {
            let total = Int(results["blocked_destinations_total"]?.doubleValue ?? Double(blocked.count))
            extra += "<p>The egress guard refused \(total) connection\(total == 1 ? "" : "s") to addresses audits may not reach: "
                + blocked.compactMap(\.stringValue).map { "<code>\(HTMLEscaping.escape($0))</code>" }.joined(separator: ", ") + "</p>"
        }
        return """
            <section id="security"><h2>Security headers</h2>
            <p>\(summary)</p>
            <table class="tests"><thead><tr><th scope="col">Test</th><th scope="col">Result</th><th scope="col">Modifier</th><th scope="col">Why</th></tr></thead>
            <tbody>
            \(rows)
            </tbody></table>
            \(extra)
            </section>

            """
    }

    private static func findings(_ numbered: [(offset: Int, element: Finding)], screenshots: [AuditReport.Screenshot]) -> String {
        guard !numbered.isEmpty else {
            return "<section id=\"findings\"><h2>Dark patterns</h2><p class=\"none\">No dark patterns were found.</p></section>\n"
        }
        let labels = Dictionary(screenshots.map { ($0.index, $0.label) }, uniquingKeysWith: { first, _ in first })
        let items = numbered.map { offset, finding -> String in
            let number = offset + 1
            let place: String
            if let box = finding.box, let label = labels[box.screenshotIndex] {
                place = "Outlined as <a href=\"#shot-\(box.screenshotIndex)\">\(number) on the \(HTMLEscaping.escape(label)) screenshot</a>."
            } else if screenshots.isEmpty {
                place = "Not on a screenshot: this audit has none."
            } else {
                place = "Not on a screenshot: its element could not be measured (hidden, on another page of the site, or outside the captured image)."
            }
            let location = finding.location.map { "<p class=\"location\">Where: \(HTMLEscaping.escape($0))</p>" } ?? ""
            return """
                <li id="finding-\(number)" class="finding severity-\(finding.severity.rawValue)">
                <h3><span class="number">\(number)</span> \(HTMLEscaping.escape(words(finding.patternType.rawValue)))
                <span class="category">\(HTMLEscaping.escape(words(finding.category.rawValue)))</span></h3>
                <p class="meta"><span class="severity">\(finding.severity.rawValue) severity</span> · \(Int((finding.confidence * 100).rounded()))% confidence</p>
                <blockquote class="evidence">\(HTMLEscaping.escape(finding.evidence))</blockquote>
                \(location)
                <p class="place">\(place)</p>
                </li>
                """
        }.joined(separator: "\n")
        let count = numbered.count
        return """
            <section id="findings"><h2>Dark patterns: \(count) finding\(count == 1 ? "" : "s")</h2>
            <ol class="findings">
            \(items)
            </ol></section>

            """
    }

    private static func screenshots(_ shots: [AuditReport.Screenshot], findings numbered: [(offset: Int, element: Finding)]) -> String {
        guard !shots.isEmpty else { return "" }
        let figures = shots.map { shot -> String in
            let source = "data:\(shot.contentType.rawValue);base64,\(shot.image.base64EncodedString())"
            let label = HTMLEscaping.escape(shot.label)
            let marked = numbered.filter { $0.element.box?.screenshotIndex == shot.index }
            guard let size = ImageSize(shot.image, contentType: shot.contentType) else {
                let note = marked.isEmpty ? "" : "<p>Its image size could not be read, so its findings are not outlined.</p>"
                return "<figure id=\"shot-\(shot.index)\" class=\"shot\"><img src=\"\(source)\" alt=\"Screenshot: \(label)\">"
                    + "<figcaption>\(label)</figcaption>\(note)</figure>"
            }
            // Findings on the same element share one outline, tagged with all their numbers, so no
            // tag hides another.
            var groups: [(box: FindingBox, entries: [(number: Int, finding: Finding)])] = []
            for (offset, finding) in marked {
                let box = finding.box!
                if let index = groups.firstIndex(where: { $0.box == box }) {
                    groups[index].entries.append((offset + 1, finding))
                } else {
                    groups.append((box, [(offset + 1, finding)]))
                }
            }
            let marks = groups.map { box, entries -> String in
                let numbers = entries.map { String($0.number) }.joined(separator: ",")
                let order = Severity.allCases
                let worst = entries.map(\.finding.severity).max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }!
                let tagWidth = 16.0 + 12.0 * Double(numbers.count)
                let tagY = max(0, box.y - 30)
                let title = entries.map { "\($0.number): \(words($0.finding.patternType.rawValue))" }.joined(separator: "; ")
                return "<a href=\"#finding-\(entries[0].number)\" class=\"mark severity-\(worst.rawValue)\">"
                    + "<title>\(HTMLEscaping.escape(title))</title>"
                    + "<rect class=\"outline\" x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(box.width)\" height=\"\(box.height)\"/>"
                    + "<rect class=\"tag\" x=\"\(box.x)\" y=\"\(tagY)\" width=\"\(tagWidth)\" height=\"28\"/>"
                    + "<text x=\"\(box.x + 8)\" y=\"\(tagY + 21)\">\(numbers)</text></a>"
            }.joined()
            let legend = marked.isEmpty ? "no finding outlined" : "outlined: " + marked.map { offset, finding in
                "<a href=\"#finding-\(offset + 1)\">\(offset + 1) \(HTMLEscaping.escape(words(finding.patternType.rawValue)))</a>"
            }.joined(separator: ", ")
            return """
                <figure id="shot-\(shot.index)" class="shot">
                <svg viewBox="0 0 \(size.width) \(size.height)" role="img" aria-label="Screenshot: \(label)" data-width="\(size.width)" data-height="\(size.height)">
                <image href="\(source)" x="0" y="0" width="\(size.width)" height="\(size.height)"/>
                \(marks)
                </svg>
                <figcaption>\(label) (\(size.width)×\(size.height) px): \(legend)</figcaption>
                </figure>
                """
        }.joined(separator: "\n")
        return "<section id=\"screenshots\"><h2>Screenshots</h2>\n\(figures)\n</section>\n"
    }

    /// `pattern_type`-style names as words: `low_stock` → `low stock`.
    public static func words(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
    }
}
