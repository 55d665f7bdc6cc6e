import Foundation
import Testing
import VeritasClient
import VeritasPostgres
import VeritasProtocol
import VeritasRunner
import VeritasTestSupport
import VeritasWriter

/// Real writers (in process, real sockets) on one PostgreSQL database: the deployment of writers on
/// several hosts, on loopback.
@Suite("PostgreSQL: writers sharing one database", .timeLimit(.minutes(3)))
struct PostgresWritersTests {
    @Test("two writers share the work: each job goes to one runner, and either writer answers for every audit, screenshots included")
    func twoWritersShareTheWork() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let (writers, folders) = try await startWriters(2, on: database.url)
        defer { folders.forEach { $0.remove() } }
        let clients = try writers.map { try WriterClient(endpoint: $0.endpoints.queries) }
        let runners = try writers.enumerated().map { try ScriptedRunner(endpoint: $1.endpoints.runners, name: "runner-\($0)") }
        do {
            for runner in runners { try await runner.hello(capacity: 4) }
            var submitted: [AuditID] = []
            for number in 0..<6 {
                // Submits go to either writer: every writer's submit lands in the one queue.
                submitted.append(try await clients[number % 2].submit(url: "https://shop-\(number).example/").id)
            }

            // Both runners pull from the shared queue; together they get every job exactly once.
            var handedOut: [Int: [AuditJob]] = [0: [], 1: []]
            let deadline = ContinuousClock.now + .seconds(10)
            while handedOut.values.map(\.count).reduce(0, +) < submitted.count, ContinuousClock.now < deadline {
                for (index, runner) in runners.enumerated() {
                    handedOut[index]! += try await runner.jobs(count: 4, within: .milliseconds(200), required: false)
                }
            }
            let all = handedOut.values.flatMap { $0 }.map(\.auditID)
            #expect(all.count == submitted.count, "\(all.count) hand-outs for \(submitted.count) audits")
            #expect(Set(all) == Set(submitted))
            #expect(handedOut.values.allSatisfy { !$0.isEmpty }, "both writers' runners got work: \(handedOut.mapValues(\.count))")

            // Each runner reports through its own writer, screenshots included.
            let png = SampleImages.minimalPNG
            for (index, jobs) in handedOut {
                for job in jobs {
                    try await runners[index].send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
                    try await runners[index].send(job.auditID, .screenshot(
                        ScreenshotEventPayload(index: 0, label: "viewport", contentType: .png, byteCount: png.count), bytes: png))
                    try await runners[index].send(job.auditID, .completed(Self.verdict(for: job.url)))
                }
            }

            // Every audit read through the writer that did not store it, and through the other.
            for (index, jobs) in handedOut {
                let other = clients[1 - index]
                for job in jobs {
                    let audit = try await other.status(job.auditID)
                    #expect(audit.status == .completed)
                    #expect(audit.source == .database)
                    #expect(audit.runnerID == runners[index].runnerID)
                    #expect(try await other.findings(job.auditID).findings.map(\.evidence) == ["Only 2 left in stock"])
                    let (info, bytes) = try await other.screenshot(job.auditID, index: 0)
                    #expect(bytes == png)
                    #expect(info.filePath.hasPrefix("screenshot_images/"))
                }
            }
            let listed = try await clients[1].list(status: .completed, limit: 50)
            #expect(Set(listed.audits.map(\.id)) == Set(submitted))
            let health = try await clients[0].health()
            #expect(health.database == .ok)
            #expect(health.counts.completed == submitted.count)
            #expect(health.queueDepth == 0)
            #expect(try database.psql("SELECT count(*) FROM jobs").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            #expect(try database.psql("SELECT count(DISTINCT writer_id) FROM jobs").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            #expect(try database.psql("SELECT count(*) FROM processed_events").trimmingCharacters(in: .whitespacesAndNewlines)
                    == String(submitted.count * 3), "each event recorded once")
            #expect(try database.psql("SELECT count(*) FROM screenshot_images").trimmingCharacters(in: .whitespacesAndNewlines) == "1",
                    "one image, stored once for all six audits")
        } catch {
            Issue.record(error)
        }
        for runner in runners { await runner.close() }
        for client in clients { await client.close() }
        for writer in writers { try await writer.stop() }
    }

    @Test("while PostgreSQL is down the writer says degraded and acknowledges nothing; when it is back, the resend is stored and health recovers")
    func degradedWhileTheServerIsDown() async throws {
        // A cluster of its own: this test stops the server.
        let cluster = try await PostgresCluster.start()
        defer { try? cluster.stop() }
        try cluster.psql("CREATE DATABASE veritas")
        let (writers, folders) = try await startWriters(1, on: cluster.url(database: "veritas"))
        defer { folders.forEach { $0.remove() } }
        let writer = writers[0]
        let client = try WriterClient(endpoint: writer.endpoints.queries)
        let runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "runner-degraded")
        do {
            try await runner.hello()
            let audit = try await client.submit(url: "https://down.example/")
            let job = try await runner.nextJob()
            #expect(job.auditID == audit.id)
            try await runner.send(audit.id, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))

            try cluster.stopServer()
            let verdict = AuditEvent(auditID: audit.id, seq: 2, runnerID: runner.runnerID, payload: .completed(Self.verdict(for: job.url)))
            await #expect(throws: ScriptedRunnerError.self, "no ack while nothing can be stored") { try await runner.deliver(verdict) }
            #expect(try await eventually(timeout: .seconds(10)) { (try? await client.health())?.database == .degraded })
            // Memory still answers, and says so.
            let meanwhile = try await client.status(audit.id)
            #expect(meanwhile.source == .memory)

            try cluster.startServer()
            // As a runner does: resend until acknowledged (the first resend may reach the writer
            // before its probe has found the server again).
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
                (try? await runner.deliver(verdict)) != nil
            }, "the resend is acknowledged once the server is back")
            #expect(try await eventually(timeout: .seconds(10)) { (try? await client.health())?.database == .ok })
            let stored = try await client.status(audit.id)
            #expect(stored.status == .completed)
            #expect(stored.source == .database)
            #expect(try cluster.psql("SELECT status FROM audits", database: "veritas").trimmingCharacters(in: .whitespacesAndNewlines) == "completed")
        } catch {
            Issue.record(error)
        }
        await runner.close()
        await client.close()
        try await writer.stop()
    }

    @Test("live progress: a writer's feed carries the events that writer applied, not another writer's (the documented limit); status through any writer shows them")
    func feedsArePerWriter() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let (writers, folders) = try await startWriters(2, on: database.url)
        defer { folders.forEach { $0.remove() } }
        let clients = try writers.map { try WriterClient(endpoint: $0.endpoints.queries) }
        let runners = try writers.enumerated().map { try ScriptedRunner(endpoint: $1.endpoints.runners, name: "feed-runner-\($0)") }
        var watchers: [FeedWatcher] = []
        do {
            for runner in runners { try await runner.hello(capacity: 1) }
            let audit = try await clients[0].submit(url: "https://feeds.example/").id
            watchers = try writers.map { try FeedWatcher(endpoint: $0.endpoints.feed, auditID: audit) }
            // Each watcher's subscription is live once its own writer's event reaches it (PUB drops
            // what is published before): the runner of each writer sends until its watcher hears.
            for index in 0..<2 {
                var heard = false
                for attempt in 0..<50 where !heard {
                    try await runners[index].send(audit, .progress(ProgressEventPayload(phase: "fetch", percent: Double(index * 50 + attempt % 40))))
                    heard = await watchers[index].next(timeout: .milliseconds(100)) != nil
                }
                #expect(heard, "writer \(index)'s watcher hears writer \(index)'s events")
            }
            // Now both watchers are subscribed: an event applied by the first writer reaches the first
            // writer's feed only.
            while await watchers[1].next(timeout: .milliseconds(50)) != nil {}
            let marker = try await runners[0].send(audit, .progress(ProgressEventPayload(phase: "analyze", percent: 99)))
            var first: FeedMessage?
            while let message = await watchers[0].next(timeout: .seconds(3)) {
                if message.eventID == marker.eventID { first = message; break }
            }
            #expect(first?.seq == marker.seq, "the first writer's feed carries its own event")
            #expect(await watchers[1].next(timeout: .seconds(1)) == nil, "the second writer's feed does not carry the first writer's event")
            #expect(try await clients[1].status(audit).progress?.percent == 99, "the second writer's status does")
        } catch {
            Issue.record(error)
        }
        for watcher in watchers { await watcher.close() }
        for runner in runners { await runner.close() }
        for client in clients { await client.close() }
        for writer in writers { try await writer.stop() }
    }

    @Test("USE_DB_PERSISTENCE=false with the postgres backend never connects: memory only, as with SQLite")
    func memoryOnlyNeverConnects() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Nothing listens at this URL: a writer that tried to connect would fail to start.
        let writer = try await InProcessWriter.start(dataDirectory: folder.url) {
            $0.persistenceEnabled = false
            $0.databaseBackend = "postgres"
            $0.postgresURL = "postgres://nobody@127.0.0.1:1/none?sslmode=disable"
        }
        let client = try WriterClient(endpoint: writer.endpoints.queries)
        let audit = try await client.submit(url: "https://memory.example/")
        #expect(audit.source == .memory)
        #expect(try await client.health().database == .disabled)
        await client.close()
        try await writer.stop()
    }

    // MARK: Helpers

    static func verdict(for url: String) -> CompletedEventPayload {
        CompletedEventPayload(
            trustScore: 40, riskLevel: .high, narrative: "Scarcity claims on \(url).", signalScores: ["dark_patterns": 20],
            siteType: .shop, securityResults: ["grade": "B"],
            darkPatternSummary: DarkPatternSummary(
                findings: [Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: "Only 2 left in stock")],
                summary: ["count": 1]))
    }

    /// `count` writers on the database at `url`, each with its own data folder (nothing on disk is shared).
    private func startWriters(_ count: Int, on url: String) async throws -> ([InProcessWriter], [TemporaryFolder]) {
        var writers: [InProcessWriter] = []
        var folders: [TemporaryFolder] = []
        for number in 0..<count {
            let folder = try TemporaryFolder()
            folders.append(folder)
            writers.append(try await InProcessWriter.start(dataDirectory: folder.url) {
                $0.writerID = "writer-\(number)"
                $0.databaseBackend = "postgres"
                $0.postgresURL = url
                $0.postgresTimeoutMilliseconds = 5_000
            })
        }
        return (writers, folders)
    }
}

/// A runner whose writer goes away carries on with the next writer of the same database.
@Suite("PostgreSQL: runners fail over between writers", .timeLimit(.minutes(3)))
struct RunnerFailoverTests {
    @Test("the writer a runner works with stops mid-audit: the runner moves to the next writer, which takes the jobs over; every event is stored once and every audit completes")
    func runnerFailsOverToTheNextWriter() async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        var folders: [TemporaryFolder] = []
        defer { folders.forEach { $0.remove() } }
        var writers: [InProcessWriter] = []
        for number in 0..<2 {
            let folder = try TemporaryFolder()
            folders.append(folder)
            writers.append(try await InProcessWriter.start(dataDirectory: folder.url) {
                $0.writerID = "writer-\(number)"
                $0.databaseBackend = "postgres"
                $0.postgresURL = database.url
                $0.postgresTimeoutMilliseconds = 5_000
            })
        }
        let runnerFolder = try TemporaryFolder()
        folders.append(runnerFolder)
        let gate = Gate()
        let engine = GatedEngine(gate: gate)
        let runner = try await InProcessRunner.start(
            dataDirectory: runnerFolder.url, writer: "\(writers[0].endpoints.runners), \(writers[1].endpoints.runners)", engine: engine
        ) { $0.capacity = 3 }
        let first = try WriterClient(endpoint: writers[0].endpoints.queries)
        let second = try WriterClient(endpoint: writers[1].endpoints.queries)
        do {
            var audits: [AuditID] = []
            for number in 0..<3 { audits.append(try await first.submit(url: "https://failover-\(number).example/").id) }
            // The runner works with the first writer of its list: every audit started, its first
            // events stored through that writer.
            #expect(try await eventually(timeout: .seconds(10)) {
                await engine.startedCount == 3
            })
            #expect(try await eventually(timeout: .seconds(10)) {
                var stored = 0
                for id in audits where (try? await second.status(id))?.progress?.percent == 10 { stored += 1 }
                return stored == 3
            }, "the first events are stored (read through the other writer)")

            try await writers[0].stop()
            // The audits finish while the runner looks for a writer: their last events wait in the
            // outbox and go to the second writer.
            await gate.open()
            #expect(try await eventually(timeout: .seconds(20)) {
                var done = 0
                for id in audits where (try? await second.status(id))?.status == .completed { done += 1 }
                return done == 3
            }, "every audit completes through the second writer")
            #expect(runner.handle.link.writerEndpoint == writers[1].endpoints.runners)
            for id in audits {
                let audit = try await second.status(id)
                #expect(audit.attempts == 1, "taken over, not handed out again")
                #expect(try await second.findings(id).findings.count == 1)
                let (_, bytes) = try await second.screenshot(id, index: 0)
                #expect(bytes == SampleImages.minimalPNG)
            }
            let repeated = try database.psql(
                "SELECT count(*) FROM (SELECT audit_id, seq FROM processed_events GROUP BY audit_id, seq HAVING count(*) > 1) AS twice")
            #expect(repeated.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no event of the runner stored twice")
            let events = try database.psql("SELECT count(*) FROM processed_events")
            #expect(Int(events.trimmingCharacters(in: .whitespacesAndNewlines)) == audits.count * GatedEngine.eventsPerAudit,
                    "every event stored: \(events)")
            #expect(try database.psql("SELECT count(*) FROM jobs").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        } catch {
            Issue.record(error)
        }
        await gate.open()
        await first.close()
        await second.close()
        try await runner.stop()
        try await writers[1].stop()
    }
}

/// Holds audits at a point until opened.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }
}

/// An engine that reports progress and a screenshot, waits at the gate, then reports again and
/// returns a verdict: the runner's own events around a pause the test controls.
struct GatedEngine: AuditEngine {
    /// `started`, progress 10, the screenshot, progress 90, `completed`.
    static let eventsPerAudit = 5
    let gate: Gate
    private let started = Counter()

    init(gate: Gate) { self.gate = gate }

    var startedCount: Int { get async { await started.value } }

    func audit(_ job: AuditJob, reporter: AuditReporter) async throws -> CompletedEventPayload {
        await reporter.progress("fetch", 10, nil)
        await reporter.screenshot(0, "viewport", .png, SampleImages.minimalPNG)
        await started.increment()
        await gate.wait()
        await reporter.progress("verdict", 90, nil)
        return PostgresWritersTests.verdict(for: job.url)
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }
}
