import Foundation

/// MDN HTTP Observatory scoring: modifier table, two-round scoring and grade chart.
public enum ObservatoryScoring {
    /// Bonuses are only added when the penalised score reaches this value.
    public static let minimumScoreForExtraCredit = 90

    /// Score modifiers per result identifier (mdn-http-observatory `charts.js`).
    public static let modifiers: [String: Int] = [
        // content-security-policy
        "csp-implemented-with-no-unsafe-default-src-none": 10,
        "csp-implemented-with-no-unsafe": 5,
        "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
        "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
        "csp-implemented-with-unsafe-eval": -10,
        "csp-implemented-with-unsafe-inline": -20,
        "csp-implemented-with-insecure-scheme": -20,
        "csp-implemented-but-duplicate-directives": 0,
        "csp-header-invalid": -25,
        "csp-not-implemented": -25,
        "csp-not-implemented-but-reporting-enabled": -25,
        // cookies
        "cookies-secure-with-httponly-sessions-and-samesite": 5,
        "cookies-secure-with-httponly-sessions": 0,
        "cookies-not-found": 0,
        "cookies-without-secure-flag-but-protected-by-hsts": -5,
        "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
        "cookies-without-secure-flag": -20,
        "cookies-samesite-flag-invalid": -20,
        "cookies-anticsrf-without-samesite-flag": -20,
        "cookies-session-without-httponly-flag": -30,
        "cookies-session-without-secure-flag": -40,
        // cross-origin-resource-sharing
        "cross-origin-resource-sharing-not-implemented": 0,
        "cross-origin-resource-sharing-implemented-with-public-access": 0,
        "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
        "cross-origin-resource-sharing-implemented-with-universal-access": -50,
        // redirection
        "redirection-all-redirects-preloaded": 0,
        "redirection-to-https": 0,
        "redirection-not-needed-no-http": 0,
        "redirection-off-host-from-http": -5,
        "redirection-not-to-https-on-initial-redirection": -10,
        "redirection-not-to-https": -20,
        "redirection-missing": -20,
        "redirection-invalid-cert": -20,
        // referrer-policy
        "referrer-policy-private": 5,
        "referrer-policy-not-implemented": 0,
        "referrer-policy-unsafe": -5,
        "referrer-policy-header-invalid": -5,
        // strict-transport-security
        "hsts-preloaded": 5,
        "hsts-implemented-max-age-at-least-six-months": 0,
        "hsts-implemented-max-age-less-than-six-months": -10,
        "hsts-not-implemented": -20,
        "hsts-header-invalid": -20,
        "hsts-not-implemented-no-https": -20,
        "hsts-invalid-cert": -20,
        // subresource-integrity
        "sri-implemented-and-all-scripts-loaded-securely": 5,
        "sri-implemented-and-external-scripts-loaded-securely": 5,
        "sri-not-implemented-response-not-html": 0,
        "sri-not-implemented-but-no-scripts-loaded": 0,
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
        "sri-not-implemented-but-external-scripts-loaded-securely": -5,
        "sri-implemented-but-external-scripts-not-loaded-securely": -20,
        "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
        // x-content-type-options
        "x-content-type-options-nosniff": 0,
        "x-content-type-options-not-implemented": -5,
        "x-content-type-options-header-invalid": -5,
        // x-frame-options
        "x-frame-options-implemented-via-csp": 5,
        "x-frame-options-sameorigin-or-deny": 0,
        "x-frame-options-allow-from-origin": 0,
        "x-frame-options-not-implemented": -20,
        "x-frame-options-header-invalid": -20,
        // cross-origin-resource-policy
        "cross-origin-resource-policy-not-implemented": 0,
        "cross-origin-resource-policy-implemented-with-same-site": 10,
        "cross-origin-resource-policy-implemented-with-same-origin": 10,
        "cross-origin-resource-policy-implemented-with-cross-origin": 0,
        "cross-origin-resource-policy-header-invalid": -5,
    ]

    /// The modifier for a result identifier (0 for unknown identifiers).
    public static func modifier(for result: String) -> Int { modifiers[result] ?? 0 }

    /// Computes penalties, bonuses and the final score from test outcomes:
    /// `100 + penalties`, plus bonuses only if that is ≥ 90, floored at 0.
    public static func score(_ tests: [ObservatoryTest])
        -> (penalties: Int, bonuses: Int, bonusesApplied: Bool, score: Int)
    {
        let penalties = tests.map(\.modifier).filter { $0 < 0 }.reduce(0, +)
        let bonuses = tests.map(\.modifier).filter { $0 > 0 }.reduce(0, +)
        var score = 100 + penalties
        let applied = score >= minimumScoreForExtraCredit
        if applied { score += bonuses }
        return (penalties, bonuses, applied, max(score, 0))
    }

    /// The MDN grade chart: the score is rounded down to a multiple of 5 (capped at 100).
    public static func grade(for score: Int) -> String {
        let s = min(max(score, 0) / 5 * 5, 100)
        switch s {
        case 100: return "A+"
        case 90...95: return "A"
        case 85: return "A-"
        case 80: return "B+"
        case 70...75: return "B"
        case 65: return "B-"
        case 60: return "C+"
        case 50...55: return "C"
        case 45: return "C-"
        case 40: return "D+"
        case 30...35: return "D"
        case 25: return "D-"
        default: return "F"
        }
    }
}
