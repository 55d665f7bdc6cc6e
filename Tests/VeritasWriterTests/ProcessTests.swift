import Foundation
import Synchronization
import Testing
import VeritasProtocol
import VeritasTestSupport

/// The real `veritas-writer` executable: start-up log, a submit through it, SIGTERM → exit 0,
/// restart on the same folder, `--help`.
@Suite("veritas-writer process", .timeLimit(.minutes(1)))
struct ProcessTests {
    /// `veritas-writer` next to the test bundle.
    static let executable = BuiltProducts.url("veritas-writer")

    /// A `veritas-writer` child process, its output in files next to the test's data.
    final class WriterProcess: Sendable {
        enum Reason { case exit, uncaughtSignal }
        let process: SpawnedProcess

        init(arguments: [String], directory: URL, environment: [String: String] = [:]) throws {
            guard let executable = ProcessTests.executable else { throw HarnessError("veritas-writer executable not found next to the tests") }
            var env = ProcessInfo.processInfo.environment
            for key in env.keys where key.hasPrefix("VERITAS_") || key == "USE_DB_PERSISTENCE" { env[key] = nil }
            env.merge(environment) { _, new in new }
            let name = "writer-\(UUID().uuidString)"
            // The working directory has no config/writer.yaml, so only flags and env apply.
            process = try SpawnedProcess(
                executable: executable.path, arguments: arguments, environment: env, directory: directory,
                stdout: directory.appendingPathComponent("\(name).out"), stderr: directory.appendingPathComponent("\(name).err"))
        }

        var stderrLines: [String] { process.stderr.split(separator: "\n").map(String.init) }
        var stdout: String { process.stdout }

        /// The first JSON log line whose `msg` is `message`.
        func logLine(_ message: String) -> JSONValue? { process.jsonLogLines(message).first }

        /// Waits for the "writer ready" line and returns the endpoints it names.
        func waitUntilReady(timeout: Duration = .seconds(10)) async throws -> (queries: String, runners: String, feed: String) {
            let ready = try await eventually(timeout: timeout) { logLine("writer ready") != nil || !process.isRunning }
            guard ready, let line = logLine("writer ready") else {
                throw HarnessError("no 'writer ready' line; stderr:\n\(stderrLines.joined(separator: "\n"))")
            }
            guard let queries = line["queries"]?.stringValue, let runners = line["runners"]?.stringValue, let feed = line["feed"]?.stringValue else {
                throw HarnessError("'writer ready' line without endpoints: \(line)")
            }
            return (queries, runners, feed)
        }

        /// Waits for the process to exit; `nil` if it is still running after `timeout`.
        func waitForExit(timeout: Duration) async throws -> (reason: Reason, status: Int32)? {
            guard try await eventually(timeout: timeout, { !process.isRunning }) else { return nil }
            let code = process.exitCode ?? process.waitForExit()
            return code >= 128 ? (.uncaughtSignal, code - 128) : (.exit, code)
        }

        /// Kills the process if it is still running (cleanup after a failure).
        func kill() {
            if process.isRunning {
                process.signal(SIGKILL)
                _ = process.waitForExit()
            }
        }
    }

    static let ephemeral = ["--queries", "tcp://127.0.0.1:*", "--runners", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*"]

    @Test("start, log ready as JSON, submit, SIGTERM → exit 0 within 5 s; restart on the same folder keeps the audit",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func startSubmitTerminateRestart() async throws {
        try await TestBed.run { bed in
            let data = bed.root.appendingPathComponent("process-data", isDirectory: true)
            let arguments = Self.ephemeral + ["--data-dir", data.path]

            let first = try WriterProcess(arguments: arguments, directory: bed.root, environment: ["VERITAS_LOG_FORMAT": "json"])
            defer { first.kill() }
            let endpoints = try await first.waitUntilReady()
            #expect(endpoints.queries.hasPrefix("tcp://127.0.0.1:"))
            #expect(!endpoints.queries.hasSuffix(":*"), "the ready line names the bound port")
            let ready = try #require(first.logLine("writer ready"))
            #expect(ready["level"]?.stringValue == "info")
            #expect(ready["ts"]?.stringValue != nil)
            #expect(ready["persistence"]?.stringValue == "true")
            #expect(first.stderrLines.allSatisfy { (try? JSONValue.decode(Data($0.utf8))) != nil }, "every log line is JSON")

            let client = try bed.client(endpoint: endpoints.queries)
            let audit = try await client.submit(url: "https://process.example/")
            #expect(try await client.status(audit.id).status == .queued)

            first.process.terminate()   // SIGTERM
            let exit = try #require(try await first.waitForExit(timeout: .seconds(5)), "still running 5 s after SIGTERM")
            #expect(exit.reason == .exit)
            #expect(exit.status == 0)
            #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("veritas.sqlite").path))

            let second = try WriterProcess(arguments: arguments, directory: bed.root, environment: ["VERITAS_LOG_FORMAT": "json"])
            defer { second.kill() }
            let again = try await second.waitUntilReady()
            let secondClient = try bed.client(endpoint: again.queries)
            let stored = try await secondClient.status(audit.id)
            #expect(stored.status == .queued)
            #expect(stored.url == "https://process.example/")
            #expect(stored.source == .database)
            second.process.terminate()
            let secondExit = try #require(try await second.waitForExit(timeout: .seconds(5)))
            #expect(secondExit.status == 0)
        }
    }

    @Test("--help exits 0 and mentions USE_DB_PERSISTENCE",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func help() async throws {
        try await TestBed.run { bed in
            let process = try WriterProcess(arguments: ["--help"], directory: bed.root)
            defer { process.kill() }
            let exit = try #require(try await process.waitForExit(timeout: .seconds(5)))
            #expect(exit.reason == .exit)
            #expect(exit.status == 0)
            // The reader thread may still be draining the pipe.
            #expect(try await eventually { process.stdout.contains("USE_DB_PERSISTENCE") }, "help output: \(process.stdout)")
            #expect(process.stdout.contains("--data-dir"))
        }
    }

    @Test("a bad setting stops the process with a non-zero status and names the key",
          .enabled(if: ProcessTests.executable != nil, "veritas-writer was not built next to the tests"))
    func badSettingExitsNonZero() async throws {
        try await TestBed.run { bed in
            let process = try WriterProcess(
                arguments: Self.ephemeral + ["--data-dir", bed.root.appendingPathComponent("d").path],
                directory: bed.root, environment: ["USE_DB_PERSISTENCE": "perhaps"])
            defer { process.kill() }
            let exit = try #require(try await process.waitForExit(timeout: .seconds(5)))
            #expect(exit.status != 0)
            #expect(try await eventually { process.stderrLines.joined().contains("persistence.enabled") }, "stderr: \(process.stderrLines)")
        }
    }
}
