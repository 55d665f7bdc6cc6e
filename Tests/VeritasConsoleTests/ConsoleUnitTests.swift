import Foundation
import Testing
import VeritasClient
@testable import VeritasConsole

@Suite("console: settings, forms and failover rules")
struct ConsoleUnitTests {
    @Test("settings: loopback by default; listen, writers and feeds from the environment and flags; bad values named")
    func settings() throws {
        let defaults = try ConsoleConfiguration.load(file: nil, environment: [:])
        #expect(defaults.listen == "127.0.0.1:8088")
        #expect(defaults.listenAddress?.host == "127.0.0.1" && defaults.listenAddress?.port == 8088)
        let set = try ConsoleConfiguration.load(
            file: nil, environment: ["VERITAS_CONSOLE_WRITERS": "tcp://a:5555, tcp://b:5555"], overrides: ["console.listen": "[::1]:9000"])
        #expect(set.writerEndpoints == ["tcp://a:5555", "tcp://b:5555"])
        #expect(set.listenAddress?.host == "::1" && set.listenAddress?.port == 9000)
        #expect(throws: ConfigurationError.self) { try ConsoleConfiguration.load(file: nil, environment: [:], overrides: ["console.listen": "8088"]) }
        #expect(throws: ConfigurationError.self) { try ConsoleConfiguration.load(file: nil, environment: [:], overrides: ["console.writers": " , "]) }
    }

    @Test("form fields: percent and plus decoding; the last value of a name wins")
    func formFields() {
        let fields = ConsoleServer.formFields("url=https%3A%2F%2Fa.example%2F%3Fq%3D1+2&tier=deep&tier=quick&empty=&bare")
        #expect(fields["url"] == "https://a.example/?q=1 2")
        #expect(fields["tier"] == "quick")
        #expect(fields["empty"] == "" && fields["bare"] == "")
    }

    @Test("same origin: Sec-Fetch-Site decides when sent; else Origin must be the console's own; a null Origin needs Sec-Fetch-Site")
    func sameOrigin() {
        #expect(ConsoleServer.isSameOrigin(secFetchSite: "same-origin", origin: "null", authority: "127.0.0.1:8088"))
        #expect(!ConsoleServer.isSameOrigin(secFetchSite: "cross-site", origin: "http://127.0.0.1:8088", authority: "127.0.0.1:8088"))
        #expect(!ConsoleServer.isSameOrigin(secFetchSite: "same-site", origin: nil, authority: "127.0.0.1:8088"))
        #expect(ConsoleServer.isSameOrigin(secFetchSite: nil, origin: "http://127.0.0.1:8088", authority: "127.0.0.1:8088"))
        #expect(!ConsoleServer.isSameOrigin(secFetchSite: nil, origin: "https://evil.example", authority: "127.0.0.1:8088"))
        #expect(!ConsoleServer.isSameOrigin(secFetchSite: nil, origin: "null", authority: "127.0.0.1:8088"))
        #expect(ConsoleServer.isSameOrigin(secFetchSite: nil, origin: nil, authority: nil), "a tool's post without browser headers")
    }

    @Test("failover: another writer after a refused connection always, after a timeout or unavailable only for reads")
    func failoverRules() {
        let unreachable = ClientError(.unreachable, "refused", endpoint: "tcp://a:1")
        let timeout = ClientError(.timeout, "slow", endpoint: "tcp://a:1")
        let unavailable = ClientError(.server(.unavailable), "degraded", endpoint: "tcp://a:1")
        let notFound = ClientError(.server(.notFound), "no audit", endpoint: "tcp://a:1")
        #expect(WriterPool.triesNext(after: unreachable, idempotent: false))
        #expect(WriterPool.triesNext(after: timeout, idempotent: true) && !WriterPool.triesNext(after: timeout, idempotent: false))
        #expect(WriterPool.triesNext(after: unavailable, idempotent: true) && !WriterPool.triesNext(after: unavailable, idempotent: false))
        #expect(!WriterPool.triesNext(after: notFound, idempotent: true))
    }
}
