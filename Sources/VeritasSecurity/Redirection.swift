import Foundation

/// The Observatory `redirection` test (from `http://host/`).
public enum RedirectionTest {
    /// Runs the test.
    public static func run(_ input: ObservatoryInput) -> ObservatoryTest {
        let name = "redirection"
        func out(_ r: String, _ reason: String) -> ObservatoryTest {
            ObservatoryTest(name: name, result: r, pass: r == "redirection-to-https" || r == "redirection-not-needed-no-http" || r == "redirection-all-redirects-preloaded", reason: reason)
        }
        guard input.httpAvailable, let chain = input.redirectChain, !chain.isEmpty else {
            return out("redirection-not-needed-no-http", "Nothing listens on plain http, so no redirect is needed.")
        }
        let urls = chain.map { URL(string: $0) }
        func scheme(_ i: Int) -> String? { urls[i]?.scheme?.lowercased() }
        func host(_ i: Int) -> String? { urls[i]?.host?.lowercased() }
        if chain.count == 1 {
            return out("redirection-missing", "Plain http serves the page without redirecting to https.")
        }
        if scheme(chain.count - 1) != "https" {
            return out("redirection-not-to-https", "The http redirect chain does not end on https.")
        }
        if scheme(1) == "http" {
            return out("redirection-not-to-https-on-initial-redirection", "The first redirect goes to another http URL instead of https.")
        }
        if scheme(0) == "http" && scheme(1) == "https" && host(0) != host(1) {
            return out("redirection-off-host-from-http", "The first redirect from http goes to https on a different host.")
        }
        return out("redirection-to-https", "Plain http redirects straight to https on the same host.")
    }
}
