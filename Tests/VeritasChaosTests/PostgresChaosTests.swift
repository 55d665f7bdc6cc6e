import Foundation
import Testing
import VeritasClient
import VeritasDemo
import VeritasProtocol
import VeritasTestSupport

/// The writer hard bounce of ``ChaosTests`` on the PostgreSQL backend, the one that lets writers run
/// on several hosts: two real `veritas-writer` processes share one PostgreSQL database (each with its own data folder: nothing
/// on disk is shared), and three real `veritas-runner`s list both writers and fail over between
/// them. Writers are `kill -9`ed at random moments and restarted (the first one only once a runner
/// has failed over to the other writer), and the PostgreSQL server itself is restarted once mid-run. Afterwards the database is read directly (`psql`) and checked as the
/// SQLite runs' file is: nothing lost, nothing applied twice, nothing stuck, every screenshot row's
/// image stored with its size and sha256, and the same results as a fault-free run.
///
/// The run prints its seed; `VERITAS_CHAOS_SEED=<seed>` replays the same fault schedule. It reads
/// the chaos knobs (``ChaosSettings``): as many audits as the SQLite bounce, half as many kills.
@Suite("Chaos on PostgreSQL: kill -9 of two writers sharing one database, and a database restart", .serialized)
struct PostgresChaosTests {
    /// Kills of one writer or the other: half the SQLite bounce's, since each kill moves runners
    /// from one writer to the other (a failover, not a reconnect to the same writer).
    static var writerKills: Int { max(2, ChaosSettings.writerKills / 2) }
    /// A PostgreSQL operation unanswered by then fails; short, so a restarted server is found soon.
    static let databaseTimeoutMilliseconds = 3_000
    /// How long the first killed writer may stay down before a runner of its must have failed
    /// over: many times the runners' 1.5 s silence timeout, for a loaded machine.
    static let failoverWait = Duration.seconds(20)

    @Test("two writers on one PostgreSQL database: writers kill -9ed at random and PostgreSQL restarted mid-run; nothing lost, doubled or stuck",
          .timeLimit(.minutes(ChaosSettings.timeLimitMinutes)))
    func writersBounceOnSharedDatabase() async throws {
        let seed = ChaosSettings.seed()
        let kills = Self.writerKills
        let audits = ChaosSettings.audits
        print("chaos: postgres-writers-bounce seed=\(seed) writer_kills=\(kills) audits=\(audits) (replay: VERITAS_CHAOS_SEED=\(seed))")
        var random = SeededGenerator(seed: seed)
        let started = ContinuousClock.now

        try await PostgresChaosBed.run("pg-bounce") { bed, checks in
            var summary = ChaosSummary(test: "postgres-writers-bounce", seed: seed)
            let reference = try await bed.referenceRun()

            // The database restart comes after one of the kills, chosen by the seed.
            let databaseRestartAfter = Int.random(in: 0..<kills, using: &random)
            var inFlightAtKill = 0
            var victims: [String: Int] = [:]
            for kill in 0..<kills {
                try await bed.submitWave(kill: kill, of: kills, total: audits, random: &random)
                let delay = Int.random(in: 100...1_500, using: &random)
                try await Task.sleep(for: .milliseconds(delay))  // the fault schedule, not synchronisation
                if try bed.unfinishedJobs() > 0 { inFlightAtKill += 1 }
                let victim = PostgresChaosCluster.writerNames.randomElement(using: &random) ?? "a"
                victims[victim, default: 0] += 1
                let failoversBefore = bed.failovers
                try await bed.killWriter(victim)
                let downtime = Int.random(in: 0...400, using: &random)
                try await Task.sleep(for: .milliseconds(downtime))  // the fault schedule
                if kill == 0 {
                    // A writer back within the runners' silence timeout is simply heard again: a
                    // restarted writer adopts a heartbeating runner, so short outages never move
                    // a runner. The first outage lasts until a runner has moved to the other
                    // writer (each writer has runners listing it first, and no fault has moved
                    // any yet), so every run takes the failover path with audits in flight.
                    let movedOver = try await eventually(timeout: Self.failoverWait, every: .milliseconds(50)) {
                        bed.failovers > failoversBefore
                    }
                    checks.expect(movedOver, "no runner failed over to the other writer within \(Self.failoverWait) of writer \(victim) going down")
                }
                try await bed.startWriter(victim)   // waits for "writer ready"
                PostgresChaosBed.log("kill \(kill + 1)/\(kills): writer \(victim) after \(delay) ms, down \(downtime) ms")

                if kill == databaseRestartAfter {
                    let before = Int.random(in: 100...1_000, using: &random)
                    let down = Int.random(in: 0...1_000, using: &random)
                    try await Task.sleep(for: .milliseconds(before))  // the fault schedule
                    summary.set("database_restart_with_audits_in_flight", try bed.unfinishedJobs() > 0 ? 1 : 0)
                    try await bed.restartDatabase(down: .milliseconds(down))
                    PostgresChaosBed.log("PostgreSQL restarted after kill \(kill + 1), \(before) ms after it, down \(down) ms")
                }
            }

            try await bed.finishAndStop(summary: &summary)
            let figures = try bed.checkEndState(reference: reference)
            bed.checkJobStartDelays(summary: &summary)

            // Kills that found nothing running would prove little: most must land on work in flight.
            checks.expect(inFlightAtKill * 2 >= kills, "only \(inFlightAtKill) of \(kills) kills hit audits in flight")
            // The writers shared the work, and runners moved between them: else this was a
            // one-writer test.
            let failovers = bed.failovers
            checks.expect(failovers > 0, "no runner ever failed over to the other writer in \(kills) writer kills")
            for name in PostgresChaosCluster.writerNames {
                let count = bed.cluster.allLogLines("job handed out", prefix: "writer-\(name)-").count
                checks.expect(count > 0, "writer \(name) never handed out a job: the queue was not shared")
                summary.set("jobs_handed_out_by_writer_\(name)", count)
                summary.set("kills_of_writer_\(name)", victims[name] ?? 0)
            }
            summary.set("writer_kills", kills)
            summary.set("kills_with_audits_in_flight", inFlightAtKill)
            summary.set("runner_failovers", failovers)
            summary.set("writer_starts", bed.cluster.writerStarts)
            bed.record(figures, in: &summary)
            summary.set("duration_s", (ContinuousClock.now - started).inSeconds)
            try bed.report(summary)
        }
    }
}

// MARK: - The test bed

/// A PostgreSQL server of its own (the test restarts it), two writers on it, three runners listing
/// both writers, the sample sites, and a client per writer.
final class PostgresChaosBed {
    static let verbose = ChaosSettings.environment["VERITAS_CHAOS_VERBOSE"] == "1"
    static func log(_ message: @autoclosure () -> String) {
        if verbose { print("chaos: \(message())") }
    }

    let folder: ChaosFolder
    let checks: Checks
    let cluster: PostgresChaosCluster
    let sites: SampleSiteServer
    /// One client per writer, absent while its writer is down.
    private var clients: [String: WriterClient] = [:]
    /// Audit id → URL, everything submitted.
    private(set) var submitted: [String: String] = [:]
    let urls: [(url: String, weight: Int)]
    /// Which writer the next audit is submitted to: they alternate, so both writers' submits land in the one queue.
    private var nextSubmitWriter = 0

    private init(folder: ChaosFolder, checks: Checks, cluster: PostgresChaosCluster, sites: SampleSiteServer) {
        self.folder = folder
        self.checks = checks
        self.cluster = cluster
        self.sites = sites
        urls = ChaosBed.siteMix(sites)
    }

    /// Starts a bed in a fresh folder, runs `body`, and on every exit path kills every child
    /// process, stops the sample sites and the database server, and removes the folders (the
    /// test's folder and the database's are kept when a check failed).
    static func run(_ name: String, _ body: (PostgresChaosBed, Checks) async throws -> Void) async throws {
        _ = try #require(ChaosExecutables.writer, "veritas-writer was not built next to the tests (swift build --build-tests)")
        _ = try #require(ChaosExecutables.runner, "veritas-runner was not built next to the tests (swift build --build-tests)")
        // Without Chromium there would be no screenshots, and the screenshot checks would prove nothing.
        _ = try #require(ChaosExecutables.chromium, "chromium is not on PATH (make deps installs it)")
        let folder = try ChaosFolder(name)
        let checks = Checks()
        var passed = false
        defer { folder.finish(failed: !passed || checks.failures > 0) }
        // A port below the ephemeral range: no other process is handed it while the server is down.
        let database = try await PostgresCluster.start(port: try LoopbackPorts.pick(1)[0])
        defer {
            if passed && checks.failures == 0 && !ChaosSettings.keepFolder {
                try? database.stop()
            } else {
                try? database.stopServer()
                print("chaos: kept the database cluster in \(database.dataDirectory.path) (port \(database.port))")
            }
        }
        try database.psql("CREATE DATABASE veritas")
        let cluster = try PostgresChaosCluster(root: folder.url, database: database, databaseName: "veritas")
        defer { cluster.stopAll() }
        let sites = try await SampleSiteServer.start()
        let bed = PostgresChaosBed(folder: folder, checks: checks, cluster: cluster, sites: sites)
        do {
            try await bed.startAll()
            try await body(bed, checks)
        } catch {
            await bed.closeClients()
            await sites.stop()
            throw error
        }
        passed = true
    }

    /// Both writers (one after the other: the first creates the schema), the event log, then the
    /// runners, each listing both writers, half of them the other writer first.
    private func startAll() async throws {
        for name in PostgresChaosCluster.writerNames {
            try await startWriter(name)
            if name == PostgresChaosCluster.writerNames[0] {
                // The schema exists once the first writer is ready; no runner has been started yet.
                try PostgresEventLog.install(on: cluster.database, database: cluster.databaseName)
            }
        }
        for (index, id) in ChaosTests.runnerIDs.enumerated() {
            let names = index % 2 == 0 ? PostgresChaosCluster.writerNames : PostgresChaosCluster.writerNames.reversed()
            try await cluster.startRunner(id, writers: names)
        }
    }

    func startWriter(_ name: String) async throws {
        try await cluster.startWriter(name)
        clients[name] = try WriterClient(endpoint: cluster.queriesEndpoint(name), timeout: .seconds(3))
    }

    /// Runner moves from one writer to the other so far, read from the runners' logs.
    var failovers: Int {
        cluster.allLogLines("failing over to the next writer", prefix: "chaos-runner").count
    }

    func killWriter(_ name: String) async throws {
        if let client = clients.removeValue(forKey: name) { await client.close() }
        try await cluster.killWriter(name)
    }

    func closeClients() async {
        for client in clients.values { await client.close() }
        clients = [:]
    }

    /// Submits to the writers in turn (to the other one while a writer is down).
    func submit(_ url: String) async throws {
        let names = PostgresChaosCluster.writerNames
        nextSubmitWriter += 1
        let name = names[nextSubmitWriter % names.count]
        let client = try #require(clients[name] ?? clients.values.first, "no writer is up to submit to")
        // As a client should: a writer whose database is not taking writes just now (it found the
        // server slow, or restarting) says `unavailable`, nothing stored: try again, for a while.
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            // Through a Result: a `catch where` on the typed error crashes Swift 6.3's SIL
            // ownership verifier in this function (tried 2026-12-04).
            let outcome: Result<Audit, ClientError>
            do {
                outcome = .success(try await client.submit(url: url, tier: .standard, verdictMode: .expert, timeout: .seconds(5)))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let audit):
                submitted[audit.id.rawValue] = url
                return
            case .failure(let error):
                guard error.code == .server(.unavailable), ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(200))  // a client's retry interval
            }
        }
    }

    func submitWave(kill: Int, of kills: Int, total: Int, random: inout SeededGenerator) async throws {
        for _ in 0..<ChaosBed.waveSize(kill: kill, of: kills, total: total) {
            try await submit(ChaosBed.drawSite(from: urls, using: &random))
        }
    }

    /// Jobs queued or claimed, read from the database.
    func unfinishedJobs() throws -> Int {
        try cluster.scalar("SELECT count(*) FROM jobs")
    }

    /// Polls the database until every submitted audit is `completed` or `error` and no job is left.
    func waitUntilAllFinished(timeout: Duration) async throws -> Bool {
        let total = submitted.count
        return try await eventually(timeout: timeout, every: .milliseconds(500)) {
            // The server may be restarting: a failed read is "not yet".
            guard let ended = try? cluster.scalar("SELECT count(*) FROM audits WHERE status IN ('completed', 'error')"),
                  let jobs = try? unfinishedJobs() else { return false }
            return ended == total && jobs == 0
        }
    }

    /// Two audits of each site without faults; their results are the reference (``ChaosBed/referenceOutcomes``).
    func referenceRun() async throws -> [String: AuditOutcome] {
        for site in urls {
            try await submit(site.url)
            try await submit(site.url)
        }
        let done = try await waitUntilAllFinished(timeout: .seconds(60))
        try #require(done, "the fault-free reference audits did not finish within 60 s")
        let snapshot = try DatabaseSnapshot.read(from: cluster.database, database: cluster.databaseName)
        return try ChaosBed.referenceOutcomes(snapshot: snapshot, submitted: submitted, urls: urls, sites: sites)
    }

    /// Stops PostgreSQL (fast shutdown: connections cut, open transactions rolled back), waits until
    /// a writer reports the database `degraded`, keeps it down for `down`, starts it again on the
    /// same port and data, and waits until both writers report it `ok` again.
    func restartDatabase(down: Duration) async throws {
        try cluster.database.stopServer()
        let noticed = try await eventually(timeout: .seconds(15), every: .milliseconds(100)) {
            for client in clients.values where (try? await client.health(timeout: .seconds(2)))?.database == .degraded { return true }
            return false
        }
        checks.expect(noticed, "no writer reported the database degraded within 15 s of PostgreSQL stopping")
        try await Task.sleep(for: down)  // the fault schedule
        try cluster.database.startServer()
        var states: [String: String] = [:]
        let recovered = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            for (name, client) in clients {
                states[name] = (try? await client.health(timeout: .seconds(2)))?.database.rawValue ?? "no answer"
            }
            return states.values.allSatisfy { $0 == DatabaseState.ok.rawValue }
        }
        checks.expect(recovered, "the writers did not report the database ok within 30 s of PostgreSQL starting again: \(states)")
    }

    /// Waits for every audit to finish and every runner's outbox to drain, then `kill -9`s the
    /// runners (so nothing is flushed on the way out) and stops both writers with SIGTERM.
    func finishAndStop(summary: inout ChaosSummary) async throws {
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
        summary.set("runner_reconnects", cluster.allLogLines("writer welcomed the runner", prefix: "chaos-runner").count)

        await closeClients()
        await sites.stop()
        for name in PostgresChaosCluster.writerNames {
            let status = try await cluster.terminateWriter(name)
            checks.expect(status == 0, "writer \(name) did not exit 0 within 15 s of SIGTERM (status \(status.map(String.init) ?? "none"))")
        }
    }

    func checkEndState(reference: [String: AuditOutcome]) throws -> EndStateFigures {
        let snapshot = try DatabaseSnapshot.read(from: cluster.database, database: cluster.databaseName)
        let images = try PostgresEventLog.images(on: cluster.database, database: cluster.databaseName)
        let figures = VeritasChaosTests.checkEndState(
            snapshot: snapshot, images: .table(images), submitted: submitted, reference: reference,
            maxAttempts: ChaosTests.maxJobAttempts, allowAttemptLimitErrors: false,
            handOuts: Dictionary(
                cluster.allLogLines("job handed out", prefix: "writer-").compactMap { $0["audit_id"]?.stringValue }.map { ($0, 1) },
                uniquingKeysWith: +),
            checks: checks)
        checks.expect(figures.screenshots > 0, "no screenshot was checked")
        checks.expect(figures.events > 0, "no event was checked")
        checks.expect(snapshot.processedEventRows < snapshot.loggedEvents,
                      "processed_events was never pruned (\(snapshot.processedEventRows) rows for \(snapshot.loggedEvents) applied events)")
        return figures
    }
}

// MARK: - The cluster under test

/// Two writers (`a` and `b`), each on fixed ports of its own and a data folder of its own, both on
/// one PostgreSQL database, and named runners each with its own data folder (outbox). Owned by one
/// test task.
final class PostgresChaosCluster {
    static let writerNames = ["a", "b"]

    let root: URL
    let logs: URL
    let database: PostgresCluster
    let databaseName: String
    /// Writer name → (queries, runners, feed) ports, the same on every restart.
    private var ports: [String: (queries: Int, runners: Int, feed: Int)] = [:]
    private(set) var writers: [String: ChaosProcess] = [:]
    private(set) var writerStarts = 0
    private(set) var runners: [String: ChaosProcess] = [:]
    private var runnerStarts: [String: Int] = [:]
    /// Every process ever started, for cleanup.
    private var started: [ChaosProcess] = []

    init(root: URL, database: PostgresCluster, databaseName: String) throws {
        self.root = root
        logs = root.appendingPathComponent("logs", isDirectory: true)
        self.database = database
        self.databaseName = databaseName
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let picked = try LoopbackPorts.pick(3 * Self.writerNames.count)
        for (index, name) in Self.writerNames.enumerated() {
            ports[name] = (picked[3 * index], picked[3 * index + 1], picked[3 * index + 2])
        }
    }

    func queriesEndpoint(_ name: String) -> String { "tcp://127.0.0.1:\(port(name).queries)" }
    func runnersEndpoint(_ name: String) -> String { "tcp://127.0.0.1:\(port(name).runners)" }
    func writerData(_ name: String) -> URL { root.appendingPathComponent("writer-\(name)-data", isDirectory: true) }

    private func port(_ name: String) -> (queries: Int, runners: Int, feed: Int) {
        guard let port = ports[name] else { preconditionFailure("no writer \(name)") }
        return port
    }

    /// `SELECT` of one whole number from the database.
    func scalar(_ sql: String) throws -> Int {
        let text = try database.psql(sql, database: databaseName).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw ChaosFailure("`\(sql)` gave \(text), not a number") }
        return value
    }

    /// SIGKILL every child still running (every exit path of a test ends here).
    func stopAll() {
        for process in started { process.forceStop() }
    }

    private var baseEnvironment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "VERITAS_LOG_FORMAT": "json", "VERITAS_LOG_LEVEL": "info"]
    }

    // MARK: Writers

    /// Starts writer `name` on its ports and data folder and waits for "writer ready". A port still
    /// taken (the killed writer's, not yet released) is retried for a while.
    func startWriter(_ name: String) async throws {
        precondition(writers[name]?.isRunning != true, "writer \(name) is already running")
        let executable = try #require(ChaosExecutables.writer)
        let deadline = ContinuousClock.now + .seconds(20)
        var attempt = 0
        while true {
            attempt += 1
            writerStarts += 1
            var environment = baseEnvironment.merging(ChaosTests.writerSettings) { $1 }
            environment["VERITAS_WRITER_ID"] = "chaos-writer-\(name)"
            environment["VERITAS_QUERIES_ENDPOINT"] = queriesEndpoint(name)
            environment["VERITAS_RUNNERS_ENDPOINT"] = runnersEndpoint(name)
            environment["VERITAS_FEED_ENDPOINT"] = "tcp://127.0.0.1:\(port(name).feed)"
            environment["VERITAS_DATA_DIR"] = writerData(name).path
            environment["VERITAS_DB_BACKEND"] = "postgres"
            environment["VERITAS_DATABASE_URL"] = database.url(database: databaseName) + "?sslmode=disable"
            environment["VERITAS_DATABASE_TIMEOUT_MS"] = String(PostgresChaosTests.databaseTimeoutMilliseconds)
            let process = try ChaosProcess(
                name: "writer-\(name)-\(writerStarts)", executable: executable, environment: environment, directory: root, logs: logs)
            started.append(process)
            if let ready = try await process.waitForLog("writer ready", timeout: .seconds(20)) {
                guard ready["runners"]?.stringValue == runnersEndpoint(name) else {
                    throw ChaosFailure("writer \(name) ready on \(ready["runners"]?.stringValue ?? "?"), expected \(runnersEndpoint(name))")
                }
                writers[name] = process
                return
            }
            process.forceStop()
            guard process.stderr.contains("in use"), ContinuousClock.now < deadline else {
                throw ChaosFailure("\(process.name) did not start (attempt \(attempt)); log:\n\(process.stderr.suffix(4_000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `kill -9` of writer `name`.
    func killWriter(_ name: String) async throws {
        guard let process = writers.removeValue(forKey: name) else { return }
        try await process.kill9()
    }

    /// SIGTERM; returns the exit status (`nil`: did not stop within `timeout`, then killed).
    func terminateWriter(_ name: String, timeout: Duration = .seconds(15)) async throws -> Int32? {
        guard let process = writers.removeValue(forKey: name) else { return nil }
        let status = try await process.terminate(timeout: timeout)
        if status == nil { process.forceStop() }
        return status
    }

    // MARK: Runners

    func runnerData(_ id: String) -> URL { root.appendingPathComponent(id, isDirectory: true) }
    func outboxPath(_ id: String) -> String { runnerData(id).appendingPathComponent("outbox.sqlite").path }

    /// Starts runner `id` with the runners endpoints of `writers`, in that order.
    func startRunner(_ id: String, writers names: [String]) async throws {
        precondition(runners[id]?.isRunning != true, "runner \(id) is already running")
        let executable = try #require(ChaosExecutables.runner)
        let count = (runnerStarts[id] ?? 0) + 1
        runnerStarts[id] = count
        let process = try ChaosProcess.runner(
            id, start: count, writers: names.map(runnersEndpoint), executable: executable,
            environment: baseEnvironment.merging(ChaosTests.runnerSettings) { $1 }, dataFolder: runnerData(id), root: root, logs: logs)
        started.append(process)
        runners[id] = process
        try await process.waitUntilRunnerStarted()
    }

    /// `kill -9` of runner `id`.
    func killRunner(_ id: String) async throws {
        guard let process = runners.removeValue(forKey: id) else { return }
        try await process.kill9()
    }

    var liveRunnerIDs: [String] { runners.keys.sorted() }

    /// Every log line of every process started so far whose name starts with `prefix`, with this `msg`.
    func allLogLines(_ message: String, prefix: String) -> [JSONValue] {
        started.filter { $0.name.hasPrefix(prefix) }.flatMap { $0.logLines(message) }
    }
}

// MARK: - Reading the database

/// Every event the writers apply, kept by the test in the database itself: the writers forget ended
/// audits' ids in `processed_events`, and the checks still need each audit's whole event history.
/// A trigger on `processed_events` copies each inserted row (an id that is forgotten, resent and
/// applied again is logged once: the log is keyed by event id too). As ``ChaosEventLog`` for SQLite.
enum PostgresEventLog {
    static let table = ChaosEventLog.table

    /// Adds the log and its trigger (idempotent); run once the first writer has created the schema
    /// and before any runner can send an event.
    static func install(on cluster: PostgresCluster, database: String) throws {
        try cluster.psql("""
            CREATE TABLE IF NOT EXISTS \(table) (
                event_id TEXT COLLATE "C" PRIMARY KEY, audit_id TEXT COLLATE "C" NOT NULL, event TEXT NOT NULL, seq BIGINT NOT NULL
            );
            CREATE OR REPLACE FUNCTION chaos_log_applied_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO \(table) (event_id, audit_id, event, seq) VALUES (NEW.event_id, NEW.audit_id, NEW.event, NEW.seq)
                ON CONFLICT (event_id) DO NOTHING;
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS chaos_log_applied_event ON processed_events;
            CREATE TRIGGER chaos_log_applied_event AFTER INSERT ON processed_events
                FOR EACH ROW EXECUTE FUNCTION chaos_log_applied_event();
            """, database: database)
    }

    /// Every row of `screenshot_images`, bytes included, by sha256.
    static func images(on cluster: PostgresCluster, database: String) throws -> [String: StoredImage] {
        let json = try cluster.psql("""
            SELECT coalesce(json_agg(json_build_object(
                'sha256', sha256, 'size_bytes', size_bytes,
                'bytes', translate(encode(bytes, 'base64'), E'\\n', ''))), '[]') FROM screenshot_images
            """, database: database)
        struct Row: Decodable {
            let sha256: String
            let sizeBytes: Int
            let bytes: String
        }
        var images: [String: StoredImage] = [:]
        for row in try PostgresJSON.decode([Row].self, from: json) {
            guard let bytes = Data(base64Encoded: row.bytes) else { throw ChaosFailure("image \(row.sha256): its bytes came back unreadable") }
            images[row.sha256] = StoredImage(sha256: row.sha256, recordedSize: row.sizeBytes, bytes: bytes)
        }
        return images
    }
}

/// `psql`'s JSON output decoded (keys in snake_case).
enum PostgresJSON {
    static func decode<T: Decodable>(_ type: T.Type, from output: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(output.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }
}

extension DatabaseSnapshot {
    /// Reads every table of a PostgreSQL writers' database in one statement (one consistent
    /// snapshot), as ``read(_:)`` reads a SQLite file.
    static func read(from cluster: PostgresCluster, database: String) throws -> DatabaseSnapshot {
        let json = try cluster.psql("""
            SELECT json_build_object(
                'audits', (SELECT coalesce(json_agg(a), '[]') FROM (
                    SELECT id, url, status, trust_score, risk_level, site_type, signal_scores, error_message, attempts FROM audits) a),
                'findings', (SELECT coalesce(json_agg(f), '[]') FROM (
                    SELECT audit_id, category, pattern_type, severity, evidence FROM audit_findings) f),
                'screenshots', (SELECT coalesce(json_agg(s ORDER BY s.index_num), '[]') FROM (
                    SELECT audit_id, file_path, file_size_bytes, sha256, index_num FROM audit_screenshots) s),
                'events', (SELECT coalesce(json_agg(e ORDER BY e.event_id), '[]') FROM (
                    SELECT event_id, audit_id, event, seq FROM \(PostgresEventLog.table)) e),
                'jobs', (SELECT coalesce(json_agg(j), '[]') FROM (SELECT state, audit_id FROM jobs) j),
                'processed_events', (SELECT count(*) FROM processed_events))
            """, database: database)
        struct Rows: Decodable {
            struct Audit: Decodable {
                let id: String, url: String, status: String
                let trustScore: Int?
                let riskLevel: String?, siteType: String?, signalScores: String?, errorMessage: String?
                let attempts: Int
            }
            struct Finding: Decodable { let auditId: String, category: String, patternType: String, severity: String, evidence: String }
            struct Screenshot: Decodable {
                let auditId: String, filePath: String
                let fileSizeBytes: Int
                let sha256: String
                let indexNum: Int
            }
            struct Event: Decodable {
                let eventId: String, auditId: String, event: String
                let seq: Int
            }
            struct Job: Decodable { let state: String, auditId: String }
            let audits: [Audit]
            let findings: [Finding]
            let screenshots: [Screenshot]
            let events: [Event]
            let jobs: [Job]
            let processedEvents: Int
        }
        let rows = try PostgresJSON.decode(Rows.self, from: json)
        var snapshot = DatabaseSnapshot()
        var findings: [String: [String]] = [:]
        for row in rows.findings {
            findings[row.auditId, default: []].append("\(row.category)/\(row.patternType)/\(row.severity)/\(row.evidence)")
        }
        var screenshots: [String: [(path: String, size: Int, sha256: String, index: Int)]] = [:]
        for row in rows.screenshots {
            screenshots[row.auditId, default: []].append((row.filePath, row.fileSizeBytes, row.sha256, row.indexNum))
        }
        var events: [String: [StoredEventRow]] = [:]
        for row in rows.events {
            events[row.auditId, default: []].append(StoredEventRow(eventID: row.eventId, name: row.event, seq: row.seq))
        }
        snapshot.loggedEvents = rows.events.count
        snapshot.processedEventRows = rows.processedEvents
        for row in rows.audits {
            snapshot.audits[row.id] = AuditRecord(
                id: row.id, url: row.url, status: row.status, trustScore: row.trustScore, riskLevel: row.riskLevel,
                siteType: row.siteType, signalScores: row.signalScores, errorMessage: row.errorMessage,
                attempts: row.attempts, findings: (findings[row.id] ?? []).sorted(), screenshots: screenshots[row.id] ?? [],
                events: events[row.id] ?? [])
        }
        snapshot.jobs = rows.jobs.map { ($0.state, $0.auditId) }
        snapshot.orphanEvents = events.keys.filter { snapshot.audits[$0] == nil }.reduce(0) { $0 + (events[$1]?.count ?? 0) }
        snapshot.orphanChildren = findings.keys.filter { snapshot.audits[$0] == nil }.count
            + screenshots.keys.filter { snapshot.audits[$0] == nil }.count
        return snapshot
    }
}
