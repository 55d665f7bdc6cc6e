import Foundation

/// A `Set-Cookie` value reduced to what the Observatory checks.
public struct ParsedCookie: Sendable, Hashable {
    /// Cookie name.
    public var name: String
    /// Whether the `Secure` attribute is present.
    public var secure: Bool
    /// Whether the `HttpOnly` attribute is present.
    public var httpOnly: Bool
    /// Normalised SameSite value (`strict`, `lax`, `none`), or `nil` if absent or unrecognised.
    public var sameSite: String?
    /// Whether a `SameSite` attribute is present with a missing or unknown value.
    public var sameSiteInvalid: Bool

    /// Parses a raw `Set-Cookie` value; `nil` when it has no name.
    public init?(setCookie raw: String) {
        let parts = raw.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first else { return nil }
        let name = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: .whitespaces)
        } ?? ""
        guard !name.isEmpty, first.contains("=") else { return nil }
        self.name = name
        secure = false; httpOnly = false; sameSite = nil; sameSiteInvalid = false
        for attr in parts.dropFirst() {
            let kv = attr.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = kv[0].trimmingCharacters(in: .whitespaces).lowercased()
            let value = kv.count > 1 ? kv[1].trimmingCharacters(in: .whitespaces).lowercased() : ""
            switch key {
            case "secure": secure = true
            case "httponly": httpOnly = true
            case "samesite":
                if ["strict", "lax", "none"].contains(value) { sameSite = value } else { sameSiteInvalid = true }
            default: break
            }
        }
    }

    /// Name contains `login` or `sess` (case-insensitive).
    public var isSession: Bool { let n = name.lowercased(); return n.contains("login") || n.contains("sess") }
    /// Name contains `csrf` (case-insensitive).
    public var isAntiCSRF: Bool { name.lowercased().contains("csrf") }
}

/// The Observatory `cookies` test.
public enum CookiesTest {
    /// Results from least to most severe; a later result replaces an earlier one.
    static let goodness = [
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
    ]
    static let reasons: [String: String] = [
        "cookies-without-secure-flag-but-protected-by-hsts": "A cookie lacks the Secure flag, mitigated by HSTS.",
        "cookies-without-secure-flag": "A cookie lacks the Secure flag and the site has no valid HSTS.",
        "cookies-session-without-secure-flag-but-protected-by-hsts": "A session cookie lacks the Secure flag, mitigated by HSTS.",
        "cookies-samesite-flag-invalid": "A cookie has an invalid SameSite value, or SameSite=None without Secure.",
        "cookies-anticsrf-without-samesite-flag": "An anti-CSRF cookie is set without SameSite.",
        "cookies-session-without-httponly-flag": "A session cookie lacks the HttpOnly flag.",
        "cookies-session-without-secure-flag": "A session cookie lacks the Secure flag and the site has no valid HSTS.",
    ]

    /// Runs the test; `hstsPass` is whether the HSTS test passed.
    public static func run(_ input: ObservatoryInput, hstsPass: Bool) -> ObservatoryTest {
        let name = "cookies"
        var result: String?
        func worse(_ r: String) {
            guard let cur = result, let ci = goodness.firstIndex(of: cur) else { result = r; return }
            if let ri = goodness.firstIndex(of: r), ri > ci { result = r }
        }
        let cookies = input.cookies.compactMap(ParsedCookie.init(setCookie:))
            .filter { $0.name != "heroku-session-affinity" }
        for c in cookies where c.sameSiteInvalid { worse("cookies-samesite-flag-invalid") }
        guard !cookies.isEmpty else {
            return ObservatoryTest(name: name, result: "cookies-not-found", pass: true, reason: "The page sets no cookies.")
        }
        var missingSameSite = false
        for c in cookies {
            if !c.secure && c.sameSite == "none" { worse("cookies-samesite-flag-invalid") }
            if !c.secure { worse(hstsPass ? "cookies-without-secure-flag-but-protected-by-hsts" : "cookies-without-secure-flag") }
            if c.isAntiCSRF && c.sameSite == nil { worse("cookies-anticsrf-without-samesite-flag") }
            if c.isSession && !c.secure {
                worse(hstsPass ? "cookies-session-without-secure-flag-but-protected-by-hsts" : "cookies-session-without-secure-flag")
            }
            if c.isSession && !c.httpOnly { worse("cookies-session-without-httponly-flag") }
            if c.sameSite == nil { missingSameSite = true }
        }
        if let r = result {
            return ObservatoryTest(name: name, result: r, pass: false, reason: reasons[r] ?? "Cookie flags are unsafe.")
        }
        if missingSameSite {
            return ObservatoryTest(name: name, result: "cookies-secure-with-httponly-sessions", pass: true,
                                   reason: "All cookies are Secure and session cookies are HttpOnly, but not every cookie sets SameSite.")
        }
        return ObservatoryTest(name: name, result: "cookies-secure-with-httponly-sessions-and-samesite", pass: true,
                               reason: "All cookies are Secure and set SameSite, and session cookies are HttpOnly.")
    }
}
