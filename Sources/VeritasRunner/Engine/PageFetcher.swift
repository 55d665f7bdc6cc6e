import AsyncHTTPClient
import Foundation
import NIOCore

/// Timeouts of one fetch.
public struct FetchTimeouts: Sendable {
    public var connect: Duration
    public var read: Duration
    /// The whole fetch, redirects included.
    public var total: Duration

    public init(connect: Duration, read: Duration, total: Duration) {
        self.connect = connect
        self.read = read
        self.total = total
    }
}

/// Fetches a page the way the audit needs it: redirects followed by hand so the chain is
/// recorded, TLS verified (AsyncHTTPClient's default), connect/read/total timeouts, a body-size
/// limit, and HTML only. Every failure is an ``AuditFailure`` saying what went wrong.
///
/// With an ``EgressProxy``, every connection (each redirect hop, the plain-http probe) goes
/// through it, so the SSRF guard judges the address actually connected to; a refused
/// destination ends the fetch with the guard's reason.
struct PageFetcher: Sendable {
    typealias Timeouts = FetchTimeouts

    /// A fetched HTML page.
    struct Page: Sendable {
        /// The URL that answered with the page.
        var finalURL: URL
        /// Every hop before the final one: the URL asked for and its redirect status.
        var redirects: [Hop]
        /// Header names lowercased, repeated names kept, in order.
        var headers: [(name: String, value: String)]
        /// The body as served.
        var body: Data
        /// The charset named by `Content-Type`, if any.
        var charset: String?

        /// Headers for the Observatory grader: one value per name, repeats joined by ", "
        /// (as HTTP allows for list-valued headers); `set-cookie` left out (see ``cookies``).
        var mergedHeaders: [String: String] {
            var merged: [String: String] = [:]
            for (name, value) in headers where name != "set-cookie" {
                merged[name] = merged[name].map { "\($0), \(value)" } ?? value
            }
            return merged
        }

        /// Every `Set-Cookie` value.
        var cookies: [String] { headers.filter { $0.name == "set-cookie" }.map(\.value) }
    }

    struct Hop: Sendable {
        var url: String
        var status: Int
    }

    var maxPageBytes: Int
    var maxRedirects = 10
    var userAgent: String

    /// GETs `startURL`, following redirects, and returns the HTML page at the end.
    func fetch(_ startURL: URL, limits: Timeouts, proxy: EgressProxy? = nil) async throws -> Page {
        try await withClient(limits: limits, proxy: proxy) { client in
            try await fetch(startURL, limits: limits, client: client, proxy: proxy)
        }
    }

    /// Where plain http leads for the page's host: the chain of URLs starting at `http://host/`
    /// (Observatory's redirection test), or `nil` when nothing answers on plain http. A hop after
    /// the first that fails ends the chain there.
    func probePlainHTTP(host: String, port: Int?, limits: Timeouts, proxy: EgressProxy? = nil) async -> [String]? {
        var components = URLComponents()
        components.scheme = "http"
        components.host = host
        components.port = port
        components.path = "/"
        guard let url = components.url else { return nil }
        return try? await withClient(limits: limits, proxy: proxy) { client in
            var chain = [url.absoluteString]
            var current = url
            let deadline = NIODeadline.now() + TimeAmount(limits.total)
            for hop in 0...maxRedirects {
                var request = HTTPClientRequest(url: current.absoluteString)
                request.method = .GET
                request.headers.add(name: "User-Agent", value: userAgent)
                let response: HTTPClientResponse
                do {
                    response = try await client.execute(request, deadline: deadline)
                } catch where hop > 0 {
                    // Plain http answered; where its redirect leads need not answer for the chain.
                    break
                }
                let status = Int(response.status.code)
                // The guard's own answers are not the site's.
                guard response.headers.first(name: EgressProxy.blockedHeader) == nil,
                      response.headers.first(name: EgressProxy.failureHeader) == nil else { break }
                // Only the chain matters; the body is drained so the connection closes cleanly.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                guard (300..<400).contains(status), let location = response.headers.first(name: "location"),
                      let next = URL(string: location, relativeTo: current)?.absoluteURL else { break }
                chain.append(next.absoluteString)
                current = next
            }
            return chain
        }
    }

    private func withClient<T: Sendable>(limits: Timeouts, proxy: EgressProxy?, _ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(limits.connect), read: TimeAmount(limits.read)))
        if let proxy { configuration.proxy = .server(host: "127.0.0.1", port: proxy.port) }
        configuration.decompression = .enabled(limit: .size(maxPageBytes * 4))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func fetch(_ startURL: URL, limits: Timeouts, client: HTTPClient, proxy: EgressProxy?) async throws -> Page {
        let deadline = NIODeadline.now() + TimeAmount(limits.total)
        var url = startURL
        var redirects: [Hop] = []
        while true {
            let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
            if let policy = proxy?.policy, let reason = policy.refusal(scheme: url.scheme ?? "") ?? policy.refusal(port: port) {
                throw AuditFailure("refused to fetch \(url.absoluteString): \(reason)")
            }
            if let proxy, let refusal = await proxy.precheck(host: url.host ?? "", port: port) {
                throw AuditFailure("refused to fetch \(url.absoluteString): \(refusal.reason)")
            }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: userAgent)
            request.headers.add(name: "Accept", value: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                // Through the guard, a refused or failed CONNECT surfaces as a proxy error: the
                // guard knows what happened.
                if let refusal = proxy?.refusal(host: url.host ?? "", port: port) {
                    throw AuditFailure("refused to fetch \(url.absoluteString): \(refusal.reason)")
                }
                if let failure = proxy?.failure(host: url.host ?? "", port: port) {
                    throw AuditFailure(Self.describe(EgressError(failure), url: url, limits: limits))
                }
                throw AuditFailure(Self.describe(error, url: url, limits: limits))
            }
            if response.headers.first(name: EgressProxy.blockedHeader) != nil || response.headers.first(name: EgressProxy.failureHeader) != nil {
                // The guard's short answer, read to its end so the client shuts down at once.
                _ = try? await response.body.collect(upTo: 64 * 1024)
            }
            if let blocked = response.headers.first(name: EgressProxy.blockedHeader) {
                throw AuditFailure("refused to fetch \(url.absoluteString): \(proxy?.refusal(host: url.host ?? "", port: port)?.reason ?? blocked)")
            }
            if let failure = response.headers.first(name: EgressProxy.failureHeader) {
                throw AuditFailure(Self.describe(EgressError(failure), url: url, limits: limits))
            }
            let status = Int(response.status.code)
            if (300..<400).contains(status), let location = response.headers.first(name: "location") {
                guard redirects.count < maxRedirects else {
                    throw AuditFailure("\(startURL.absoluteString) redirects more than \(maxRedirects) times")
                }
                guard let next = URL(string: location, relativeTo: url)?.absoluteURL,
                      let scheme = next.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                    throw AuditFailure("\(url.absoluteString) redirects to an unusable location '\(location.prefix(200))'")
                }
                redirects.append(Hop(url: url.absoluteString, status: status))
                url = next
                continue
            }
            if status >= 400 {
                throw AuditFailure("\(url.absoluteString) answered HTTP \(status) \(response.status.reasonPhrase)")
            }
            let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
            guard contentType.contains("text/html") || contentType.contains("application/xhtml+xml") else {
                throw AuditFailure("\(url.absoluteString) is not an HTML page (Content-Type: \(contentType.isEmpty ? "none" : contentType))")
            }
            var body = Data()
            do {
                for try await chunk in response.body {
                    guard body.count + chunk.readableBytes <= maxPageBytes else {
                        throw AuditFailure("\(url.absoluteString) is larger than the \(maxPageBytes / 1024 / 1024) MiB page limit")
                    }
                    body.append(contentsOf: chunk.readableBytesView)
                }
            } catch let failure as AuditFailure {
                throw failure
            } catch {
                throw AuditFailure(Self.describe(error, url: url, limits: limits))
            }
            let charset = contentType.split(separator: ";").lazy
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("charset=") }
                .map { String($0.dropFirst("charset=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
            return Page(finalURL: url, redirects: redirects, headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                        body: body, charset: charset)
        }
    }

    /// A message for the analyst: what failed, in words.
    static func describe(_ error: any Error, url: URL, limits: Timeouts) -> String {
        let host = url.host ?? url.absoluteString
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "could not connect to \(host): timed out after \(limits.connect)"
            case .readTimeout: return "\(host) stopped answering (no data for \(limits.read))"
            case .deadlineExceeded: return "\(url.absoluteString) did not load within \(limits.total)"
            case .remoteConnectionClosed: return "\(host) closed the connection before answering"
            case .cancelled: return "the fetch of \(url.absoluteString) was cancelled"
            default: break
            }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("refused") { return "could not connect to \(host): connection refused" }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") || lowered.contains("handshake") {
            return "TLS failure with \(host): \(text)"
        }
        if lowered.contains("dns") || lowered.contains("resolv") || lowered.contains("getaddrinfo") || lowered.contains("unknown host") {
            return "could not resolve \(host): \(text)"
        }
        if lowered.contains("timeout") || lowered.contains("timed out") { return "\(url.absoluteString) timed out: \(text)" }
        return "fetching \(url.absoluteString) failed: \(text)"
    }
}
