import Foundation

/// A parsed Content-Security-Policy: directive name → set of lower-cased sources.
public struct CSPPolicy: Sendable, Hashable {
    /// Directives and their (lower-cased) source expressions.
    public var directives: [String: Set<String>]
    /// Directives that were legitimately repeated (`report-uri`, `report-to`).
    public var duplicateWarnings: Set<String>

    /// Whether no directive was parsed.
    public var isEmpty: Bool { directives.isEmpty }

    /// Sources of `directive`, if present.
    public subscript(_ directive: String) -> Set<String>? { directives[directive] }
}

/// Errors from ``CSPParser``.
public enum CSPParseError: Error, Sendable, Equatable {
    /// A policy string is empty or too short to hold a directive.
    case invalidPolicy(String)
    /// A directive other than report-uri/report-to appears twice in one policy.
    case duplicateDirective(String)
}

/// Parses CSP header values the way the Observatory does (repeated directives are errors,
/// multiple policies are intersected, sources are lower-cased, an empty `*-src` is `'none'`).
public enum CSPParser {
    private static let allowedDuplicates: Set<String> = ["report-uri", "report-to"]

    /// Splits raw header values into individual policies (commas delimit policies).
    public static func splitPolicies(_ raw: [String]) -> [String] {
        raw.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// Parses a list of policies into one effective policy.
    public static func parse(_ policies: [String]) throws(CSPParseError) -> CSPPolicy {
        let clean = policies.map {
            $0.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
                .trimmingCharacters(in: .whitespaces)
        }
        if clean.isEmpty { return CSPPolicy(directives: [:], duplicateWarnings: []) }
        for p in clean where p.count < 6 { throw .invalidPolicy(p) }

        var result: [String: Set<String>] = [:]
        var warnings: Set<String> = []
        for (index, policy) in clean.enumerated() {
            var seen: Set<String> = []
            var thisPolicy: [String: Set<String>] = [:]
            for entry in policy.split(separator: ";", omittingEmptySubsequences: false) {
                let parts = entry.split(whereSeparator: { $0.isWhitespace }).map(String.init)
                guard let first = parts.first else { continue }
                let directive = first.lowercased()
                if seen.contains(directive) {
                    if allowedDuplicates.contains(directive) { warnings.insert(directive); continue }
                    throw .duplicateDirective(directive)
                }
                seen.insert(directive)
                var values = Set(parts.dropFirst().map { $0.lowercased() })
                if values.isEmpty && directive.hasSuffix("-src") { values = ["'none'"] }
                thisPolicy[directive] = values
            }
            if index == 0 {
                result = thisPolicy
            } else {
                // A source has to be allowed by every policy to count; a directive only in a
                // later policy keeps nothing from the first, so it ends up 'none'.
                for (directive, values) in thisPolicy {
                    let kept = (result[directive] ?? []).intersection(values)
                    result[directive] = kept
                }
            }
        }
        for (k, v) in result where v.isEmpty { result[k] = ["'none'"] }
        return CSPPolicy(directives: result, duplicateWarnings: warnings)
    }
}

/// The Observatory `content-security-policy` test.
public enum ContentSecurityPolicyTest {
    static let dangerouslyBroad: Set<String> = [
        "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*",
    ]
    static let unsafeInline: Set<String> = ["'unsafe-inline'", "data:"]
    static let broadOrInline = dangerouslyBroad.union(unsafeInline)
    static let passiveDirectives = ["img-src", "media-src"]
    static let noncesHashes = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"]

    static func hasNonceOrHash(_ sources: Set<String>) -> Bool {
        sources.contains { s in noncesHashes.contains { s.hasPrefix($0) } }
    }

    /// The policy enforced by the `Content-Security-Policy` header, or `nil` if absent/invalid.
    public static func headerPolicy(_ input: ObservatoryInput) -> CSPPolicy? {
        guard let raw = input.headers["Content-Security-Policy"] else { return nil }
        return try? CSPParser.parse(CSPParser.splitPolicies([raw]))
    }

    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "content-security-policy"
        func out(_ result: String, _ pass: Bool, _ reason: String) -> ObservatoryTest {
            ObservatoryTest(name: name, result: result, pass: pass, reason: reason)
        }
        let raw = input.headers["Content-Security-Policy"]
        let policies = raw.map { CSPParser.splitPolicies([$0]) } ?? []
        let csp: CSPPolicy
        do { csp = try CSPParser.parse(policies) } catch {
            return out("csp-header-invalid", false, "The Content-Security-Policy header could not be parsed (empty policy or a repeated directive).")
        }
        if csp.isEmpty {
            if let ro = input.headers["Content-Security-Policy-Report-Only"], !ro.isEmpty {
                return out("csp-not-implemented-but-reporting-enabled", false, "Only a report-only Content-Security-Policy is sent, so nothing is enforced.")
            }
            return out("csp-not-implemented", false, "No Content-Security-Policy header is sent.")
        }

        let defaultSrc = csp["default-src"]
        let objectSrc = csp["object-src"] ?? defaultSrc ?? ["*"]
        var scriptSrc = csp["script-src"] ?? defaultSrc ?? ["*"]
        var styleSrc = csp["style-src"] ?? defaultSrc ?? ["*"]
        var result: String?
        var reason = ""
        func set(_ r: String, _ why: String) { if result == nil { result = r; reason = why } }

        if hasNonceOrHash(scriptSrc) { scriptSrc.remove("'unsafe-inline'") }
        if hasNonceOrHash(styleSrc) { styleSrc.remove("'unsafe-inline'") }

        if hasNonceOrHash(scriptSrc) && scriptSrc.contains("'strict-dynamic'") {
            scriptSrc = scriptSrc.filter { s in
                !(dangerouslyBroad.contains { s.hasPrefix($0) } || s == "'self'" || s == "'unsafe-inline'")
            }
        } else if scriptSrc.contains("'strict-dynamic'") {
            set("csp-header-invalid", "script-src uses 'strict-dynamic' without a nonce or hash.")
        }

        var active: [String] = csp.directives.filter { !passiveDirectives.contains($0.key) && $0.key != "script-src" }
            .flatMap { $0.value }
        active.append(contentsOf: scriptSrc)
        let passive = passiveDirectives.flatMap { csp[$0] ?? defaultSrc ?? [] }
        let insecure: (String) -> Bool = { $0.hasPrefix("http:") || $0.hasPrefix("ftp:") }

        if !scriptSrc.isDisjoint(with: broadOrInline) || !objectSrc.isDisjoint(with: dangerouslyBroad) {
            set("csp-implemented-with-unsafe-inline", "The policy allows 'unsafe-inline', data: or overly broad sources for scripts or objects.")
        }
        if input.isHTTPS && active.contains(where: insecure) {
            set("csp-implemented-with-insecure-scheme", "The policy allows active content to load over plain http on an https site.")
        }
        if scriptSrc.union(styleSrc).contains("'unsafe-eval'") {
            set("csp-implemented-with-unsafe-eval", "The policy allows 'unsafe-eval'.")
        }
        if input.isHTTPS && passive.contains(where: insecure) {
            set("csp-implemented-with-insecure-scheme-in-passive-content-only", "The policy allows images or media to load over plain http on an https site.")
        }
        if !styleSrc.isDisjoint(with: broadOrInline) {
            set("csp-implemented-with-unsafe-inline-in-style-src-only", "The policy is safe for scripts but allows 'unsafe-inline' or broad sources in style-src.")
        }
        if let d = defaultSrc, d == ["'none'"] {
            set("csp-implemented-with-no-unsafe-default-src-none", "The policy has default-src 'none' and no unsafe sources.")
        } else {
            set("csp-implemented-with-no-unsafe", "The policy blocks unsafe inline code and broad sources.")
        }

        var final = result!
        let pass = [
            "csp-implemented-with-no-unsafe", "csp-implemented-with-no-unsafe-default-src-none",
            "csp-implemented-with-unsafe-inline-in-style-src-only",
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
        ].contains(final)
        if pass && !csp.duplicateWarnings.isEmpty {
            final = "csp-implemented-but-duplicate-directives"
            reason = "The policy is safe but repeats report-uri or report-to."
        }
        return out(final, pass, reason)
    }
}
