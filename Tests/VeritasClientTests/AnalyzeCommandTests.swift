import Foundation
import Testing
import VeritasDemo
import VeritasProtocol
import VeritasTestSupport

/// `veritas analyze`, the built executable run as a process: segments through the wording model,
/// HTML files and URLs through the runner's engine, all without Chromium (`--no-browser`;
/// rendering is tested by `AnalyzeRenderingTests`, which runs with the browser suites).
@Suite("veritas analyze", .timeLimit(.minutes(2)))
struct AnalyzeCommandTests {
    private static func json(_ line: some StringProtocol) throws -> JSONValue {
        try JSONValue.decode(Data(line.utf8))
    }

    private static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 }
    }

    private static func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return []
    }

    /// A shop page pressing the visitor: a pre-checked priced add-on and a low-stock warning.
    static let pressurePage = """
        <!DOCTYPE html><html lang="en"><head><title>Gadget shop</title></head><body>
        <h1>Wireless headphones</h1><p class="price">$79.99</p>
        <p>Hurry! Only 2 left in stock</p>
        <label><input type=checkbox checked> Add protection plan ($9.99)</label>
        <button>Add to cart</button>
        </body></html>
        """

    /// An ordinary page with nothing to find.
    static let plainPage = """
        <!DOCTYPE html><html lang="en"><head><title>About our bakery</title>
        <meta name="description" content="A small bakery"></head><body>
        <h1>About us</h1><p>We bake bread every morning in our small shop on Mill Street.</p>
        <p>Contact us at hello@bakery.example. Read our <a href="/privacy">privacy policy</a> and <a href="/terms">terms</a>.</p>
        </body></html>
        """

    // MARK: --segments

    @Test("--segments: one line out per line in, in order; ids echoed; a bad line is answered with an error and exits 8")
    func segments() async throws {
        let folder = try TemporaryFolder("veritas-analyze")
        defer { folder.remove() }
        let input = folder.url.appendingPathComponent("segments.jsonl")
        try """
            {"id": "a1", "text": "Hurry! Only 2 left in stock"}
            {"id": 42, "text": "Contact us"}
            {oops
            {"id": "no-text", "words": "Contact us"}
            {"id": "last", "text": "Hurry! Only 2 left in stock"}

            """.write(to: input, atomically: true, encoding: .utf8)
        let run = try await VeritasCLI.run(["analyze", "--segments", input.path])
        #expect(run.status == 8, "\(run.stderr)")
        #expect(run.stderr.contains("2 --segments lines"))
        let lines = Self.lines(run.stdout)
        try #require(lines.count == 5, "\(run.stdout)")

        // Keys in the documented order.
        #expect(lines[0].hasPrefix(#"{"id":"a1","dark_pattern":true,"category":"scarcity","type":"low_stock","confidence":"#))
        let dark = try Self.json(lines[0])
        let probability = try #require(dark["probability"]?.doubleValue)
        #expect(probability >= 0.5 && probability <= 1)
        #expect(dark["confidence"]?.doubleValue == probability)

        #expect(lines[1].hasPrefix(#"{"id":42,"dark_pattern":false,"category":null,"type":null,"#))
        let ordinary = try Self.json(lines[1])
        let ordinaryProbability = try #require(ordinary["probability"]?.doubleValue)
        let ordinaryConfidence = try #require(ordinary["confidence"]?.doubleValue)
        #expect(ordinaryProbability < 0.5)
        #expect(abs(ordinaryConfidence - (1 - ordinaryProbability)) < 1e-9)

        let malformed = try Self.json(lines[2])
        #expect(malformed["id"] == .null)
        #expect(malformed["error"]?.stringValue?.contains("not JSON") == true)
        #expect(malformed["dark_pattern"] == nil)

        let noText = try Self.json(lines[3])
        #expect(noText["id"] == .string("no-text"))
        #expect(noText["error"]?.stringValue?.contains("text") == true)

        let last = try Self.json(lines[4])
        #expect(last["id"] == .string("last"))
        #expect(last["dark_pattern"] == .bool(true))
    }

    @Test("--segments: 2,000 lines (more than a pipe buffer) answered in order, and stdin (-) read to its end")
    func manySegments() async throws {
        let folder = try TemporaryFolder("veritas-analyze")
        defer { folder.remove() }
        let input = folder.url.appendingPathComponent("many.jsonl")
        let texts = ["Hurry! Only 2 left in stock", "Contact us", "Offer ends in 10 minutes", "We bake bread every morning"]
        // 2,000 answers are about 150 KB, more than a pipe buffer holds: the output must stream.
        let count = 2_000
        try (0..<count).map { #"{"id": \#($0), "text": "\#(texts[$0 % texts.count]) \#($0)"}"# }.joined(separator: "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let run = try await VeritasCLI.run(["analyze", "--segments", input.path])
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 0, "\(run.stderr)")
        let lines = Self.lines(run.stdout)
        #expect(lines.count == count)
        for (index, line) in lines.enumerated() where !line.hasPrefix("{\"id\":\(index),\"dark_pattern\":") {
            Issue.record("line \(index) answers the wrong input: \(line)")
            break
        }
        // The model loads once; a debug build on a busy machine still takes a few seconds at most.
        #expect(elapsed < .seconds(60))

        // The tests' child processes read /dev/null: no lines, no answers, success.
        let empty = try await VeritasCLI.run(["analyze", "--segments", "-"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.isEmpty)
    }

    // MARK: Files

    @Test("a pressure page: findings printed, --json has the verdict, --fail-on and --min-trust set the exit code")
    func pressureFile() async throws {
        let folder = try TemporaryFolder("veritas-analyze")
        defer { folder.remove() }
        let shop = folder.url.appendingPathComponent("shop.html")
        let plain = folder.url.appendingPathComponent("plain.html")
        try Self.pressurePage.write(to: shop, atomically: true, encoding: .utf8)
        try Self.plainPage.write(to: plain, atomically: true, encoding: .utf8)

        let text = try await VeritasCLI.run(["analyze", shop.path, "--no-browser"])
        #expect(text.status == 0, "\(text.stderr)")
        for expected in ["trust score:", "risk:", "site type:", "narrative:", "scripts not run", "CATEGORY", "sneak_into_basket", "low_stock",
                         "Add protection plan ($9.99)"] {
            #expect(text.stdout.contains(expected), "no '\(expected)' in \(text.stdout)")
        }

        let json = try await VeritasCLI.run(["analyze", shop.path, "--json", "--mode", "expert", "--no-browser"])
        #expect(json.status == 0, "\(json.stderr)")
        let lines = Self.lines(json.stdout)
        try #require(lines.count == 1, "\(json.stdout)")
        let result = try Self.json(lines[0])
        let trust = try #require(result["trust_score"]?.doubleValue)
        #expect((0...100).contains(trust))
        let risk = try #require(result["risk_level"]?.stringValue.flatMap(RiskLevel.init(rawValue:)))
        #expect(risk != .low)
        let types = Self.array(result["dark_pattern_summary"]?["findings"]).compactMap { $0["pattern_type"]?.stringValue }
        #expect(types.contains("sneak_into_basket"))
        #expect(types.contains("low_stock"))
        #expect(result["input"] == .string(shop.path))
        #expect(result["url"]?.stringValue == shop.absoluteString)
        #expect(result["security_results"]?["rendered"] == .bool(false))
        #expect(result["security_results"]?["render_error"] == .string("--no-browser: Chromium not used"))
        #expect(result["security_results"]?["source"] == .string("file"))
        #expect(result["narrative"]?.stringValue?.contains("no HTTP headers") == true)

        let failOn = try await VeritasCLI.run(["analyze", shop.path, "--fail-on", "medium", "--no-browser"])
        #expect(failOn.status == 7, "\(failOn.stderr)")
        #expect(failOn.stderr.contains("--fail-on medium"))
        #expect(failOn.stdout.contains("sneak_into_basket"))

        let anyTrust = try await VeritasCLI.run(["analyze", shop.path, "--min-trust", "0", "--no-browser"])
        #expect(anyTrust.status == 0, "\(anyTrust.stderr)")
        let fullTrust = try await VeritasCLI.run(["analyze", shop.path, "--min-trust", "100", "--no-browser"])
        #expect(fullTrust.status == 7)
        #expect(fullTrust.stderr.contains("below --min-trust 100"))

        let honest = try await VeritasCLI.run(["analyze", plain.path, "--fail-on", "high", "--no-browser"])
        #expect(honest.status == 0, "\(honest.stderr)")
        #expect(honest.stdout.contains("no findings"))

        // Several inputs: each printed; one page below the bar fails the run.
        let both = try await VeritasCLI.run(["analyze", plain.absoluteString, shop.path, "--fail-on", "high", "--json", "--no-browser"])
        #expect(both.status == 7)
        let results = try Self.lines(both.stdout).map { try Self.json($0) }
        #expect(results.map { $0["input"] } == [.string(plain.absoluteString), .string(shop.path)])
        #expect(results.first?["risk_level"] != .string("high") && results.first?["risk_level"] != .string("critical"))
        #expect(results.last.map { ["high", "critical"].contains($0["risk_level"]?.stringValue ?? "") } == true)
    }

    @Test("a missing or non-HTML file exits 8 with a message naming it; the other inputs are still analysed")
    func unreadableFiles() async throws {
        let folder = try TemporaryFolder("veritas-analyze")
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("missing.html").path
        let missingRun = try await VeritasCLI.run(["analyze", missing, "--no-browser"])
        #expect(missingRun.status == 8)
        #expect(missingRun.stderr.contains(missing))
        #expect(missingRun.stderr.contains("no such file"))
        #expect(missingRun.stdout.isEmpty)

        let binary = folder.url.appendingPathComponent("image.html")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x3C, 0x62]).write(to: binary)
        let plain = folder.url.appendingPathComponent("plain.html")
        try Self.plainPage.write(to: plain, atomically: true, encoding: .utf8)
        let mixed = try await VeritasCLI.run(["analyze", missing, binary.path, plain.path, "--json", "--fail-on", "low", "--no-browser"])
        // 8 wins over 7 (the plain page is at least low risk).
        #expect(mixed.status == 8)
        #expect(mixed.stderr.contains("not an HTML file"))
        let results = try Self.lines(mixed.stdout).map { try Self.json($0) }
        try #require(results.count == 3, "\(mixed.stdout)")
        #expect(results[0] == .object(["input": .string(missing), "error": .string("no such file")]))
        #expect(results[1]["error"]?.stringValue?.contains("not an HTML file") == true)
        #expect(results[2]["trust_score"] != nil)
    }

    // MARK: URLs

    @Test("URLs on loopback through the runner's engine without Chromium; an HTTP error exits 8")
    func urls() async throws {
        let server = try await SampleSiteServer.start()
        do {
            let pressure = server.url(of: .pressureShop)
            let honest = server.url(of: .honestShop)
            let run = try await VeritasCLI.run(["analyze", pressure, honest, "--no-browser", "--json", "--tier", "quick", "--allow-private-networks"])
            #expect(run.status == 0, "\(run.stderr)")
            let results = try Self.lines(run.stdout).map { try Self.json($0) }
            try #require(results.count == 2, "\(run.stdout)")
            let (pressed, clean) = (results[0], results[1])
            #expect(pressed["url"] == .string(pressure))
            #expect(pressed["security_results"]?["final_url"] == .string(pressure))
            #expect(pressed["security_results"]?["rendered"] == .bool(false))
            #expect(pressed["security_results"]?["render_error"] == .string("--no-browser: Chromium not used"))
            #expect(Self.array(pressed["dark_pattern_summary"]?["findings"]).count >= 3)
            #expect(Self.array(clean["dark_pattern_summary"]?["findings"]).count == 0)
            let pressedTrust = try #require(pressed["trust_score"]?.doubleValue)
            let cleanTrust = try #require(clean["trust_score"]?.doubleValue)
            #expect(pressedTrust < cleanTrust)

            let text = try await VeritasCLI.run(["analyze", pressure, "--no-browser", "--fail-on", "high", "--allow-private-networks"])
            #expect(text.status == 7, "\(text.stderr)")
            #expect(text.stdout.contains("tier:"))
            #expect(text.stdout.contains("--no-browser"))
            #expect(text.stdout.contains("countdown_timer") || text.stdout.contains("limited_time_message"))

            let notFound = "http://127.0.0.1:\(server.port)/no-such-page.html"
            let missing = try await VeritasCLI.run(["analyze", notFound, "--no-browser", "--allow-private-networks"])
            #expect(missing.status == 8)
            #expect(missing.stderr.contains("404"))
            #expect(missing.stdout.isEmpty)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("usage: inputs and --segments exclude each other; nothing to analyse is a usage error")
    func usage() async throws {
        #expect(try await VeritasCLI.run(["analyze"]).status == 2)
        #expect(try await VeritasCLI.run(["analyze", "page.html", "--segments", "-"]).status == 2)
        #expect(try await VeritasCLI.run(["analyze", "page.html", "--min-trust", "101"]).status == 2)
        #expect(try await VeritasCLI.run(["analyze", "page.html", "--fail-on", "severe"]).status == 2)
    }
}
