import Foundation

/// The Observatory `strict-transport-security` test.
public enum StrictTransportSecurityTest {
    /// The implementation's six-month threshold (15768000 is documented; 15552000 is used).
    public static let sixMonths = 15_552_000

    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "strict-transport-security"
        func out(_ r: String, _ reason: String) -> ObservatoryTest {
            ObservatoryTest(name: name, result: r, pass: r == "hsts-implemented-max-age-at-least-six-months" || r == "hsts-preloaded", reason: reason)
        }
        guard input.isHTTPS else {
            return out("hsts-not-implemented-no-https", "The site has no https endpoint, so HSTS cannot be set.")
        }
        guard let header = input.headers["Strict-Transport-Security"] else {
            return out("hsts-not-implemented", "No Strict-Transport-Security header is sent over https.")
        }
        let data = String(header.prefix(1024))
        if data.contains(",") {
            return out("hsts-header-invalid", "The Strict-Transport-Security header is sent more than once.")
        }
        var maxAge: Int?
        for parameter in data.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if parameter.hasPrefix("max-age=") {
                maxAge = leadingInteger(String(parameter.dropFirst(8).prefix(120)))
            }
        }
        guard let age = maxAge else {
            return out("hsts-header-invalid", "The Strict-Transport-Security header has no valid max-age.")
        }
        if age < sixMonths {
            return out("hsts-implemented-max-age-less-than-six-months", "HSTS max-age is \(age) seconds, under six months.")
        }
        return out("hsts-implemented-max-age-at-least-six-months", "HSTS max-age is \(age) seconds, at least six months.")
    }

    /// Mirrors `Number.parseInt(s, 10)`: optional sign and leading digits after whitespace.
    static func leadingInteger(_ s: String) -> Int? {
        var t = Substring(s.trimmingCharacters(in: .whitespaces))
        var sign = 1
        if t.first == "-" { sign = -1; t = t.dropFirst() } else if t.first == "+" { t = t.dropFirst() }
        let digits = t.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        return (Int(digits.prefix(18)) ?? Int.max) * sign
    }
}
