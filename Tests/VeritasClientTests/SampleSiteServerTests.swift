import Foundation
import Testing
@testable import VeritasDemo

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The demo's static server for the bundled sample sites.
@Suite("Demo sample site server", .timeLimit(.minutes(1)))
struct SampleSiteServerTests {
    @Test("bundled sites exist and look like what the runner detects")
    func bundledSites() throws {
        let root = SampleSite.bundledRoot
        let honest = try String(contentsOf: root.appendingPathComponent("honest-shop/index.html"), encoding: .utf8).lowercased()
        let pressure = try String(contentsOf: root.appendingPathComponent("pressure-shop/index.html"), encoding: .utf8).lowercased()
        for phrase in ["privacy", "terms", "contact", "add to cart"] { #expect(honest.contains(phrase)) }
        for phrase in ["offer ends in", "today only", "left in stock", "people are viewing", "no thanks, i don't", "automatically renews", "checked"] {
            #expect(pressure.contains(phrase), "pressure shop lacks '\(phrase)'")
        }
        for phrase in ["offer ends in", "today only", "left in stock", "people are viewing", "no thanks", "automatically renews", "hurry"] {
            #expect(!honest.contains(phrase), "honest shop contains '\(phrase)'")
        }
    }

    @Test("paths map to files inside the root only")
    func pathMapping() throws {
        let files = try SampleSiteServer.StaticFiles(root: SampleSite.bundledRoot)
        #expect(files.file(for: "/honest-shop/")?.lastPathComponent == "index.html")
        #expect(files.file(for: "/honest-shop")?.lastPathComponent == "index.html")
        #expect(files.file(for: "/honest-shop/privacy.html?x=1")?.lastPathComponent == "privacy.html")
        #expect(files.file(for: "/pressure-shop/index.html")?.lastPathComponent == "index.html")
        for refused in [
            "/", "", "honest-shop/", "/../Package.swift", "/honest-shop/../../../../etc/passwd", "/honest-shop/%2e%2e/x",
            "/honest-shop/..%2f..%2fetc/passwd", "/.hidden", "/honest-shop/missing.html", "/nope/", "/honest-shop\\..\\x",
        ] {
            #expect(files.file(for: refused) == nil, "'\(refused)' was served")
        }
    }

    @Test("serves pages over HTTP with content type, site headers and 404")
    func serves() async throws {
        let server = try await SampleSiteServer.start()
        let (body, response) = try await URLSession.shared.data(from: URL(string: server.url(of: .honestShop))!)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200)
        #expect(http.value(forHTTPHeaderField: "Content-Type") == "text/html; charset=utf-8")
        #expect(http.value(forHTTPHeaderField: "X-Frame-Options") == "DENY")
        #expect(String(decoding: body, as: UTF8.self).contains("Alder &amp; Loom"))
        let (_, missing) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/nope.html")!)
        #expect((missing as? HTTPURLResponse)?.statusCode == 404)
        var post = URLRequest(url: URL(string: server.url(of: .pressureShop))!)
        post.httpMethod = "POST"
        let (_, refused) = try await URLSession.shared.data(for: post)
        #expect((refused as? HTTPURLResponse)?.statusCode == 405)
        await server.stop()
    }
}
