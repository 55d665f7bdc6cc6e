import Foundation
import VeritasClient
import VeritasProtocol
import VeritasReport

/// The console's pages as HTML. Every text from a writer (URLs, narratives, evidence, labels,
/// error messages) is escaped through ``HTMLEscaping``: audited pages are hostile, and their words
/// reach the console as evidence. Pages carry no inline script or style: the Content-Security-Policy
/// (``ConsoleSecurityHeaders``) allows only `/static/console.css` and `/static/console.js`.
enum ConsolePages {
    private static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }

    /// The frame around every page: the style sheet, the script, the navigation.
    static func layout(title: String, section: String, _ body: String) -> String {
        func link(_ path: String, _ name: String, _ key: String) -> String {
            "<a href=\"\(path)\"\(key == section ? " aria-current=\"page\"" : "")>\(name)</a>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Veritas console</title>
            <link rel="stylesheet" href="/static/console.css">
            <script src="/static/console.js" defer></script>
            </head>
            <body>
            <nav class="console"><strong>Veritas</strong> \(link("/", "Audits", "audits")) \(link("/health", "Health", "health"))</nav>
            \(body)
            </body>
            </html>

            """
    }

    // MARK: The list

    /// Everything the list page shows.
    struct ListView {
        var list: AuditList
        var status: AuditStatus?
        var limit: Int
        var submitError: String?
        var submittedURL: String = ""
    }

    static func auditList(_ view: ListView) -> String {
        let filter = (["all"] + AuditStatus.allCases.map(\.rawValue)).map { name -> String in
            let selected = (view.status?.rawValue ?? "all") == name
            return "<option value=\"\(name)\"\(selected ? " selected" : "")>\(name)</option>"
        }.joined()
        let rows = view.list.audits.map { audit -> String in
            let trust = audit.trustScore.map(String.init) ?? "–"
            let risk = audit.riskLevel.map { "<span class=\"risk-badge risk-\($0.rawValue)\">\($0.rawValue)</span>" } ?? "–"
            return """
                <tr class="audit status-\(audit.status.rawValue)"><td><a href="/audits/\(audit.id.rawValue)">\(escape(audit.url.isEmpty ? audit.id.rawValue : audit.url))</a></td>\
                <td class="status">\(audit.status.rawValue)</td><td class="num">\(trust)</td><td>\(risk)</td><td>\(audit.tier.rawValue)</td>\
                <td>\(escape(audit.createdAt.description))</td></tr>
                """
        }.joined(separator: "\n")
        let statusQuery = view.status.map { "&status=\($0.rawValue)" } ?? ""
        var paging: [String] = []
        if view.list.offset > 0 {
            paging.append("<a rel=\"prev\" href=\"/?offset=\(max(0, view.list.offset - view.limit))&limit=\(view.limit)\(statusQuery)\">Newer</a>")
        }
        if let next = view.list.nextOffset {
            paging.append("<a rel=\"next\" href=\"/?offset=\(next)&limit=\(view.limit)\(statusQuery)\">Older</a>")
        }
        let error = view.submitError.map { "<p class=\"form-error\" role=\"alert\">\(escape($0))</p>" } ?? ""
        let tiers = Tier.allCases.map { "<option value=\"\($0.rawValue)\"\($0 == .standard ? " selected" : "")>\($0.rawValue)</option>" }.joined()
        let modes = VerdictMode.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" }.joined()
        let body = """
            <main class="console">
            <h1>Audits</h1>
            <form class="submit" method="post" action="/submit">
            <h2>Audit a site</h2>
            \(error)
            <label>URL <input type="url" name="url" required maxlength="\(ProtocolLimits.maxURLLength)" placeholder="https://shop.example/" value="\(escape(view.submittedURL))"></label>
            <label>Tier <select name="tier">\(tiers)</select></label>
            <label>Verdict <select name="mode">\(modes)</select></label>
            <button type="submit">Submit</button>
            </form>
            <form class="filter" method="get" action="/">
            <label>Status <select name="status">\(filter)</select></label>
            <label>Per page <input type="number" name="limit" min="1" max="\(ProtocolLimits.maxListLimit)" value="\(view.limit)"></label>
            <button type="submit">Show</button>
            </form>
            <table class="audits"><thead><tr><th scope="col">Site</th><th scope="col">Status</th><th scope="col">Trust</th><th scope="col">Risk</th><th scope="col">Tier</th><th scope="col">Created</th></tr></thead>
            <tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"6\" class=\"none\">No audits.</td></tr>" : rows)
            </tbody></table>
            <p class="paging">\(paging.joined(separator: " · "))</p>
            <p class="source">Read from the \(view.list.source.rawValue).</p>
            </main>
            """
        return layout(title: "Audits", section: "audits", body)
    }

    // MARK: One audit

    /// One audit: the report's content, and for an audit still under way, its live progress.
    static func audit(_ report: AuditReport) -> String {
        let audit = report.audit
        let finished = audit.status == .completed || audit.status == .error
        // The live section starts from the runner's latest progress, not from 0%.
        let percent = Int(audit.progress?.percent ?? 0)
        let phase = audit.progress.map { "· " + escape(HTMLReport.words($0.phase)) } ?? ""
        let live = finished ? "" : """
            <section class="live" id="live" data-audit="\(audit.id.rawValue)" data-since="\((audit.startedAt ?? audit.createdAt).millisecondsSinceEpoch)">
            <h2>Progress</h2>
            <progress id="live-progress" max="100" value="\(percent)">\(percent)%</progress>
            <p><span id="live-status">\(audit.status.rawValue)</span> <span id="live-phase">\(phase)</span> <span id="live-elapsed"></span></p>
            </section>
            """
        let body = """
            <div class="toolbar"><a href="/audits/\(audit.id.rawValue)/report.html" download>Download the report (one HTML file)</a></div>
            \(live)
            <div id="audit-content">
            \(HTMLReport.article(report))
            </div>
            """
        return layout(title: audit.url.isEmpty ? audit.id.rawValue : audit.url, section: "audit", body)
    }

    // MARK: Health

    static func health(_ results: [(endpoint: String, result: Result<HealthReport, ClientError>)]) -> String {
        let sections = results.map { endpoint, result -> String in
            switch result {
            case .failure(let error):
                return "<section class=\"writer down\"><h2>\(escape(endpoint))</h2><p class=\"form-error\">No answer: \(escape(error.description))</p></section>"
            case .success(let health):
                let rows: [(String, String)] = [
                    ("Status", health.status.rawValue),
                    ("Database", "\(health.database.rawValue)\(health.persistenceEnabled ? "" : " (persistence off: memory only)")"),
                    ("Runners connected", String(health.connectedRunners)),
                    ("Queue depth", String(health.queueDepth)),
                    ("Audits", "\(health.counts.queued) queued, \(health.counts.running) running, \(health.counts.completed) completed, \(health.counts.error) error (from the \(health.countsSource.rawValue))"),
                    ("Held in memory", String(health.memoryAudits)),
                    ("CURVE", health.curveEnabled ? "required" : "off"),
                    ("Rejected input", "\(health.droppedMessages) dropped, \(health.errorReplies) error replies, \(health.refusedConnections) refused connections"),
                    ("Version", "\(health.version), protocol \(health.protocolVersion)"),
                    ("Up for", "\(Int(health.uptimeSeconds)) s"),
                ]
                let items = rows.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>" }.joined()
                return "<section class=\"writer health-\(health.status.rawValue)\"><h2>\(escape(endpoint))</h2><dl class=\"facts\">\(items)</dl></section>"
            }
        }.joined(separator: "\n")
        return layout(title: "Health", section: "health", "<main class=\"console\"><h1>Writers and runners</h1>\n\(sections)\n</main>")
    }

    // MARK: Errors

    static func error(title: String, message: String) -> String {
        layout(title: title, section: "", "<main class=\"console\"><h1>\(escape(title))</h1><p class=\"form-error\">\(escape(message))</p><p><a href=\"/\">Back to the audits</a></p></main>")
    }
}
