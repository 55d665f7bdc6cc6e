import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Settings

/// What a chaos run does, from the environment. The defaults keep `make test` short; `make chaos`
/// raises them for a soak.
///
/// - `VERITAS_CHAOS_SEED`: the fault schedule's seed (default: random, printed).
/// - `VERITAS_CHAOS_AUDITS`: audits submitted during the faults of each test (default 24).
/// - `VERITAS_CHAOS_WRITER_KILLS`: `kill -9`s of the writer (default 10, at least 1); the
///   PostgreSQL run (two writers, ``PostgresChaosTests``) makes half as many, at least 2.
/// - `VERITAS_CHAOS_RUNNER_KILLS`: `kill -9`s of runners (default 6, at least 2).
/// - `VERITAS_CHAOS_TIME_LIMIT_MINUTES`: each test's time limit (default 3).
/// - `VERITAS_CHAOS_KEEP=1`: keep the test's folder (logs, database, summary) even after a pass;
///   it is always kept after a failure.
/// - `VERITAS_CHAOS_SUMMARY_DIR`: also copy each test's summary JSON into this folder.
enum ChaosSettings {
    static let environment = ProcessInfo.processInfo.environment

    static func integer(_ key: String, default value: Int, minimum: Int) -> Int {
        guard let text = environment[key], !text.isEmpty else { return value }
        guard let parsed = Int(text) else {
            preconditionFailure("\(key)=\(text) is not a whole number")
        }
        return max(minimum, parsed)
    }

    static var audits: Int { integer("VERITAS_CHAOS_AUDITS", default: 24, minimum: 3) }
    static var writerKills: Int { integer("VERITAS_CHAOS_WRITER_KILLS", default: 10, minimum: 1) }
    static var runnerKills: Int { integer("VERITAS_CHAOS_RUNNER_KILLS", default: 6, minimum: 2) }
    static var timeLimitMinutes: Int { integer("VERITAS_CHAOS_TIME_LIMIT_MINUTES", default: 3, minimum: 1) }
    static var keepFolder: Bool { environment["VERITAS_CHAOS_KEEP"] == "1" }
    static var summaryDirectory: URL? {
        environment["VERITAS_CHAOS_SUMMARY_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
    }

    /// The seed from `VERITAS_CHAOS_SEED`, else a fresh one.
    static func seed() -> UInt64 {
        if let text = environment["VERITAS_CHAOS_SEED"], !text.isEmpty {
            guard let seed = UInt64(text) else { preconditionFailure("VERITAS_CHAOS_SEED=\(text) is not a whole number") }
            return seed
        }
        return UInt64.random(in: 1...UInt64(Int64.max))
    }
}

struct ChaosFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Executables and ports

enum ChaosExecutables {
    static let writer = BuiltProducts.url("veritas-writer")
    static let runner = BuiltProducts.url("veritas-runner")
    static var available: Bool { writer != nil && runner != nil }

    /// Headless Chromium on PATH (the runner's screenshots; `make deps` installs it).
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()
}

// MARK: - Child processes

extension ChaosProcess {
    /// A `veritas-runner` child with the id `id` (its `start`-th start), connecting to `writers`
    /// in that order, its outbox in `dataFolder`, and Chromium's scratch folders under `root`, so a
    /// killed runner leaves none behind.
    static func runner(
        _ id: String, start: Int, writers: [String], executable: URL, environment: [String: String], dataFolder: URL, root: URL, logs: URL
    ) throws -> ChaosProcess {
        let scratch = root.appendingPathComponent("\(id)-tmp", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var environment = environment
        environment["VERITAS_RUNNER_ID"] = id
        environment["VERITAS_WRITER_RUNNERS_ENDPOINTS"] = writers.joined(separator: ",")
        environment["VERITAS_RUNNER_DATA_DIR"] = dataFolder.path
        environment["TMPDIR"] = scratch.path
        environment["HOME"] = scratch.path
        return try ChaosProcess(name: "\(id)-\(start)", executable: executable, environment: environment, directory: root, logs: logs)
    }

    /// Waits (bounded) for a runner's "runner started"; throws with its log if it never comes.
    func waitUntilRunnerStarted() async throws {
        guard try await waitForLog("runner started", timeout: .seconds(20)) != nil else {
            throw ChaosFailure("\(name) did not start; log:\n\(stderr.suffix(4_000))")
        }
    }
}

/// A `veritas-writer` or `veritas-runner` child: JSON logs in a file, killed by pid.
final class ChaosProcess: Sendable {
    let name: String
    let process: SpawnedProcess

    init(name: String, executable: URL, environment: [String: String], directory: URL, logs: URL) throws {
        self.name = name
        // The working directory is the test's folder, which has no config/*.yaml: only the
        // environment given here applies.
        process = try SpawnedProcess(
            executable: executable.path, arguments: [], environment: environment, directory: directory,
            stdout: logs.appendingPathComponent("\(name).out"), stderr: logs.appendingPathComponent("\(name).log"))
    }

    var pid: pid_t { process.pid }
    var isRunning: Bool { process.isRunning }
    var stderr: String { process.stderr }

    /// Every JSON log line whose `msg` is `message`.
    func logLines(_ message: String) -> [JSONValue] { process.jsonLogLines(message) }

    /// Waits for a log line; `nil` when the process exits first or `timeout` passes.
    func waitForLog(_ message: String, timeout: Duration) async throws -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = logLines(message).first { return line }
            if !isRunning { return logLines(message).first }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// `kill -9`, then waits until the child is reaped.
    func kill9() async throws {
        guard isRunning else { return }
        process.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while isRunning {
            guard ContinuousClock.now < deadline else { throw ChaosFailure("\(name) (pid \(pid)) survived SIGKILL for 10 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// SIGTERM; the exit status, or `nil` if it is still running after `timeout`.
    func terminate(timeout: Duration) async throws -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.exitCode
    }

    /// Cleanup on any exit path: SIGKILL if still running, and reap.
    func forceStop() {
        if process.isRunning {
            process.signal(SIGKILL)
            _ = process.waitForExit()
        }
    }
}

// MARK: - The cluster under test

/// One writer data folder, one writer process at a time on fixed ports, and named runners each
/// with its own data folder (outbox). Owned by one test task.
final class ChaosCluster {
    let root: URL
    let logs: URL
    let writerData: URL
    private(set) var ports: (queries: Int, runners: Int, feed: Int)
    private(set) var writer: ChaosProcess?
    private(set) var writerStarts = 0
    private(set) var runners: [String: ChaosProcess] = [:]
    private var runnerStarts: [String: Int] = [:]
    /// Every process ever started, for cleanup.
    private var started: [ChaosProcess] = []
    let writerSettings: [String: String]
    let runnerSettings: [String: String]

    var queriesEndpoint: String { "tcp://127.0.0.1:\(ports.queries)" }
    var runnersEndpoint: String { "tcp://127.0.0.1:\(ports.runners)" }

    init(root: URL, writerSettings: [String: String], runnerSettings: [String: String]) throws {
        self.root = root
        logs = root.appendingPathComponent("logs", isDirectory: true)
        writerData = root.appendingPathComponent("writer-data", isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let picked = try LoopbackPorts.pick(3)
        ports = (picked[0], picked[1], picked[2])
        self.writerSettings = writerSettings
        self.runnerSettings = runnerSettings
    }

    /// SIGKILL every child still running (every exit path of a test ends here).
    func stopAll() {
        for process in started { process.forceStop() }
    }

    private var baseEnvironment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "VERITAS_LOG_FORMAT": "json", "VERITAS_LOG_LEVEL": "info"]
    }

    // MARK: Writer

    /// Starts the writer on the cluster's ports and data folder and waits for "writer ready".
    /// A port still taken (by a process outside the test) is retried on the same port for a
    /// while; before any runner exists, new ports are picked instead.
    @discardableResult
    func startWriter() async throws -> ChaosProcess {
        precondition(writer?.isRunning != true, "the writer is already running")
        let executable = try #require(ChaosExecutables.writer)
        let deadline = ContinuousClock.now + .seconds(20)
        var attempt = 0
        while true {
            attempt += 1
            writerStarts += 1
            var environment = baseEnvironment.merging(writerSettings) { $1 }
            environment["VERITAS_QUERIES_ENDPOINT"] = queriesEndpoint
            environment["VERITAS_RUNNERS_ENDPOINT"] = runnersEndpoint
            environment["VERITAS_FEED_ENDPOINT"] = "tcp://127.0.0.1:\(ports.feed)"
            environment["VERITAS_DATA_DIR"] = writerData.path
            let process = try ChaosProcess(
                name: "writer-\(writerStarts)", executable: executable, environment: environment, directory: root, logs: logs)
            started.append(process)
            if let ready = try await process.waitForLog("writer ready", timeout: .seconds(20)) {
                guard ready["runners"]?.stringValue == runnersEndpoint else {
                    throw ChaosFailure("writer ready on \(ready["runners"]?.stringValue ?? "?"), expected \(runnersEndpoint)")
                }
                writer = process
                // The schema exists once the writer is ready; no runner has been started yet.
                try ChaosEventLog.install(in: writerData.appendingPathComponent(ProtocolDefaults.databaseFileName).path)
                return process
            }
            process.forceStop()
            let portTaken = process.stderr.contains("in use")
            guard portTaken, ContinuousClock.now < deadline else {
                throw ChaosFailure("\(process.name) did not start (attempt \(attempt)); log:\n\(process.stderr.suffix(4_000))")
            }
            if runners.isEmpty && writerStarts == 1 {
                let picked = try LoopbackPorts.pick(3)
                ports = (picked[0], picked[1], picked[2])
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// `kill -9` of the writer.
    func killWriter() async throws {
        guard let writer else { return }
        try await writer.kill9()
        self.writer = nil
    }

    /// SIGTERM; returns the exit status (`nil`: did not stop within `timeout`, then killed).
    func terminateWriter(timeout: Duration = .seconds(15)) async throws -> Int32? {
        guard let writer else { return nil }
        let status = try await writer.terminate(timeout: timeout)
        if status == nil { writer.forceStop() }
        self.writer = nil
        return status
    }

    // MARK: Runners

    func runnerData(_ id: String) -> URL { root.appendingPathComponent(id, isDirectory: true) }
    func outboxPath(_ id: String) -> String { runnerData(id).appendingPathComponent("outbox.sqlite").path }

    /// Starts runner `id` (the same id and data folder on every restart, so its outbox is resent).
    @discardableResult
    func startRunner(_ id: String) async throws -> ChaosProcess {
        precondition(runners[id]?.isRunning != true, "runner \(id) is already running")
        let executable = try #require(ChaosExecutables.runner)
        let count = (runnerStarts[id] ?? 0) + 1
        runnerStarts[id] = count
        let environment = baseEnvironment.merging(runnerSettings) { $1 }
        let process = try ChaosProcess.runner(
            id, start: count, writers: [runnersEndpoint], executable: executable, environment: environment, dataFolder: runnerData(id),
            root: root, logs: logs)
        started.append(process)
        runners[id] = process
        try await process.waitUntilRunnerStarted()
        return process
    }

    /// `kill -9` of runner `id`.
    func killRunner(_ id: String) async throws {
        guard let process = runners[id] else { return }
        try await process.kill9()
        runners[id] = nil
    }

    var liveRunnerIDs: [String] { runners.keys.sorted() }

    /// Every log line of every process started so far with this `msg`.
    func allLogLines(_ message: String, prefix: String) -> [JSONValue] {
        started.filter { $0.name.hasPrefix(prefix) }.flatMap { $0.logLines(message) }
    }
}

// MARK: - Summary

/// The figures of one chaos test: printed as one line, and written as JSON.
struct ChaosSummary {
    let test: String
    let seed: UInt64
    private(set) var figures: [(String, Double)] = []

    init(test: String, seed: UInt64) {
        self.test = test
        self.seed = seed
    }

    mutating func set(_ name: String, _ value: Int) { set(name, Double(value)) }
    mutating func set(_ name: String, _ value: Double) {
        figures.removeAll { $0.0 == name }
        figures.append((name, value))
    }

    var line: String {
        let values = figures.map { name, value in
            value.rounded() == value ? "\(name)=\(Int(value))" : "\(name)=\(String(format: "%.1f", value))"
        }
        return "CHAOS SUMMARY test=\(test) seed=\(seed) " + values.joined(separator: " ")
    }

    var json: JSONValue {
        var object: [String: JSONValue] = ["test": .string(test), "seed": .string(String(seed))]
        for (name, value) in figures { object[name] = .number(value) }
        return .object(object)
    }

    /// Writes `summary.json` into `folder` (and into `VERITAS_CHAOS_SUMMARY_DIR`); returns its path.
    func write(into folder: URL) throws -> URL {
        let data = json.encoded()
        let file = folder.appendingPathComponent("summary-\(test).json")
        try data.write(to: file)
        if let extra = ChaosSettings.summaryDirectory {
            try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
            try data.write(to: extra.appendingPathComponent("\(test)-\(seed).json"))
        }
        return file
    }
}

/// A test's folder: removed at the end unless the test failed or `VERITAS_CHAOS_KEEP=1`.
struct ChaosFolder {
    let url: URL

    init(_ test: String) throws {
        // Short: Chromium puts a Unix socket under the runners' TMPDIR (inside this folder), and
        // socket paths are limited to 107 bytes ("Socket path too long" aborts Chromium).
        let suffix = UUID().uuidString.prefix(8).lowercased()
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vchaos-\(test)-\(suffix)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func finish(failed: Bool) {
        if failed || ChaosSettings.keepFolder {
            print("chaos: kept \(url.path)\(failed ? " (the test failed: logs, database and outboxes are there)" : "")")
        } else {
            try? FileManager.default.removeItem(at: url)
        }
    }
}
