import Foundation
import Testing
import VeritasHTML
@testable import VeritasSecurity

/// One labelled case from `security-cases.json`.
struct SecurityCase: Decodable, Sendable, CustomTestStringConvertible {
    struct ExpectedTest: Decodable, Sendable { let result: String; let modifier: Int }
    struct Expected: Decodable, Sendable {
        let tests: [String: ExpectedTest]
        let penalties: Int
        let bonuses: Int
        let bonuses_applied: Bool
        let score: Int
        let grade: String
    }
    let name: String
    let host: String
    let scheme: String
    let http_available: Bool
    let redirect_chain: [String]?
    let headers: [String: String]
    let cookies: [String]
    let html: String?
    let cors_probe_origin: String?
    let expected: Expected

    var testDescription: String { name }

    var input: ObservatoryInput {
        ObservatoryInput(host: host, scheme: scheme, httpAvailable: http_available, redirectChain: redirect_chain,
                         headers: headers, cookies: cookies, scripts: html.map(ScriptTag.all(in:)) ?? [],
                         corsProbeOrigin: cors_probe_origin)
    }
}

private struct CaseFile: Decodable { let cases: [SecurityCase] }

enum CaseLoader {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../VeritasAuditTests/Corpus/security-cases.json").standardizedFileURL

    static let cases: [SecurityCase] = {
        guard let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(CaseFile.self, from: data) else { return [] }
        return file.cases
    }()
}

@Test func caseFileLoads() {
    #expect(CaseLoader.cases.count > 0, "could not load \(CaseLoader.url.path)")
}

@Test(arguments: CaseLoader.cases)
func observatoryCase(_ c: SecurityCase) {
    let report = ObservatoryGrader.grade(c.input)
    #expect(Set(report.tests.map(\.name)) == Set(c.expected.tests.keys))
    for (name, exp) in c.expected.tests.sorted(by: { $0.key < $1.key }) {
        let got = report[test: name]
        #expect(got?.result == exp.result, "\(name)")
        #expect(got?.modifier == exp.modifier, "\(name)")
    }
    #expect(report.penalties == c.expected.penalties)
    #expect(report.bonuses == c.expected.bonuses)
    #expect(report.bonusesApplied == c.expected.bonuses_applied)
    #expect(report.score == c.expected.score)
    #expect(report.grade == c.expected.grade)
}

// MARK: - Focused unit tests

private func strictHeaders(_ overrides: [String: String] = [:]) -> [String: String] {
    var h = [
        "Content-Security-Policy": "default-src 'self'",
        "Strict-Transport-Security": "max-age=63072000",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    ]
    for (k, v) in overrides { h[k] = v }
    return h
}

private func input(headers: [String: String] = strictHeaders(), cookies: [String] = [], scheme: String = "https") -> ObservatoryInput {
    ObservatoryInput(host: "shop.example.com", scheme: scheme, httpAvailable: true,
                     redirectChain: ["http://shop.example.com/", "https://shop.example.com/"],
                     headers: headers, cookies: cookies)
}

@Test func cspUnsafeInlineInScriptSrcFails() {
    let t = ContentSecurityPolicyTest.run(input(headers: strictHeaders(["Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"])))
    #expect(t.result == "csp-implemented-with-unsafe-inline")
    #expect(t.modifier == -20)
    #expect(!t.pass)
}

@Test func cspUnsafeInlineInStyleSrcOnlyPasses() {
    let t = ContentSecurityPolicyTest.run(input(headers: strictHeaders(["Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'"])))
    #expect(t.result == "csp-implemented-with-unsafe-inline-in-style-src-only")
    #expect(t.modifier == 0)
    #expect(t.pass)
}

@Test func headerLookupIsCaseInsensitive() {
    let t = ContentSecurityPolicyTest.run(input(headers: ["content-security-policy": "default-src 'none'"]))
    #expect(t.result == "csp-implemented-with-no-unsafe-default-src-none")
}

@Test(arguments: [(15_551_999, "hsts-implemented-max-age-less-than-six-months"),
                  (15_552_000, "hsts-implemented-max-age-at-least-six-months"),
                  (15_768_000, "hsts-implemented-max-age-at-least-six-months")])
func hstsMaxAgeBoundary(maxAge: Int, expected: String) {
    let t = StrictTransportSecurityTest.run(input(headers: strictHeaders(["Strict-Transport-Security": "max-age=\(maxAge); includeSubDomains"])))
    #expect(t.result == expected)
}

@Test func sessionCookieWithoutSecure() {
    let withHSTS = ObservatoryGrader.grade(input(cookies: ["SESSIONID=1; HttpOnly; SameSite=Lax"]))
    #expect(withHSTS[test: "cookies"]?.result == "cookies-session-without-secure-flag-but-protected-by-hsts")
    #expect(withHSTS[test: "cookies"]?.modifier == -10)

    var h = strictHeaders(); h["Strict-Transport-Security"] = nil
    let noHSTS = ObservatoryGrader.grade(input(headers: h, cookies: ["SESSIONID=1; HttpOnly; SameSite=Lax"]))
    #expect(noHSTS[test: "cookies"]?.result == "cookies-session-without-secure-flag")
    #expect(noHSTS[test: "cookies"]?.modifier == -40)
    #expect(noHSTS[test: "cookies"]?.pass == false)
}

@Test(arguments: [(140, "A+"), (100, "A+"), (99, "A"), (90, "A"), (89, "A-"), (85, "A-"), (84, "B+"),
                  (80, "B+"), (79, "B"), (70, "B"), (69, "B-"), (65, "B-"), (64, "C+"), (60, "C+"),
                  (59, "C"), (50, "C"), (49, "C-"), (45, "C-"), (44, "D+"), (40, "D+"), (39, "D"),
                  (30, "D"), (29, "D-"), (25, "D-"), (24, "F"), (0, "F")])
func gradeBoundaries(score: Int, grade: String) {
    #expect(ObservatoryScoring.grade(for: score) == grade)
}

/// The page's `<script>` elements, as the audit engine gets them: from the project's HTML parser.
extension ScriptTag {
    static func all(in html: String) -> [ScriptTag] {
        guard let document = try? HTMLDocument(parsing: html) else { return [] }
        return document.scripts.map { ScriptTag(src: $0.src, integrity: $0.integrity, crossorigin: $0.crossOrigin) }
    }
}

@Test func scriptTagsComeFromTheHTMLParser() {
    let tags = ScriptTag.all(in: #"<script src="/a.js"></script><SCRIPT src='//x.net/b.js' integrity=sha384-abc crossorigin>x</SCRIPT><script>inline()</script>"#)
    #expect(tags.count == 3)
    #expect(tags[0].src == "/a.js")
    #expect(tags[1].src == "//x.net/b.js")
    #expect(tags[1].integrity == "sha384-abc")
    #expect(tags[1].crossorigin == "")
    #expect(tags[2].src == nil)
}
