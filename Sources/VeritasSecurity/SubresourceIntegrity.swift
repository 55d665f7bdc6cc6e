import Foundation

/// Registrable-domain approximation (eTLD+1) without a full Public Suffix List.
public enum RegistrableDomain {
    /// Common multi-label public suffixes; a real PSL would be more complete.
    static let multiLabelSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz", "net.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn",
        "co.in", "net.in", "org.in", "co.za", "com.mx", "com.ar", "com.tr", "co.kr", "or.kr",
        "com.sg", "com.hk", "com.tw", "co.il", "com.es", "co.id", "com.my", "com.ph", "com.vn",
        "github.io", "herokuapp.com", "netlify.app", "vercel.app", "pages.dev", "workers.dev",
        "blogspot.com", "azurewebsites.net", "cloudfront.net", "appspot.com", "web.app", "firebaseapp.com",
    ]

    /// The registrable domain of `host` (lower-cased), or the host itself for IPs / single labels.
    public static func of(_ host: String) -> String {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let labels = h.split(separator: ".").map(String.init)
        if labels.count <= 2 || labels.allSatisfy({ Int($0) != nil }) { return h }
        let lastTwo = labels.suffix(2).joined(separator: ".")
        if multiLabelSuffixes.contains(lastTwo) { return labels.suffix(3).joined(separator: ".") }
        return lastTwo
    }
}

/// The Observatory `subresource-integrity` test.
public enum SubresourceIntegrityTest {
    static let goodness = [
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-implemented-but-external-scripts-not-loaded-securely",
        "sri-not-implemented-but-external-scripts-loaded-securely",
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        "sri-not-implemented-response-not-html",
    ]
    static let reasons: [String: String] = [
        "sri-implemented-and-all-scripts-loaded-securely": "Scripts use Subresource Integrity and load over https.",
        "sri-implemented-and-external-scripts-loaded-securely": "Third-party scripts use Subresource Integrity and load over https.",
        "sri-implemented-but-external-scripts-not-loaded-securely": "Third-party scripts use integrity but are not loaded over https (http or protocol-relative).",
        "sri-not-implemented-but-external-scripts-loaded-securely": "Third-party scripts load over https but without Subresource Integrity.",
        "sri-not-implemented-and-external-scripts-not-loaded-securely": "Third-party scripts load without integrity and not over https.",
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": "All scripts load from the site's own origin or registrable domain.",
        "sri-not-implemented-but-no-scripts-loaded": "The page loads no scripts.",
    ]

    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "subresource-integrity"
        let passing: Set<String> = [
            "sri-implemented-and-all-scripts-loaded-securely", "sri-implemented-and-external-scripts-loaded-securely",
            "sri-not-implemented-response-not-html", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
            "sri-not-implemented-but-no-scripts-loaded",
        ]
        func out(_ r: String) -> ObservatoryTest {
            ObservatoryTest(name: name, result: r, pass: passing.contains(r), reason: reasons[r] ?? r)
        }
        if input.scripts.isEmpty { return out("sri-not-implemented-but-no-scripts-loaded") }
        var result: String?
        func worse(_ r: String) {
            guard let cur = result, let ci = goodness.firstIndex(of: cur) else { result = r; return }
            if let ri = goodness.firstIndex(of: r), ri > ci { result = r }
        }
        let siteDomain = RegistrableDomain.of(input.host)
        var foreign = false
        for script in input.scripts {
            guard let src = script.src?.trimmingCharacters(in: .whitespaces), !src.isEmpty else { continue }
            let lower = src.lowercased()
            let integrity = script.integrity.flatMap { $0.isEmpty ? nil : $0 }
            var relativeOrigin = false, relativeProtocol = false, sameDomain = false
            var scheme: String?
            if lower.hasPrefix("//") && !lower.hasPrefix("///") {
                relativeProtocol = true; sameDomain = true
            } else if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                scheme = lower.hasPrefix("https://") ? "https" : "http"
                let host = URL(string: src)?.host ?? ""
                sameDomain = RegistrableDomain.of(host) == siteDomain
            } else {
                relativeOrigin = true; sameDomain = true
            }
            let secureOrigin = relativeOrigin || (sameDomain && !relativeProtocol)
            if !secureOrigin { foreign = true }
            let secureScheme = scheme == "https" || (relativeOrigin && input.isHTTPS)
            if !secureOrigin {
                if integrity != nil && !secureScheme {
                    worse("sri-implemented-but-external-scripts-not-loaded-securely")
                } else if integrity == nil && secureScheme {
                    worse("sri-not-implemented-but-external-scripts-loaded-securely")
                } else if integrity == nil {
                    worse("sri-not-implemented-and-external-scripts-not-loaded-securely")
                }
            } else if integrity != nil && secureScheme && result == nil {
                result = "sri-implemented-and-all-scripts-loaded-securely"
            }
        }
        if let r = result { return out(r) }
        return out(foreign ? "sri-implemented-and-external-scripts-loaded-securely"
                           : "sri-not-implemented-but-all-scripts-loaded-from-secure-origin")
    }
}
