import Foundation
import VeritasProtocol

/// Security signals from a response's headers and body, in the manner of Mozilla's HTTP
/// Observatory: each test passes or fails with a reason and a score modifier; the score starts
/// at 100, adds the modifiers, and is clamped to 0...100; the grade follows the Observatory's
/// bands (A+ from 100, A from 90, ... F below 25).
///
/// The modifiers are the Observatory's where it has one (missing CSP −25, missing HSTS −20,
/// no X-Frame-Options −20, no nosniff −5, cookies without Secure −20 ...), simplified.
struct SecurityCheck {
    struct Test {
        let name: String
        let pass: Bool
        let reason: String
        let modifier: Int

        var jsonValue: JSONValue {
            .object(["pass": .bool(pass), "reason": .string(reason), "score_modifier": .number(Double(modifier))])
        }
    }

    let tests: [Test]
    let score: Int
    let grade: String

    /// - Parameters:
    ///   - finalURL: the page after redirects; `startURL`: what was asked for.
    ///   - headers: the final response's headers, names lowercased (repeated names kept).
    ///   - html: the lowercased body.
    init(startURL: URL, finalURL: URL, headers: [(String, String)], html: String) {
        func values(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }
        func first(_ name: String) -> String? { values(name).first }
        let https = finalURL.scheme?.lowercased() == "https"
        var tests: [Test] = []

        tests.append(https
            ? Test(name: "https", pass: true, reason: "the page is served over HTTPS", modifier: 0)
            : Test(name: "https", pass: false, reason: "the page is served over plain HTTP: traffic can be read and changed", modifier: -20))

        if startURL.scheme?.lowercased() == "http" {
            tests.append(https
                ? Test(name: "redirect_to_https", pass: true, reason: "plain HTTP redirects to HTTPS", modifier: 0)
                : Test(name: "redirect_to_https", pass: false, reason: "plain HTTP does not redirect to HTTPS", modifier: -20))
        }

        if let hsts = first("strict-transport-security"), https {
            let maxAge = Self.maxAge(hsts)
            if let maxAge, maxAge >= 15_552_000 {
                tests.append(Test(name: "hsts", pass: true, reason: "Strict-Transport-Security max-age=\(maxAge) (≥ 6 months)", modifier: 0))
            } else {
                tests.append(Test(name: "hsts", pass: false, reason: "Strict-Transport-Security max-age is \(maxAge.map(String.init) ?? "missing"); at least 6 months (15552000) is expected", modifier: -10))
            }
        } else {
            tests.append(Test(name: "hsts", pass: false, reason: https ? "no Strict-Transport-Security header" : "HSTS needs HTTPS", modifier: -20))
        }

        let csp = values("content-security-policy").joined(separator: "; ").lowercased()
        if csp.isEmpty {
            tests.append(Test(name: "csp", pass: false, reason: "no Content-Security-Policy header", modifier: -25))
        } else if Self.allowsUnsafeInline(csp) {
            tests.append(Test(name: "csp", pass: false, reason: "Content-Security-Policy allows 'unsafe-inline' scripts", modifier: -20))
        } else {
            tests.append(Test(name: "csp", pass: true, reason: "Content-Security-Policy present without 'unsafe-inline' scripts", modifier: 0))
        }

        if first("x-content-type-options")?.trimmingCharacters(in: .whitespaces).lowercased() == "nosniff" {
            tests.append(Test(name: "x_content_type_options", pass: true, reason: "X-Content-Type-Options: nosniff", modifier: 0))
        } else {
            tests.append(Test(name: "x_content_type_options", pass: false, reason: "X-Content-Type-Options is not nosniff", modifier: -5))
        }

        let frameOptions = first("x-frame-options")?.trimmingCharacters(in: .whitespaces).lowercased()
        if csp.contains("frame-ancestors") {
            tests.append(Test(name: "x_frame_options", pass: true, reason: "framing restricted by CSP frame-ancestors", modifier: 0))
        } else if frameOptions == "deny" || frameOptions == "sameorigin" {
            tests.append(Test(name: "x_frame_options", pass: true, reason: "X-Frame-Options: \(frameOptions ?? "")", modifier: 0))
        } else {
            tests.append(Test(name: "x_frame_options", pass: false, reason: "neither X-Frame-Options (DENY/SAMEORIGIN) nor CSP frame-ancestors: the page can be framed (clickjacking)", modifier: -20))
        }

        let referrer = first("referrer-policy")?.lowercased().split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        let safeReferrers: Set<String> = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
        if let referrer, safeReferrers.contains(referrer) {
            tests.append(Test(name: "referrer_policy", pass: true, reason: "Referrer-Policy: \(referrer)", modifier: 0))
        } else if let referrer {
            tests.append(Test(name: "referrer_policy", pass: false, reason: "Referrer-Policy \(referrer) can leak full URLs", modifier: referrer == "unsafe-url" ? -5 : 0))
        } else {
            tests.append(Test(name: "referrer_policy", pass: false, reason: "no Referrer-Policy header (browsers default to strict-origin-when-cross-origin)", modifier: 0))
        }

        tests.append(Self.cookies(values("set-cookie"), https: https))

        if https {
            let insecure = Self.insecureSubresources(html)
            tests.append(insecure == 0
                ? Test(name: "mixed_content", pass: true, reason: "no subresources loaded over plain HTTP", modifier: 0)
                : Test(name: "mixed_content", pass: false, reason: "\(insecure) subresource(s) loaded over plain HTTP", modifier: -10))
        }

        let scripts = Self.externalScripts(html)
        if scripts.total == 0 {
            tests.append(Test(name: "subresource_integrity", pass: true, reason: "no external scripts", modifier: 0))
        } else if scripts.withoutIntegrity == 0 {
            tests.append(Test(name: "subresource_integrity", pass: true, reason: "every external script has an integrity hash", modifier: 0))
        } else {
            tests.append(Test(name: "subresource_integrity", pass: false, reason: "\(scripts.withoutIntegrity) of \(scripts.total) external scripts have no integrity hash", modifier: -5))
        }

        self.tests = tests
        score = max(0, min(100, 100 + tests.reduce(0) { $0 + $1.modifier }))
        grade = Self.grade(score)
    }

    /// `security_results`: score, grade, and each test.
    func jsonValue(startURL: URL, finalURL: URL, redirects: [(url: String, status: Int)]) -> JSONValue {
        .object([
            "score": .number(Double(score)),
            "grade": .string(grade),
            "url": .string(startURL.absoluteString),
            "final_url": .string(finalURL.absoluteString),
            "redirect_chain": .array(redirects.map { .object(["url": .string($0.url), "status": .number(Double($0.status))]) }),
            "tests": .object(Dictionary(uniqueKeysWithValues: tests.map { ($0.name, $0.jsonValue) })),
        ])
    }

    static func grade(_ score: Int) -> String {
        let bands: [(Int, String)] = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-")]
        return bands.first { score >= $0.0 }?.1 ?? "F"
    }

    static func maxAge(_ header: String) -> Int? {
        for part in header.lowercased().split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == "max-age" { return Int(pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
        }
        return nil
    }

    /// `'unsafe-inline'` in `script-src`, or in `default-src` when there is no `script-src`.
    static func allowsUnsafeInline(_ csp: String) -> Bool {
        let directives = csp.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let script = directives.first { $0.hasPrefix("script-src ") || $0 == "script-src" }
        let fallback = directives.first { $0.hasPrefix("default-src ") }
        guard let effective = script ?? fallback else { return false }
        return effective.contains("'unsafe-inline'") && !effective.contains("'nonce-") && !effective.contains("'sha")
    }

    static func cookies(_ headers: [String], https: Bool) -> Test {
        guard !headers.isEmpty else {
            return Test(name: "cookies", pass: true, reason: "no cookies set", modifier: 0)
        }
        var problems: [String] = []
        var modifier = 0
        for header in headers {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let name = parts.first?.split(separator: "=").first.map(String.init) ?? "?"
            var missing: [String] = []
            if https && !parts.contains("secure") { missing.append("Secure"); modifier = min(modifier, -20) }
            if !parts.contains("httponly") { missing.append("HttpOnly"); modifier = min(modifier, -10) }
            if !parts.contains(where: { $0.hasPrefix("samesite=") }) { missing.append("SameSite"); modifier = min(modifier, -5) }
            if !missing.isEmpty { problems.append("\(name) lacks \(missing.joined(separator: ", "))") }
        }
        if problems.isEmpty {
            return Test(name: "cookies", pass: true, reason: "every cookie is \(https ? "Secure, " : "")HttpOnly and has SameSite", modifier: 0)
        }
        return Test(name: "cookies", pass: false, reason: "cookies: " + problems.joined(separator: "; "), modifier: modifier)
    }

    static func insecureSubresources(_ html: String) -> Int {
        PageText.attributeValues(named: "src", in: html).filter { $0.hasPrefix("http://") }.count
    }

    static func externalScripts(_ html: String) -> (total: Int, withoutIntegrity: Int) {
        var total = 0
        var without = 0
        var rest = Substring(html)
        while let open = rest.range(of: "<script") {
            let tagEnd = rest[open.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[open.upperBound..<tagEnd]
            if tag.contains("src=\"http") || tag.contains("src='http") || tag.contains("src=\"//") {
                total += 1
                if !tag.contains("integrity=") { without += 1 }
            }
            rest = rest[tagEnd...]
        }
        return (total, without)
    }
}
