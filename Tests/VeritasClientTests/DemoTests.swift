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
    /// `veritas` next to the test bundle (SwiftPM puts every product of a build in one folder).
    static let executable: URL? = {
        var folders: [URL] = []
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        folders += folders.map { $0.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        for folder in folders {
            let candidate = folder.appendingPathComponent("veritas")
            let siblings = ["veritas-writer", "veritas-runner"].map { folder.appendingPathComponent($0).path }
            if FileManager.default.isExecutableFile(atPath: candidate.path), siblings.allSatisfy(FileManager.default.isExecutableFile(atPath:)) {
                return candidate
            }
        }
        return nil
    }()

    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `veritas demo --no-keep-running --data-dir <data>`, stdout and stderr to files.
    static func demo(data: URL, scratch: URL, name: String) async throws -> Run {
        let executable = try #require(executable)
        let out = scratch.appendingPathComponent("\(name).out")
        let err = scratch.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = try SpawnedProcess(
            executable: executable.path,
            arguments: ["demo", "--no-keep-running", "--data-dir", data.path, "--timeout", "80"],
            environment: ProcessInfo.processInfo.environment, stdout: out, stderr: err)
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

    static func checkRun(_ run: Run, data: URL, expectedAudits: Int) throws {
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
    }
}
