import Foundation

/// The Observatory `x-content-type-options` test.
public enum XContentTypeOptionsTest {
    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "x-content-type-options"
        guard let raw = input.headers["X-Content-Type-Options"] else {
            return ObservatoryTest(name: name, result: "x-content-type-options-not-implemented", pass: false,
                                   reason: "No X-Content-Type-Options header is sent.")
        }
        let value = raw.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if value == "nosniff" {
            return ObservatoryTest(name: name, result: "x-content-type-options-nosniff", pass: true,
                                   reason: "X-Content-Type-Options is set to nosniff.")
        }
        return ObservatoryTest(name: name, result: "x-content-type-options-header-invalid", pass: false,
                               reason: "X-Content-Type-Options has a value other than nosniff.")
    }
}

/// The Observatory `x-frame-options` test (a CSP `frame-ancestors` directive takes precedence).
public enum XFrameOptionsTest {
    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "x-frame-options"
        if let csp = ContentSecurityPolicyTest.headerPolicy(input), csp["frame-ancestors"] != nil {
            return ObservatoryTest(name: name, result: "x-frame-options-implemented-via-csp", pass: true,
                                   reason: "Framing is controlled by the CSP frame-ancestors directive.")
        }
        guard let raw = input.headers["X-Frame-Options"] else {
            return ObservatoryTest(name: name, result: "x-frame-options-not-implemented", pass: false,
                                   reason: "Neither X-Frame-Options nor CSP frame-ancestors is set.")
        }
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if value == "deny" || value == "sameorigin" {
            return ObservatoryTest(name: name, result: "x-frame-options-sameorigin-or-deny", pass: true,
                                   reason: "X-Frame-Options is DENY or SAMEORIGIN.")
        }
        if value.hasPrefix("allow-from") {
            return ObservatoryTest(name: name, result: "x-frame-options-allow-from-origin", pass: true,
                                   reason: "X-Frame-Options uses the obsolete ALLOW-FROM form.")
        }
        return ObservatoryTest(name: name, result: "x-frame-options-header-invalid", pass: false,
                               reason: "X-Frame-Options has an invalid value.")
    }
}

/// The Observatory `referrer-policy` test (last recognised token of the list wins).
public enum ReferrerPolicyTest {
    static let privatePolicies = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]
    static let unsafePolicies = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]

    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "referrer-policy"
        guard let raw = input.headers["Referrer-Policy"] else {
            return ObservatoryTest(name: name, result: "referrer-policy-not-implemented", pass: true,
                                   reason: "No Referrer-Policy header is sent; browsers default to strict-origin-when-cross-origin.")
        }
        let policy = raw.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .last { privatePolicies.contains($0) || unsafePolicies.contains($0) }
        if let p = policy, privatePolicies.contains(p) {
            return ObservatoryTest(name: name, result: "referrer-policy-private", pass: true,
                                   reason: "Referrer-Policy \(p) keeps URLs private.")
        }
        if let p = policy {
            return ObservatoryTest(name: name, result: "referrer-policy-unsafe", pass: false,
                                   reason: "Referrer-Policy \(p) can leak URLs to other origins.")
        }
        return ObservatoryTest(name: name, result: "referrer-policy-header-invalid", pass: false,
                               reason: "Referrer-Policy has no recognised value.")
    }
}

/// The Observatory `cross-origin-resource-sharing` test (Access-Control-Allow-Origin only).
public enum CrossOriginResourceSharingTest {
    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "cross-origin-resource-sharing"
        guard let raw = input.headers["Access-Control-Allow-Origin"] else {
            return ObservatoryTest(name: name, result: "cross-origin-resource-sharing-not-implemented", pass: true,
                                   reason: "The page does not allow cross-origin reads.")
        }
        let acao = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if acao == "*" {
            return ObservatoryTest(name: name, result: "cross-origin-resource-sharing-implemented-with-public-access", pass: true,
                                   reason: "Access-Control-Allow-Origin is *, allowing public, uncredentialed reads.")
        }
        let credentials = input.headers["Access-Control-Allow-Credentials"]?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
        if let probe = input.corsProbeOrigin?.trimmingCharacters(in: .whitespaces).lowercased(), probe == acao, credentials {
            return ObservatoryTest(name: name, result: "cross-origin-resource-sharing-implemented-with-universal-access", pass: false,
                                   reason: "Any origin is echoed back with credentials allowed, exposing user data to every site.")
        }
        return ObservatoryTest(name: name, result: "cross-origin-resource-sharing-implemented-with-restricted-access", pass: true,
                               reason: "Cross-origin reads are allowed only for specific origins.")
    }
}

/// The Observatory `cross-origin-resource-policy` test.
public enum CrossOriginResourcePolicyTest {
    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "cross-origin-resource-policy"
        let value = input.headers["Cross-Origin-Resource-Policy"].map { String($0.prefix(256)).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch value {
        case "":
            return ObservatoryTest(name: name, result: "cross-origin-resource-policy-not-implemented", pass: true,
                                   reason: "No Cross-Origin-Resource-Policy header is sent.")
        case "same-site":
            return ObservatoryTest(name: name, result: "cross-origin-resource-policy-implemented-with-same-site", pass: true,
                                   reason: "Cross-Origin-Resource-Policy limits loading to the same site.")
        case "same-origin":
            return ObservatoryTest(name: name, result: "cross-origin-resource-policy-implemented-with-same-origin", pass: true,
                                   reason: "Cross-Origin-Resource-Policy limits loading to the same origin.")
        case "cross-origin":
            return ObservatoryTest(name: name, result: "cross-origin-resource-policy-implemented-with-cross-origin", pass: true,
                                   reason: "Cross-Origin-Resource-Policy explicitly allows cross-origin loading.")
        default:
            return ObservatoryTest(name: name, result: "cross-origin-resource-policy-header-invalid", pass: false,
                                   reason: "Cross-Origin-Resource-Policy has an invalid value.")
        }
    }
}
