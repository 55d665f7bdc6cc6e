import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// The PostgreSQL topology docker/compose.postgres.yaml describes, run for real across separate
/// network hosts: a database host running PostgreSQL, two writer hosts (one `veritas-writer` each,
/// both on that database, nothing on disk shared), two runner hosts whose runners list both
/// writers, a client host and a web host. Then one writer host's link is cut while its runner is
/// auditing, and the other writer must finish everything.
extension MultiHostTests {
    @Test(
        "writers on two hosts share a database host; a writer host cut off mid-audit, the other writer finishes every audit, nothing stored twice",
        .enabled(if: NetworkLab.availability.ok && ["veritas", "veritas-writer", "veritas-runner"].allSatisfy { BuiltProducts.url($0) != nil },
                 "\(NetworkLab.availability.reason.isEmpty ? "the veritas executables were not built" : NetworkLab.availability.reason)")
    )
    func writersOnTwoHostsShareADatabaseHost() async throws {
        let folder = try TemporaryFolder("veritas-multihost-pg")
        defer { folder.remove() }
        let lab = try NetworkLab(
            hosts: [("d", 5), ("w1", 1), ("w2", 2), ("r1", 11), ("r2", 12), ("c", 21), ("s", 31)], logs: folder.url)
        defer { lab.tearDown() }
        // The database host: PostgreSQL inside its namespace, listening on its address only. Stopped
        // before the lab is torn down (defers run last first).
        let database = try await PostgresCluster.start(listenAddress: lab.host("d").address, namespace: lab.host("d").namespace)
        defer { try? database.stop() }
        try database.psql("CREATE DATABASE veritas")

        let base = try ComposeFile("docker/compose.yaml")
        let overlay = try ComposeFile("docker/compose.postgres.yaml")
        let writerHosts = ["w1", "w2"]
        // Compose resolves service and container names on its network; here each is its host's address.
        let names = [
            "@postgres:5432/": "@\(database.host):\(database.port)/",
            "tcp://veritas-writer-1:": "tcp://\(lab.host("w1").address):",
            "tcp://veritas-writer-2:": "tcp://\(lab.host("w2").address):",
        ]
        func onThisMachine(_ environment: [String: String]) -> [String: String] {
            environment.mapValues { value in names.reduce(value) { $0.replacingOccurrences(of: $1.key, with: $1.value) } }
        }
        let queries = writerHosts.map { "tcp://\(lab.host($0).address):\(ComposeFileTests.port(DefaultEndpoints.queriesBind))" }

        // The writers: the base file's settings with the PostgreSQL overlay's on top, as compose merges them.
        let passwordFile = folder.url.appendingPathComponent("postgres_password")
        try Data("not-needed-with-trust-auth\n".utf8).write(to: passwordFile)
        var writers: [SpawnedProcess] = []
        for (index, host) in writerHosts.enumerated() {
            var environment = onThisMachine(base.environment(of: "writer").merging(overlay.environment(of: "writer")) { $1 })
            let url = try #require(environment["VERITAS_DATABASE_URL"])
            try #require(url.contains("@\(database.host):\(database.port)/"), "the overlay's database URL \(url) names no database host this test can map")
            // The secret the overlay mounts; the test cluster trusts its network and ignores it.
            if environment["VERITAS_DATABASE_PASSWORD_FILE"] != nil { environment["VERITAS_DATABASE_PASSWORD_FILE"] = passwordFile.path }
            environment["VERITAS_DATA_DIR"] = folder.url.appendingPathComponent("writer-\(index + 1)-data").path
            environment["VERITAS_WRITER_ID"] = "writer-host-\(index + 1)"
            writers.append(try lab.start(
                on: host, "veritas-writer", ["--config", Repository.url("config/writer.yaml").path], environment: environment,
                label: "writer-\(index + 1)"))
        }
        // Both writers up (on the database) before any runner looks for one.
        for (index, endpoint) in queries.enumerated() {
            let up = try await Self.poll(timeout: .seconds(40)) {
                let health = try await lab.veritas(on: "c", ["health", "--writer", endpoint, "--timeout", "2", "--json"])
                return health.status == 0 && (try? JSONValue.decode(Data(health.stdout.utf8)))?["health"]?["database"]?.stringValue == "ok"
            }
            try #require(up, "writer \(index + 1) never came up on the database host; logs in \(folder.url.path): \(Self.tail(folder.url, "writer-\(index + 1).err"))")
        }

        let site = lab.host("s").address
        try lab.start(on: "s", "veritas", ["sites", "--host", site, "--port", "8080"], environment: [:], label: "sites")

        // The runners: the overlay's list of every writer; runner host 2 lists them the other way
        // round, so each writer has a runner of its own before the cut.
        var runners: [SpawnedProcess] = []
        for index in 1...2 {
            var environment = onThisMachine(base.environment(of: "runner").merging(overlay.environment(of: "runner")) { $1 })
            let listed = try #require(environment["VERITAS_WRITER_RUNNERS_ENDPOINTS"]).split(separator: ",").map(String.init)
            try #require(listed.count == 2 && listed.allSatisfy { $0.contains("10.77.") }, "the overlay's runner endpoints \(listed) do not name both writers")
            environment["VERITAS_WRITER_RUNNERS_ENDPOINTS"] = (index == 1 ? listed : listed.reversed()).joined(separator: ",")
            environment["VERITAS_RUNNER_DATA_DIR"] = folder.url.appendingPathComponent("runner-\(index)").path
            environment["VERITAS_RUNNER_ID"] = "runner-host-\(index)"
            environment["VERITAS_CHROMIUM_PATH"] = ""   // on PATH here; /usr/bin/chromium in the image
            // The sites host is on the lab's private network: allowed by block, not wholesale.
            environment["VERITAS_FETCH_ALLOWED_NETWORKS"] = "10.77.0.0/16"
            runners.append(try lab.start(
                on: "r\(index)", "veritas-runner", ["--config", Repository.url("config/runner.yaml").path], environment: environment,
                label: "runner-\(index)"))
        }
        let connected = try await Self.poll(timeout: .seconds(40)) {
            var counts: [Double] = []
            for endpoint in queries {
                let health = try await lab.veritas(on: "c", ["health", "--writer", endpoint, "--timeout", "2", "--json"])
                counts.append((try? JSONValue.decode(Data(health.stdout.utf8)))?["health"]?["connected_runners"]?.doubleValue ?? -1)
            }
            return counts == [1, 1]
        }
        try #require(connected, "each writer should have one runner; logs in \(folder.url.path): \(Self.tail(folder.url, "runner-1.err"))")

        // Eight audits of the web host's two shops, submitted from the client host to both writers:
        // every writer's submits land in the one queue.
        var submitted: [(id: String, shop: String)] = []
        for index in 0..<8 {
            let shop = index % 2 == 0 ? "pressure-shop" : "honest-shop"
            let writer = queries[(index / 2) % 2]
            let outcome = try await lab.veritas(on: "c", ["submit", "http://\(site):8080/\(shop)/", "--tier", "standard", "--writer", writer, "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let id = try #require(try JSONValue.decode(Data(outcome.stdout.utf8))["audit_id"]?.stringValue)
            submitted.append((id, shop))
        }

        // Cut writer host 1 off while its runner is auditing (seen through writer 2: one database).
        var cutWhileRunning: Set<String> = []
        let caught = try await Self.poll(timeout: .seconds(60)) {
            let audits = try await Self.audits(lab, queries[1])
            cutWhileRunning = Set(audits.filter { $0["status"]?.stringValue == "running" && $0["runner_id"]?.stringValue == "runner-host-1" }
                .compactMap { $0["id"]?.stringValue })
            return !cutWhileRunning.isEmpty
        }
        try #require(caught, "runner host 1 never ran an audit through writer host 1")
        try lab.cut("w1")
        let welcomesBeforeCut = runners[0].jsonLogLines("writer welcomed the runner").count

        // Every audit finishes through writer host 2: runner host 1 fails over to it, and it takes
        // the running audits over.
        var final: [JSONValue] = []
        let finished = try await Self.poll(timeout: .seconds(150)) {
            final = try await Self.audits(lab, queries[1])
            return final.count == submitted.count && final.allSatisfy { $0["status"]?.stringValue == "completed" }
        }
        #expect(finished, "not all audits completed through writer host 2: \(final.map { "\($0["id"]?.stringValue ?? "?") \($0["status"]?.stringValue ?? "?")" }); logs in \(folder.url.path)")
        let movedTo = runners[0].jsonLogLines("writer welcomed the runner").dropFirst(welcomesBeforeCut).compactMap { $0["writer_id"]?.stringValue }
        #expect(movedTo.contains("writer-host-2"), "runner host 1 was never welcomed by writer host 2 after the cut: \(movedTo)")
        let byID = Dictionary(uniqueKeysWithValues: final.compactMap { audit in audit["id"]?.stringValue.map { ($0, audit) } })
        for id in cutWhileRunning {
            // Taken over, not handed out again: the runner that was auditing finished through the other writer.
            #expect(byID[id]?["runner_id"]?.stringValue == "runner-host-1", "\(id), running on runner host 1 at the cut, finished by \(byID[id]?["runner_id"]?.stringValue ?? "nobody")")
        }
        #expect(writers[0].isRunning && writers[1].isRunning && runners.allSatisfy(\.isRunning), "a process died; logs in \(folder.url.path)")

        // Everything readable through writer host 2, the screenshots byte for byte as stored.
        var findingCounts: [String: Set<Int>] = [:]
        for (id, shop) in submitted {
            let status = try await lab.veritas(on: "c", ["status", id, "--writer", queries[1], "--json"])
            let audit = (try? JSONValue.decode(Data(status.stdout.utf8)))?["audit"]
            #expect(status.status == 0 && audit?["status"]?.stringValue == "completed", "\(id) through writer host 2: \(status.stdout) \(status.stderr)")
            #expect(audit?["source"]?.stringValue == "database", "\(id) is served from \(audit?["source"]?.stringValue ?? "nowhere"), not the database")
            let risk = audit?["risk_level"]?.stringValue ?? "?"
            #expect((shop == "pressure-shop" ? ["high", "critical"] : ["low", "medium"]).contains(risk), "\(shop) risk \(risk)")

            let findings = try await lab.veritas(on: "c", ["findings", id, "--writer", queries[1], "--json"])
            let listed = (try? JSONValue.decode(Data(findings.stdout.utf8)))?["findings"].flatMap { if case let .array(items) = $0 { items.count } else { nil } }
            let stored = try Self.count(database, "SELECT count(*) FROM audit_findings WHERE audit_id = '\(id)'")
            #expect(findings.status == 0 && listed == stored, "\(id): writer host 2 lists \(listed.map(String.init) ?? "nothing") findings, the database holds \(stored)")
            findingCounts[shop, default: []].insert(stored)

            let saved = folder.url.appendingPathComponent("saved-\(id)", isDirectory: true)
            // `--save` checks each image's sha256 against the writer's metadata, and exits 1 on a mismatch.
            let shots = try await lab.veritas(on: "c", ["screenshots", id, "--save", saved.path, "--writer", queries[1], "--json"])
            #expect(shots.status == 0, "\(id): screenshots through writer host 2: \(shots.stderr)")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: saved.path)) ?? []
            #expect(!files.isEmpty, "\(shop) audit \(id) has no screenshot")
            for file in files {
                let bytes = try Data(contentsOf: saved.appendingPathComponent(file))
                let index = try #require(Int(file.prefix { $0.isNumber }), "saved screenshot \(file) has no index")
                let inDatabase = try database.psql("""
                    SELECT translate(encode(i.bytes, 'base64'), E'\\n', '') FROM audit_screenshots s JOIN screenshot_images i ON i.sha256 = s.sha256
                    WHERE s.audit_id = '\(id)' AND s.index_num = \(index)
                    """, database: "veritas").trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(Data(base64Encoded: inDatabase) == bytes, "\(id) screenshot \(index): the bytes served by writer host 2 are not the stored image")
            }
        }
        // A `completed` applied twice would store its findings twice: every audit of a shop has as many as the others.
        #expect(findingCounts["pressure-shop"]?.count == 1 && (findingCounts["pressure-shop"]?.first ?? 0) > 0,
                "pressure-shop audits found different numbers of patterns (or none): \(findingCounts)")
        #expect(findingCounts["honest-shop"]?.count == 1, "honest-shop audits found different numbers of patterns: \(findingCounts)")

        // Nothing stored twice. Each attempt numbers its events 1, 2, 3...; an event stored twice
        // under two ids repeats a number. An audit run once repeats none; one run k times (handed
        // out again) has k events numbered 1, all `audit.started`, and no number more often than a
        // smaller one.
        let events = try database.psql("""
            SELECT audit_id || ' ' || string_agg(seq::text || ':' || event, ',' ORDER BY event_id) FROM processed_events GROUP BY audit_id
            """, database: "veritas")
        var eventProblems: [String] = []
        var eventRows = 0
        var auditsRunTwice = 0
        for line in events.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let numbered = parts[1].split(separator: ",").map { item -> (seq: Int, name: String) in
                let pieces = item.split(separator: ":", maxSplits: 1)
                return (Int(pieces[0]) ?? -1, pieces.count > 1 ? String(pieces[1]) : "")
            }
            eventRows += numbered.count
            var counts: [Int: Int] = [:]
            for event in numbered { counts[event.seq, default: 0] += 1 }
            let starts = numbered.filter { $0.name == EventName.started.rawValue }
            if starts.count > 1 { auditsRunTwice += 1 }
            let highest = counts.keys.max() ?? 0
            let monotone = (1..<max(1, highest)).allSatisfy { (counts[$0] ?? 0) >= (counts[$0 + 1] ?? 0) }
            if !monotone || counts[1] != starts.count || !starts.allSatisfy({ $0.seq == 1 }) {
                eventProblems.append("\(parts[0]): \(parts[1])")
            }
        }
        #expect(eventProblems.isEmpty, "events stored twice or lost:\n\(eventProblems.joined(separator: "\n"))")
        #expect(eventRows > submitted.count * 3, "only \(eventRows) events stored for \(submitted.count) audits")
        #expect(try Self.count(database, "SELECT count(*) FROM jobs") == 0, "jobs left in the queue")
        // Each image once (its sha256 is the key), each held by a screenshot row.
        let images = try Self.count(database, "SELECT count(*) FROM screenshot_images")
        let referenced = try Self.count(database, "SELECT count(DISTINCT sha256) FROM audit_screenshots")
        #expect(images == referenced, "\(images) images stored, \(referenced) referenced by screenshot rows")

        print("multi-host postgres: \(submitted.count) audits from host c through writer hosts w1 and w2 on database host d; "
            + "host w1 cut while runner host 1 ran \(cutWhileRunning.count), runner host 1 then welcomed by \(movedTo); "
            + "\(eventRows) events, \(auditsRunTwice) audits run more than once, \(images) images; per runner: "
            + "\(Dictionary(grouping: final, by: { $0["runner_id"]?.stringValue ?? "-" }).mapValues(\.count))")
    }

    /// `SELECT count(*) ...` on the database host.
    static func count(_ database: PostgresCluster, _ sql: String) throws -> Int {
        let text = try database.psql(sql, database: "veritas").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw DeploymentTestError("`\(sql)` gave \(text), not a number") }
        return value
    }
}
