import Foundation
import VeritasAudit
import VeritasProtocol
import VeritasSecurity

/// The `security_results` object stored with a completed audit: the Observatory report (score,
/// grade, each test with its result identifier, modifier, pass flag and reason) plus what the
/// fetch saw (final URL, redirect chain, where plain http leads, mixed content, whether the page
/// was rendered). `docs/AUDIT.md` lists every field.
public enum SecurityResults {
    /// Every top-level field Veritas runners may send, as PROTOCOL.md §5.3 lists them (a test
    /// holds the two together): the ones ``json(report:finalURL:redirects:httpChain:hygiene:rendered:renderError:extra:)``
    /// writes, the egress guard's two, and the two `veritas analyze FILE` adds.
    public static let fieldNames = [
        "score", "grade", "penalties", "bonuses", "bonuses_applied", "tests", "https", "final_url", "redirect_chain",
        "http_redirect_chain", "http_redirects_to_https", "mixed_content", "rendered", "render_error",
        "blocked_destinations", "blocked_destinations_total", "source", "note",
    ]

    /// `security_results.note` of a local file (`veritas analyze FILE`).
    public static let fileNote = "a file has no HTTP headers: its security grade only reflects their absence"

    static func json(
        report: ObservatoryReport, page: PageFetcher.Page, httpChain: [String]?, hygiene: HygieneSignals,
        rendered: Bool, renderError: String?
    ) -> JSONValue {
        json(report: report, finalURL: page.finalURL,
             redirects: page.redirects.map { (url: $0.url, status: $0.status) },
             httpChain: httpChain, hygiene: hygiene, rendered: rendered, renderError: renderError)
    }

    /// The object for a page reached at `finalURL` through `redirects`, whose plain-http probe
    /// followed `httpChain` (`nil`: not probed or nothing listening), with `extra` fields added
    /// (`veritas analyze` adds `source` and `note` for a file).
    public static func json(
        report: ObservatoryReport, finalURL: URL, redirects: [(url: String, status: Int)], httpChain: [String]?,
        hygiene: HygieneSignals, rendered: Bool, renderError: String?, extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var tests: [String: JSONValue] = [:]
        for test in report.tests {
            tests[test.name] = .object([
                "result": .string(test.result), "pass": .bool(test.pass), "modifier": .number(Double(test.modifier)),
                "reason": .string(test.reason),
            ])
        }
        let toHTTPS: JSONValue = httpChain.map { chain in
            .bool(chain.count > 1 && chain.last.flatMap { URL(string: $0)?.scheme?.lowercased() } == "https")
        } ?? .null
        var fields: [String: JSONValue] = [
            "score": .number(Double(report.score)),
            "grade": .string(report.grade),
            "penalties": .number(Double(report.penalties)),
            "bonuses": .number(Double(report.bonuses)),
            "bonuses_applied": .bool(report.bonusesApplied),
            "tests": .object(tests),
            "https": .bool(finalURL.scheme?.lowercased() == "https"),
            "final_url": .string(finalURL.absoluteString),
            "redirect_chain": .array(redirects.map { .object(["url": .string($0.url), "status": .number(Double($0.status))]) }),
            "http_redirect_chain": httpChain.map { .array($0.map(JSONValue.string)) } ?? .null,
            "http_redirects_to_https": toHTTPS,
            "mixed_content": .array(hygiene.mixedContent.map(JSONValue.string)),
            "rendered": .bool(rendered),
            "render_error": renderError.map(JSONValue.string) ?? .null,
        ]
        fields.merge(extra) { _, added in added }
        return .object(fields)
    }
}
