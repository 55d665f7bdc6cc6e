import Crypto
import Foundation
import GRDB
import Testing
import VeritasTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `veritas demo` as a user runs it: the built executable, which starts a real writer and two
/// real runners, audits the bundled sample sites and stops every child at the end.
@Suite("veritas demo", .serialized)
struct DemoTests {
    /// `veritas` next to the test bundle, when the writer and runner it starts were built too.
    static let executable: URL? = ["veritas-writer", "veritas-runner"].allSatisfy { BuiltProducts.url($0) != nil }
        ? BuiltProducts.url("veritas") : nil

    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `veritas demo --no-keep-running --data-dir <data>`, stdout and stderr to files.
    static func demo(data: URL, scratch: URL, name: String, environment: [String: String] = [:]) async throws -> Run {
        let executable = try #require(executable)
        let out = scratch.appendingPathComponent("\(name).out")
        let err = scratch.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = try SpawnedProcess(
            executable: executable.path,
            arguments: ["demo", "--no-keep-running", "--data-dir", data.path, "--timeout", "80"],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, stdout: out, stderr: err)
        let deadline = ContinuousClock.now + .seconds(100)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.signal(SIGINT)
            try await Task.sleep(for: .seconds(12))
            if process.isRunning { process.signal(SIGKILL) }
            Issue.record("veritas demo did not finish within 100 s")
        }
        let status = await Task.detached { process.waitForExit() }.value
        return Run(
            status: status,
            output: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Processes whose command line mentions `folder` (the demo's children use it as data folder).
    static func processes(mentioning folder: URL) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(folder.path) ? "\(pid): \(line)" : nil
        }
    }

    /// The trust score in the summary row of `url`: `SITE URL STATUS TRUST ...`, `76/100`.
    static func trustScore(of url: String, in output: String) -> Int? {
        for line in output.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count >= 4, cells[1] == url, cells[2] == "completed" else { continue }
            return Int(cells[3].split(separator: "/").first ?? "")
        }
        return nil
    }

    /// Checks what every run prints; returns the two sample-site URLs.
    @discardableResult
    static func checkOutput(_ run: Run) throws -> (honest: String, pressure: String) {
        #expect(run.status == 0, "exit \(run.status)\nstdout:\n\(run.output)\nstderr:\n\(run.errors)")
        let urls = run.output.split(separator: "\n").compactMap { line -> String? in
            line.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init)
        }
        let honest = try #require(urls.first { $0.hasSuffix("/honest-shop/") }, "no honest-shop URL in:\n\(run.output)")
        let pressure = try #require(urls.first { $0.hasSuffix("/pressure-shop/") }, "no pressure-shop URL in:\n\(run.output)")
        let honestScore = try #require(trustScore(of: honest, in: run.output), "no trust score for \(honest) in:\n\(run.output)")
        let pressureScore = try #require(trustScore(of: pressure, in: run.output), "no trust score for \(pressure) in:\n\(run.output)")
        #expect(honestScore > pressureScore, "honest \(honestScore) vs pressure \(pressureScore)")
        #expect(run.output.contains("veritas status "))
        return (honest, pressure)
    }

    static func checkRun(_ run: Run, data: URL, expectedAudits: Int) throws {
        let (honest, pressure) = try checkOutput(run)
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: data.appendingPathComponent("veritas.sqlite").path, configuration: configuration)
        try database.read { db in
            let completed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audits WHERE status = 'completed'") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audits") ?? 0
            #expect(completed == expectedAudits)
            #expect(total == expectedAudits)
            let pressureFindings = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM audit_findings f JOIN audits a ON a.id = f.audit_id WHERE a.url = ?", arguments: [pressure]) ?? 0
            #expect(pressureFindings >= 3)
            let honestFindings = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM audit_findings f JOIN audits a ON a.id = f.audit_id WHERE a.url = ?", arguments: [honest]) ?? 0
            #expect(honestFindings == 0)
            // Screenshots (make test installs Chromium): every completed audit has one, its file
            // exists with the recorded size and SHA-256.
            let shots = try Row.fetchAll(db, sql: "SELECT audit_id, file_path, file_size_bytes, sha256 FROM audit_screenshots")
            #expect(shots.count >= expectedAudits, "screenshot rows: \(shots.count)")
            for shot in shots {
                let file = data.appendingPathComponent(shot["file_path"] as String)
                let bytes = try Data(contentsOf: file)
                #expect(bytes.count == (shot["file_size_bytes"] as Int))
                let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                #expect(digest == (shot["sha256"] as String), "\(file.path)")
            }
        }
        try database.close()
    }

    @Test("runs writer + two runners, audits both sample sites, stops every child; twice on one folder",
          .timeLimit(.minutes(2)),
          .enabled(if: DemoTests.executable != nil, "veritas, veritas-writer and veritas-runner were not built next to the tests"))
    func demoTwice() async throws {
        let folder = try TemporaryFolder("veritas-demo")
        defer { folder.remove() }
        let data = folder.url.appendingPathComponent("data", isDirectory: true)

        let first = try await Self.demo(data: data, scratch: folder.url, name: "first")
        try Self.checkRun(first, data: data, expectedAudits: 2)
        #expect(Self.processes(mentioning: folder.url).isEmpty, "left running: \(Self.processes(mentioning: folder.url))")

        let second = try await Self.demo(data: data, scratch: folder.url, name: "second")
        try Self.checkRun(second, data: data, expectedAudits: 4)
        #expect(Self.processes(mentioning: folder.url).isEmpty, "left running: \(Self.processes(mentioning: folder.url))")

        // The results outlive the demo: a writer started on the same data answers `veritas status`.
        let executable = try #require(Self.executable)
        let folderOfTools = executable.deletingLastPathComponent()
        let writer = try SpawnedProcess(
            executable: folderOfTools.appendingPathComponent("veritas-writer").path,
            arguments: ["--data-dir", data.path, "--queries", "tcp://127.0.0.1:*", "--runners", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*"],
            environment: ["VERITAS_LOG_FORMAT": "json", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
            stdout: folder.url.appendingPathComponent("writer.out"), stderr: folder.url.appendingPathComponent("writer.err"))
        defer {
            writer.terminate()
            _ = writer.waitForExit()
        }
        var queries: String?
        let deadline = ContinuousClock.now + .seconds(15)
        while queries == nil, writer.isRunning, ContinuousClock.now < deadline {
            queries = writer.stderr.split(separator: "\n").lazy.compactMap { line -> String? in
                guard line.contains("\"writer ready\""), let range = line.range(of: #""queries":"([^"]+)""#, options: .regularExpression) else { return nil }
                return String(line[range].dropFirst(#""queries":""#.count).dropLast())
            }.first
            if queries == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let endpoint = try #require(queries, "the writer did not report ready: \(writer.stderr)")
        let id = try #require(
            second.output.split(separator: "\n").first { $0.contains("veritas status ") }?.split(separator: " ").last.map(String.init))
        let status = try await Self.veritas(["status", id, "--writer", endpoint], scratch: folder.url)
        #expect(status.status == 0, "veritas status: \(status.output) \(status.errors)")
        #expect(status.output.contains("completed"), "veritas status: \(status.output)")
    }

    @Test("with USE_DB_PERSISTENCE=false the same demo runs from memory and no database file is created",
          .timeLimit(.minutes(2)),
          .enabled(if: DemoTests.executable != nil, "veritas, veritas-writer and veritas-runner were not built next to the tests"))
    func demoFromMemory() async throws {
        let folder = try TemporaryFolder("veritas-demo-memory")
        defer { folder.remove() }
        let data = folder.url.appendingPathComponent("data", isDirectory: true)
        let run = try await Self.demo(data: data, scratch: folder.url, name: "memory", environment: ["USE_DB_PERSISTENCE": "false"])
        #expect(run.status == 0, "exit \(run.status)\nstdout:\n\(run.output)\nstderr:\n\(run.errors)")
        try Self.checkOutput(run)
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("veritas.sqlite").path))
        #expect(Self.processes(mentioning: folder.url).isEmpty, "left running: \(Self.processes(mentioning: folder.url))")
    }

    /// Runs `veritas arguments...` to completion.
    static func veritas(_ arguments: [String], scratch: URL) async throws -> Run {
        let executable = try #require(executable)
        let name = UUID().uuidString
        let process = try SpawnedProcess(
            executable: executable.path, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: scratch.appendingPathComponent("\(name).out"), stderr: scratch.appendingPathComponent("\(name).err"))
        let status = await Task.detached { process.waitForExit() }.value
        return Run(status: status, output: process.stdout, errors: process.stderr)
    }
}
