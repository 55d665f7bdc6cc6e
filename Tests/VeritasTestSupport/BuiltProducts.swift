import Foundation

/// The package's executables (`veritas`, `veritas-writer`, `veritas-runner`), found next to the
/// test bundle: SwiftPM puts every product of a build in one folder, e.g. `.build/debug/`.
public enum BuiltProducts {
    /// The executable `name`, or `nil` when it was not built.
    public static func url(_ name: String) -> URL? {
        var folders: [URL] = []
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let executableURL = Bundle.main.executableURL { folders.append(executableURL.deletingLastPathComponent()) }
        // macOS: <products>/VeritasPackageTests.xctest/Contents/MacOS/<binary>.
        folders += folders.map { $0.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// How a run ended, and what it printed.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `name arguments...` to completion on a thread of its own (never blocking the
    /// cooperative pool an in-process writer runs on). The environment is this process's without
    /// any `VERITAS_*` variable or `USE_DB_PERSISTENCE`, plus `environment`. With a `launcher`
    /// (e.g. `["/usr/sbin/ip", "netns", "exec", "host-1"]`) the executable runs through it.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], launcher: [String] = []
    ) async throws -> Outcome {
        guard let executable = url(name) else { throw SpawnError(description: "\(name) was not built next to the tests") }
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VERITAS_") && $0.key != "USE_DB_PERSISTENCE" }
                merged.merge(environment) { $1 }
                let base = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-run-\(UUID().uuidString)")
                let out = base.appendingPathExtension("out")
                let err = base.appendingPathExtension("err")
                defer {
                    try? FileManager.default.removeItem(at: out)
                    try? FileManager.default.removeItem(at: err)
                }
                do {
                    let program = launcher.first ?? executable.path
                    let words = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [executable.path] + arguments
                    let child = try SpawnedProcess(executable: program, arguments: words, environment: merged, stdout: out, stderr: err)
                    let status = child.waitForExit()
                    continuation.resume(returning: Outcome(status: status, stdout: child.stdout, stderr: child.stderr))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}
