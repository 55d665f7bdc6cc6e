import Foundation
import VeritasTestSupport

/// The built executables, next to the test bundle (SwiftPM puts every product of a build in one
/// folder, e.g. `.build/debug/`).
enum Executables {
    static let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static var available: Bool {
        ["veritas", "veritas-writer", "veritas-runner"].allSatisfy { FileManager.default.isExecutableFile(atPath: path($0)) }
    }
}

/// Runs a built executable to completion on a thread of its own.
enum VeritasProcess {
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(
        _ arguments: [String], executable: String = "veritas", environment: [String: String] = [:], prefix: [String] = []
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
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
                    let program = prefix.first ?? Executables.path(executable)
                    let words = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [Executables.path(executable)] + arguments
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
