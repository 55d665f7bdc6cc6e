import Foundation
import Testing
@testable import VeritasRunner

@Suite("page fetcher: redirect chain, plain-http probe, limits")
struct PageFetcherTests {
    static let fetcher = PageFetcher(maxPageBytes: 64 * 1024, userAgent: "Veritas/test")
    static let limits = FetchTimeouts(connect: .seconds(2), read: .seconds(3), total: .seconds(5))

    @Test("redirects are followed and recorded hop by hop; headers and cookies are kept for grading")
    func redirectChain() async throws {
        let site = try await FixtureServer.start([
            "/old": .init(status: .movedPermanently, headers: [("Location", "/middle")]),
            "/middle": .init(status: .found, headers: [("Location", "/page")]),
            "/page": .init(headers: [
                ("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1; Secure"), ("Set-Cookie", "b=2"),
                ("Vary", "Accept"), ("Vary", "Cookie"),
            ], body: "<html><body>ok</body></html>"),
        ])
        defer { Task { await site.stop() } }
        let page = try await Self.fetcher.fetch(URL(string: site.url("/old"))!, limits: Self.limits)
        #expect(page.finalURL.absoluteString == site.url("/page"))
        #expect(page.redirects.map(\.url) == [site.url("/old"), site.url("/middle")])
        #expect(page.redirects.map(\.status) == [301, 302])
        #expect(page.cookies == ["a=1; Secure", "b=2"])
        #expect(page.mergedHeaders["vary"] == "Accept, Cookie")
        #expect(page.mergedHeaders["set-cookie"] == nil)
        #expect(page.charset == "utf-8")
    }

    @Test("the plain-http probe records where http://host/ leads, and nil when nothing answers")
    func plainHTTPProbe() async throws {
        let site = try await FixtureServer.start([
            "/": .init(status: .movedPermanently, headers: [("Location", "https://shop.example/")]),
        ])
        defer { Task { await site.stop() } }
        let chain = await Self.fetcher.probePlainHTTP(host: "127.0.0.1", port: site.port, limits: Self.limits)
        #expect(chain == [site.url("/"), "https://shop.example/"])
        // Port 1 is privileged and unused: the connection is refused.
        #expect(await Self.fetcher.probePlainHTTP(host: "127.0.0.1", port: 1, limits: Self.limits) == nil)
    }

    @Test("a body over the limit and a redirect loop end the audit with a message saying so")
    func limits() async throws {
        let site = try await FixtureServer.start([
            "/big": .init(body: String(repeating: "x", count: 70 * 1024)),
            "/loop": .init(status: .found, headers: [("Location", "/loop")]),
        ])
        defer { Task { await site.stop() } }
        await #expect(throws: AuditFailure.self) { try await Self.fetcher.fetch(URL(string: site.url("/big"))!, limits: Self.limits) }
        do {
            _ = try await Self.fetcher.fetch(URL(string: site.url("/loop"))!, limits: Self.limits)
            Issue.record("a redirect loop was followed to the end")
        } catch let failure as AuditFailure {
            #expect(failure.message.contains("redirects more than 10 times"))
        }
    }
}
