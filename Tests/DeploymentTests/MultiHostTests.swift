import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// The topology docker/compose.yaml describes, run for real across separate network hosts: a
/// writer host, two runner hosts, a client host and a web host, each its own network namespace
/// on a shared bridge, every service started with the compose file's own settings. Then one
/// runner host's link is cut mid-audit, and the audit must still finish.
@Suite("compose topology across network hosts", .serialized, .timeLimit(.minutes(5)))
struct MultiHostTests {
    @Test(
        "audits across hosts: writer, two runners, a client and a web host; a runner host cut off mid-audit, the audit still finishes",
        .enabled(if: NetworkLab.availability.ok && ["veritas", "veritas-writer", "veritas-runner"].allSatisfy { BuiltProducts.url($0) != nil },
                 "\(NetworkLab.availability.reason.isEmpty ? "the veritas executables were not built" : NetworkLab.availability.reason)")
    )
    func auditsAcrossHosts() async throws {
        let folder = try TemporaryFolder("veritas-multihost")
        defer { folder.remove() }
        let lab = try NetworkLab(hosts: [("w", 1), ("r1", 11), ("r2", 12), ("c", 21), ("s", 31)], logs: folder.url)
        defer { lab.tearDown() }
        let compose = try ComposeFile("docker/compose.yaml")
        let writerHost = lab.host("w").address
        // Compose resolves service names on its network; here the writer service is its host's address.
        func onThisMachine(_ environment: [String: String]) -> [String: String] {
            environment.mapValues { $0.replacingOccurrences(of: "tcp://writer:", with: "tcp://\(writerHost):") }
        }

        var writerEnvironment = onThisMachine(compose.environment(of: "writer"))
        writerEnvironment["VERITAS_DATA_DIR"] = folder.url.appendingPathComponent("writer-data").path
        let writer = try lab.start(
            on: "w", "veritas-writer", ["--config", Repository.url("config/writer.yaml").path], environment: writerEnvironment, label: "writer")
        let queries = "tcp://\(writerHost):\(ComposeFileTests.port(DefaultEndpoints.queriesBind))"

        let site = lab.host("s").address
        try lab.start(on: "s", "veritas", ["sites", "--host", site, "--port", "8080"], environment: [:], label: "sites")

        for index in 1...2 {
            var environment = onThisMachine(compose.environment(of: "runner"))
            environment["VERITAS_RUNNER_DATA_DIR"] = folder.url.appendingPathComponent("runner-\(index)").path
            environment["VERITAS_RUNNER_ID"] = "runner-host-\(index)"
            environment["VERITAS_CHROMIUM_PATH"] = ""   // on PATH here; /usr/bin/chromium in the image
            // The sites host is on the lab's private network: allowed by block, not wholesale.
            environment["VERITAS_FETCH_ALLOWED_NETWORKS"] = "10.77.0.0/16"
            try lab.start(
                on: "r\(index)", "veritas-runner", ["--config", Repository.url("config/runner.yaml").path], environment: environment,
                label: "runner-\(index)")
        }

        // The client host sees the writer healthy with both runners connected.
        let ready = try await Self.poll(timeout: .seconds(40)) {
            let health = try await lab.veritas(on: "c", ["health", "--writer", queries, "--timeout", "2", "--json"])
            guard health.status == 0, let json = try? JSONValue.decode(Data(health.stdout.utf8)) else { return false }
            return json["health"]?["connected_runners"]?.doubleValue == 2
        }
        try #require(ready, "writer or runners never came up; logs in \(folder.url.path): \(Self.tail(folder.url, "writer.err"))")
        #expect(writer.isRunning)

        // Six audits of the web host's two shops, submitted from the client host.
        var submitted: [(id: String, site: String)] = []
        for index in 0..<6 {
            let shop = index % 2 == 0 ? "pressure-shop" : "honest-shop"
            let outcome = try await lab.veritas(on: "c", ["submit", "http://\(site):8080/\(shop)/", "--tier", "standard", "--writer", queries, "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let id = try #require(try JSONValue.decode(Data(outcome.stdout.utf8))["audit_id"]?.stringValue)
            submitted.append((id, shop))
        }

        // Cut runner host 1 off while it is auditing.
        var cutWhileRunning: Set<String> = []
        let caught = try await Self.poll(timeout: .seconds(60)) {
            let audits = try await Self.audits(lab, queries)
            cutWhileRunning = Set(audits.filter { $0["status"]?.stringValue == "running" && $0["runner_id"]?.stringValue == "runner-host-1" }
                .compactMap { $0["id"]?.stringValue })
            return !cutWhileRunning.isEmpty
        }
        try #require(caught, "runner host 1 never ran an audit")
        try lab.cut("r1")

        // Every audit still finishes: runner host 2 takes over what host 1 held.
        var final: [JSONValue] = []
        let finished = try await Self.poll(timeout: .seconds(150)) {
            final = try await Self.audits(lab, queries)
            return final.count == submitted.count && final.allSatisfy { $0["status"]?.stringValue == "completed" }
        }
        #expect(finished, "not all audits completed: \(final.map { "\($0["id"]?.stringValue ?? "?") \($0["status"]?.stringValue ?? "?")" })")
        let byID = Dictionary(uniqueKeysWithValues: final.compactMap { audit in audit["id"]?.stringValue.map { ($0, audit) } })
        let takenOver = cutWhileRunning.filter { byID[$0]?["runner_id"]?.stringValue == "runner-host-2" }
        #expect(!takenOver.isEmpty, "an audit running on the cut host was finished by the other host")
        for id in takenOver { #expect((byID[id]?["attempts"]?.doubleValue ?? 0) >= 2, "\(id) was handed out again") }
        print("multi-host: \(submitted.count) audits from host c of pages on host s; host r1 cut while running \(cutWhileRunning.count), "
            + "\(takenOver.count) finished by host r2; per runner: "
            + "\(Dictionary(grouping: final, by: { $0["runner_id"]?.stringValue ?? "-" }).mapValues(\.count))")

        // The results are the real audits of the web host's pages.
        for (id, shop) in submitted {
            guard let audit = byID[id] else { continue }
            let risk = audit["risk_level"]?.stringValue ?? "?"
            if shop == "pressure-shop" {
                #expect(["high", "critical"].contains(risk), "\(shop) risk \(risk)")
            } else {
                #expect(["low", "medium"].contains(risk), "\(shop) risk \(risk)")
            }
            let shots = try await lab.veritas(on: "c", ["screenshots", id, "--writer", queries, "--json"])
            let count = (try? JSONValue.decode(Data(shots.stdout.utf8)))?["screenshots"].flatMap { if case let .array(items) = $0 { items.count } else { nil } }
            #expect((count ?? 0) >= 1, "\(shop) audit \(id) has a screenshot rendered on a runner host")
        }
        let findings = try await lab.veritas(on: "c", ["findings", submitted[0].id, "--writer", queries, "--json"])
        #expect(findings.status == 0)
        #expect(findings.stdout.contains("countdown_timer") || findings.stdout.contains("low_stock"), "the pressure shop's patterns were found")

        // The writer notices the silent host and keeps serving with one runner.
        let one = try await Self.poll(timeout: .seconds(30)) {
            let health = try await lab.veritas(on: "c", ["health", "--writer", queries, "--timeout", "2", "--json"])
            return (try? JSONValue.decode(Data(health.stdout.utf8)))?["health"]?["connected_runners"]?.doubleValue == 1
        }
        #expect(one)
    }

    /// Every audit, newest first, as the client host sees them.
    static func audits(_ lab: NetworkLab, _ queries: String) async throws -> [JSONValue] {
        let list = try await lab.veritas(on: "c", ["list", "--limit", "100", "--writer", queries, "--timeout", "3", "--json"])
        guard list.status == 0, case let .array(audits)? = (try? JSONValue.decode(Data(list.stdout.utf8)))?["audits"] else { return [] }
        return audits
    }

    /// Re-checks `condition` every 250 ms until it holds or `timeout` passes.
    static func poll(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await condition()
    }

    static func tail(_ folder: URL, _ file: String) -> String {
        let text = (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
        return String(text.suffix(2_000))
    }
}
