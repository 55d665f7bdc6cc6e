import Foundation
import Testing
import VeritasClient
import VeritasDemo
import VeritasProtocol
import VeritasTestSupport

/// Crash tests in the manner of Kafka's hard-bounce tests: a real `veritas-writer` and three real
/// `veritas-runner` processes audit the bundled sample sites (served on loopback) while the
/// writer or the runners are `kill -9`ed at random moments and restarted on the same data.
/// Afterwards the database, the screenshot folder and the outboxes are read directly and must
/// show nothing lost, nothing doubled, nothing stuck, and the same results as a fault-free run.
///
/// Each run prints its seed; `VERITAS_CHAOS_SEED=<seed>` replays the same fault schedule (the
/// processes' own timing still varies). `make chaos` runs a longer soak; see ``ChaosSettings``.
@Suite("Chaos: kill -9 of real writer and runner processes", .serialized)
struct ChaosTests {
    /// Audits each runner runs at once: 3 runners × 2 keeps Chromium from swamping a small CI box
    /// while the rest of the suite runs in parallel.
    static let runnerCapacity = 2
    static let runnerIDs = ["chaos-runner-1", "chaos-runner-2", "chaos-runner-3"]
    static let maxJobAttempts = 3
    static let silentTimeoutMilliseconds = 1_500
    static let verbose = ChaosSettings.environment["VERITAS_CHAOS_VERBOSE"] == "1"

    /// Short timeouts everywhere, so recovery takes seconds, not the production defaults.
    static let writerSettings = [
        "VERITAS_HEARTBEAT_INTERVAL_MS": "200",
        "VERITAS_RUNNER_SILENT_TIMEOUT_MS": String(silentTimeoutMilliseconds),
        "VERITAS_MAX_JOB_ATTEMPTS": String(maxJobAttempts),
        // Ended audits' event ids are forgotten about a second after they end, while runners
        // that were killed still resend their events: exactly-once must hold through that too.
        "VERITAS_PROCESSED_EVENTS_RETENTION_MS": "1",
    ]
    static let runnerSettings = [
        "VERITAS_RUNNER_CAPACITY": String(runnerCapacity),
        "VERITAS_ACK_RESEND_TIMEOUT_MS": "1000",
        "VERITAS_RUNNER_HEARTBEAT_INTERVAL_MS": "200",
        "VERITAS_RUNNER_HEARTBEAT_TIMEOUT_MS": "1500",
        "VERITAS_RECONNECT_INITIAL_MS": "50",
        "VERITAS_RECONNECT_MAX_MS": "500",
        // The sample sites are served on loopback.
        "VERITAS_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
    ]

    static func log(_ message: @autoclosure () -> String) {
        if verbose { print("chaos: \(message())") }
    }

    // MARK: - Writer hard bounce

    @Test("writer kill -9 at random moments, restarted on the same data: nothing lost, doubled or stuck",
          .timeLimit(.minutes(ChaosSettings.timeLimitMinutes)))
    func writerHardBounce() async throws {
        let seed = ChaosSettings.seed()
        let kills = ChaosSettings.writerKills
        let audits = ChaosSettings.audits
        print("chaos: writer-hard-bounce seed=\(seed) writer_kills=\(kills) audits=\(audits) (replay: VERITAS_CHAOS_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let started = ContinuousClock.now

        try await ChaosBed.run("writer-bounce") { bed, checks in
            var summary = ChaosSummary(test: "writer-hard-bounce", seed: seed)

            let reference = try await bed.referenceRun()

            // The faults: before each kill a wave of audits is submitted, so kills land while audits
            // run, screenshots are written and batches commit.
            var inFlightAtKill = 0
            for kill in 0..<kills {
                try await bed.submitWave(kill: kill, of: kills, total: audits, random: &random)
                let delay = Int.random(in: 100...1_500, using: &random)
                try await Task.sleep(for: .milliseconds(delay))  // the fault schedule, not synchronisation
                if let health = try? await bed.client.health(timeout: .seconds(1)), health.counts.queued + health.counts.running > 0 {
                    inFlightAtKill += 1
                }
                await bed.closeClient()
                let victim = bed.cluster.writer?.name ?? "-"
                try await bed.cluster.killWriter()
                let downtime = Int.random(in: 0...400, using: &random)
                try await Task.sleep(for: .milliseconds(downtime))
                try await bed.cluster.startWriter()   // waits for "writer ready"
                try bed.openClient()
                Self.log("kill \(kill + 1)/\(kills): \(victim) after \(delay) ms, down \(downtime) ms")
            }

            try await bed.finishAndStop(summary: &summary)
            let figures = try bed.checkEndState(reference: reference, allowAttemptLimitErrors: false)
            bed.checkJobStartDelays(summary: &summary)

            // Kills that found nothing running would prove little: most must land on work in flight.
            checks.expect(inFlightAtKill * 2 >= kills, "only \(inFlightAtKill) of \(kills) kills hit audits in flight")
            let removedTemporaries = bed.cluster.allLogLines("removed unfinished screenshot files", prefix: "writer")
                .compactMap { $0["count"]?.stringValue.flatMap(Int.init) }.reduce(0, +)
            summary.set("writer_kills", kills)
            summary.set("kills_with_audits_in_flight", inFlightAtKill)
            summary.set("writer_starts", bed.cluster.writerStarts)
            summary.set("temporary_screenshots_removed_at_start", removedTemporaries)
            bed.record(figures, in: &summary)
            summary.set("duration_s", (ContinuousClock.now - started).inSeconds)
            try bed.report(summary)
        }
    }

    // MARK: - Runners killed mid-audit

    @Test("runner kill -9 mid-audit, some restarted with their outbox, one never: audits requeued and finished",
          .timeLimit(.minutes(ChaosSettings.timeLimitMinutes)))
    func runnersKilledMidAudit() async throws {
        let seed = ChaosSettings.seed()
        let kills = ChaosSettings.runnerKills
        let audits = ChaosSettings.audits
        print("chaos: runner-crash seed=\(seed) runner_kills=\(kills) audits=\(audits) (replay: VERITAS_CHAOS_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let started = ContinuousClock.now

        try await ChaosBed.run("runner-crash") { bed, checks in
            var summary = ChaosSummary(test: "runner-crash", seed: seed)

            let reference = try await bed.referenceRun()

            // One kill, chosen by the seed, is never followed by a restart: that runner's jobs must
            // be finished by the others.
            let lostKill = Int.random(in: 0..<kills, using: &random)
            var lostRunner: String?
            var midAudit = 0
            var restartedBeforeSilence = 0
            var restartedAfterSilence = 0
            var leftInOutboxes = 0
            for kill in 0..<kills {
                try await bed.submitWave(kill: kill, of: kills, total: audits, random: &random)
                let delay = Int.random(in: 300...1_500, using: &random)
                try await Task.sleep(for: .milliseconds(delay))  // the fault schedule

                // The victim: a live runner with an audit running (its `audit.started` is stored).
                var holders: [String] = []
                _ = try await eventually(timeout: .seconds(15), every: .milliseconds(50)) {
                    let running = (try? await bed.client.list(status: .running, limit: 500, timeout: .seconds(2)))?.audits ?? []
                    holders = Set(running.compactMap { $0.runnerID?.rawValue }).intersection(bed.cluster.liveRunnerIDs).sorted()
                    return !holders.isEmpty
                }
                let victim: String
                if let holder = holders.randomElement(using: &random) {
                    victim = holder
                    midAudit += 1
                } else {
                    victim = try #require(bed.cluster.liveRunnerIDs.randomElement(using: &random))
                }
                try await bed.cluster.killRunner(victim)
                let left = try outboxCount(bed.cluster.outboxPath(victim))
                leftInOutboxes += left
                if kill == lostKill {
                    lostRunner = victim
                    Self.log("kill \(kill + 1)/\(kills): \(victim) after \(delay) ms, \(left) events in its outbox, never restarted")
                    continue
                }
                // Back before the writer notices the silence (1.5 s), or after it requeued the jobs.
                let beforeSilence = Bool.random(using: &random)
                let downtime = beforeSilence ? Int.random(in: 0...800, using: &random) : Int.random(in: 1_800...3_000, using: &random)
                if beforeSilence { restartedBeforeSilence += 1 } else { restartedAfterSilence += 1 }
                try await Task.sleep(for: .milliseconds(downtime))  // the fault schedule
                try await bed.cluster.startRunner(victim)
                Self.log("kill \(kill + 1)/\(kills): \(victim) after \(delay) ms, \(left) events in its outbox, restarted after \(downtime) ms")
            }
            checks.expect(midAudit == kills, "only \(midAudit) of \(kills) runner kills found the runner with an audit running")

            try await bed.finishAndStop(summary: &summary, lostRunner: lostRunner)
            let figures = try bed.checkEndState(reference: reference, allowAttemptLimitErrors: true)
            bed.checkJobStartDelays(summary: &summary)
            // Every kill was mid-audit, so some audits must have been handed out again.
            checks.expect(figures.requeuedAudits > 0, "no audit was handed out twice after \(kills) runner kills mid-audit")

            let resent = bed.cluster.allLogLines("outbox holds events from a previous run; resending them", prefix: "chaos-runner")
                .compactMap { $0["events"]?.stringValue.flatMap(Int.init) }.reduce(0, +)
            summary.set("runner_kills", kills)
            summary.set("kills_mid_audit", midAudit)
            summary.set("restarted_before_silence_timeout", restartedBeforeSilence)
            summary.set("restarted_after_silence_timeout", restartedAfterSilence)
            summary.set("runners_never_restarted", lostRunner == nil ? 0 : 1)
            summary.set("events_in_outbox_at_kill", leftInOutboxes)
            summary.set("events_resent_from_outbox_after_restart", resent)
            bed.record(figures, in: &summary)
            summary.set("duration_s", (ContinuousClock.now - started).inSeconds)
            try bed.report(summary)
        }
    }
}

// MARK: - The test bed

/// A cluster (writer + three runners), the sample sites, a client, and the audits submitted.
final class ChaosBed {
    let folder: ChaosFolder
    let checks: Checks
    let cluster: ChaosCluster
    let sites: SampleSiteServer
    private(set) var client: WriterClient
    /// Audit id → URL, everything submitted.
    private(set) var submitted: [String: String] = [:]
    /// Sites and their share of the audits (``siteMix(_:)``).
    let urls: [(url: String, weight: Int)]

    private init(folder: ChaosFolder, checks: Checks, cluster: ChaosCluster, sites: SampleSiteServer, client: WriterClient) {
        self.folder = folder
        self.checks = checks
        self.cluster = cluster
        self.sites = sites
        self.client = client
        urls = Self.siteMix(sites)
    }

    /// The sites audited and their share of the audits: the pressure shop (about 18 findings, a
    /// screenshot), the honest shop (none, a screenshot), and a missing page (HTTP 404: `audit.error`).
    static func siteMix(_ sites: SampleSiteServer) -> [(url: String, weight: Int)] {
        [
            (sites.url(of: .pressureShop), 5),
            (sites.url(of: .honestShop), 3),
            ("http://127.0.0.1:\(sites.port)/no-such-shop/", 2),
        ]
    }

    /// How many of `total` audits the wave before fault `kill` (of `kills`) submits.
    static func waveSize(kill: Int, of kills: Int, total: Int) -> Int {
        total * (kill + 1) / kills - total * kill / kills
    }

    /// A site of `urls`, drawn by weight.
    static func drawSite(from urls: [(url: String, weight: Int)], using random: inout SeededGenerator) -> String {
        let weights = urls.reduce(0) { $0 + $1.weight }
        var pick = Int.random(in: 0..<weights, using: &random)
        let site = urls.first { site in
            defer { pick -= site.weight }
            return pick < site.weight
        } ?? urls[0]
        return site.url
    }

    /// Starts a bed in a fresh folder, runs `body`, and on every exit path kills every child
    /// process, stops the sample sites and removes the folder (kept when a check failed).
    static func run(_ name: String, _ body: (ChaosBed, Checks) async throws -> Void) async throws {
        let folder = try ChaosFolder(name)
        let checks = Checks()
        var passed = false
        defer { folder.finish(failed: !passed || checks.failures > 0) }
        let bed = try await start(folder: folder, checks: checks)
        defer { bed.cluster.stopAll() }
        do {
            try await body(bed, checks)
        } catch {
            await bed.closeClient()
            await bed.sites.stop()
            throw error
        }
        passed = true
    }

    private static func start(folder: ChaosFolder, checks: Checks) async throws -> ChaosBed {
        _ = try #require(ChaosExecutables.writer, "veritas-writer was not built next to the tests (swift build --build-tests)")
        _ = try #require(ChaosExecutables.runner, "veritas-runner was not built next to the tests (swift build --build-tests)")
        // Without Chromium there would be no screenshots, and the screenshot checks would prove nothing.
        _ = try #require(ChaosExecutables.chromium, "chromium is not on PATH (make deps installs it)")
        let sites = try await SampleSiteServer.start()
        do {
            let cluster = try ChaosCluster(root: folder.url, writerSettings: ChaosTests.writerSettings, runnerSettings: ChaosTests.runnerSettings)
            do {
                try await cluster.startWriter()
                for id in ChaosTests.runnerIDs { try await cluster.startRunner(id) }
                let client = try WriterClient(endpoint: cluster.queriesEndpoint, timeout: .seconds(3))
                return ChaosBed(folder: folder, checks: checks, cluster: cluster, sites: sites, client: client)
            } catch {
                cluster.stopAll()
                throw error
            }
        } catch {
            await sites.stop()
            throw error
        }
    }

    private var clientIsOpen = true

    func openClient() throws {
        precondition(!clientIsOpen)
        client = try WriterClient(endpoint: cluster.queriesEndpoint, timeout: .seconds(3))
        clientIsOpen = true
    }

    func closeClient() async {
        guard clientIsOpen else { return }
        clientIsOpen = false
        await client.close()
    }

    func submit(_ url: String) async throws {
        let audit = try await client.submit(url: url, tier: .standard, verdictMode: .expert, timeout: .seconds(5))
        submitted[audit.id.rawValue] = url
    }

    /// Audits `kill`'s share of `total`, sites drawn by weight.
    func submitWave(kill: Int, of kills: Int, total: Int, random: inout SeededGenerator) async throws {
        for _ in 0..<Self.waveSize(kill: kill, of: kills, total: total) {
            try await submit(Self.drawSite(from: urls, using: &random))
        }
    }

    /// Polls `health` until every submitted audit is `completed` or `error` and the queue is empty.
    func waitUntilAllFinished(timeout: Duration) async throws -> Bool {
        let total = submitted.count
        return try await eventually(timeout: timeout, every: .milliseconds(200)) {
            guard let health = try? await client.health(timeout: .seconds(2)) else { return false }
            return health.counts.completed + health.counts.error == total && health.queueDepth == 0
        }
    }

    /// Two audits of each site without faults; their results are the reference. The two must
    /// agree, else the engine is not deterministic and no comparison would mean anything.
    func referenceRun() async throws -> [String: AuditOutcome] {
        for site in urls {
            try await submit(site.url)
            try await submit(site.url)
        }
        let done = try await waitUntilAllFinished(timeout: .seconds(60))
        try #require(done, "the fault-free reference audits did not finish within 60 s")
        let snapshot = try DatabaseSnapshot.read(cluster.writerData.appendingPathComponent("veritas.sqlite").path)
        return try Self.referenceOutcomes(snapshot: snapshot, submitted: submitted, urls: urls, sites: sites)
    }

    /// The outcome of each site in a fault-free run (`submitted`: two audits of each site, read
    /// back in `snapshot`), checked to be deterministic and to hold what the checks compare.
    static func referenceOutcomes(
        snapshot: DatabaseSnapshot, submitted: [String: String], urls: [(url: String, weight: Int)], sites: SampleSiteServer
    ) throws -> [String: AuditOutcome] {
        var reference: [String: AuditOutcome] = [:]
        for (id, url) in submitted {
            let outcome = try #require(snapshot.audits[id]?.outcome, "reference audit \(id) is not in the database")
            try #require(outcome.events != nil && snapshot.audits[id]?.attempts == 1, "reference audit \(id) was run more than once: \(outcome)")
            if let other = reference[url] {
                try #require(other == outcome, "two fault-free audits of \(url) differ: \(other.differences(from: outcome))")
            }
            reference[url] = outcome
        }
        // The checks below are only worth something if the reference has what they check.
        let pressure = try #require(reference[sites.url(of: .pressureShop)])
        try #require(pressure.status == "completed" && pressure.findings.count >= 10 && pressure.screenshots >= 1,
                     "the pressure shop reference should be completed with many findings and a screenshot: \(pressure)")
        let honest = try #require(reference[sites.url(of: .honestShop)])
        try #require(honest.status == "completed" && honest.screenshots >= 1, "the honest shop reference: \(honest)")
        let missing = try #require(reference[urls[2].url])
        try #require(missing.status == "error", "the missing page reference should be an error: \(missing)")
        return reference
    }

    /// Waits for every audit to finish and every live runner's outbox to drain, then `kill -9`s
    /// the runners (so nothing is flushed on the way out) and stops the writer with SIGTERM.
    func finishAndStop(summary: inout ChaosSummary, lostRunner: String? = nil) async throws {
        let timeout = Duration.seconds(max(60, submitted.count * 2))
        let done = try await waitUntilAllFinished(timeout: timeout)
        checks.expect(done, "audits not all finished \(timeout) after the last fault")

        let live = cluster.liveRunnerIDs
        let drained = try await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            try live.allSatisfy { try outboxCount(cluster.outboxPath($0)) == 0 }
        }
        for id in live { try await cluster.killRunner(id) }
        var pending: [String: Int] = [:]
        for id in live { pending[id] = try outboxCount(cluster.outboxPath(id)) }
        checks.expect(drained && pending.values.allSatisfy { $0 == 0 },
                      "events never acknowledged, left in runner outboxes: \(pending.filter { $0.value > 0 })")
        if let lostRunner {
            summary.set("events_lost_with_the_runner_never_restarted", try outboxCount(cluster.outboxPath(lostRunner)))
        }
        summary.set("runner_reconnects", cluster.allLogLines("writer welcomed the runner", prefix: "chaos-runner").count)

        await closeClient()
        await sites.stop()
        let status = try await cluster.terminateWriter()
        checks.expect(status == 0, "the writer did not exit 0 within 15 s of SIGTERM (status \(status.map(String.init) ?? "none"))")
    }

    func checkEndState(reference: [String: AuditOutcome], allowAttemptLimitErrors: Bool) throws -> EndStateFigures {
        let snapshot = try DatabaseSnapshot.read(cluster.writerData.appendingPathComponent("veritas.sqlite").path)
        let figures = VeritasChaosTests.checkEndState(
            snapshot: snapshot, images: .files(dataDirectory: cluster.writerData), submitted: submitted, reference: reference,
            maxAttempts: ChaosTests.maxJobAttempts, allowAttemptLimitErrors: allowAttemptLimitErrors,
            handOuts: Dictionary(
                cluster.allLogLines("job handed out", prefix: "writer").compactMap { $0["audit_id"]?.stringValue }.map { ($0, 1) },
                uniquingKeysWith: +),
            checks: checks)
        checks.expect(figures.screenshots > 0, "no screenshot was checked")
        checks.expect(figures.events > 0, "no event was checked")
        checks.expect(snapshot.processedEventRows < snapshot.loggedEvents,
                      "processed_events was never pruned (\(snapshot.processedEventRows) rows for \(snapshot.loggedEvents) applied events)")
        return figures
    }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
