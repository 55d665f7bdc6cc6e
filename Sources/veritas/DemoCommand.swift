import ArgumentParser
import Foundation
import VeritasDemo

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `veritas demo`: the whole system on loopback, offline, auditing the bundled sample sites.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a writer and two runners on loopback and audit the bundled sample sites.",
        discussion: """
            Starts veritas-writer and two veritas-runner processes (found next to this veritas) on \
            free loopback ports with the embedded SQLite database in --data-dir, serves an honest \
            shop and a shop full of dark patterns on 127.0.0.1, audits both with live progress and \
            prints a summary and how to query the results. Logs go to <data-dir>/logs/. Ctrl-C stops \
            every child process at any point. Exits 0 when both audits completed, 1 when the demo \
            failed, 130 when interrupted before the end.
            """
    )

    @Flag(
        inversion: .prefixedNo,
        help: "Keep the writer and runners running after the summary, until Ctrl-C (default: when stdin is a terminal).")
    var keepRunning: Bool?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data folder (database, screenshots, runner outboxes, logs).", valueName: "dir"))
    var dataDirectory: String = "data"

    @Option(help: ArgumentHelp("Seconds the audits may take before the demo gives up.", valueName: "seconds"))
    var timeout: Double = 90

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600 seconds; got \(timeout)")
        }
        guard !dataDirectory.isEmpty else { throw ValidationError("--data-dir must not be empty") }
    }

    func run() async throws {
        let options = DemoOrchestrator.Options(
            dataDirectory: dataDirectory,
            keepRunning: keepRunning ?? (isatty(STDIN_FILENO) != 0),
            timeout: .milliseconds(Int64((timeout * 1000).rounded(.up))))
        let outcome = await DemoOrchestrator(options: options).run()
        if outcome != .success { throw ExitCode(outcome.rawValue) }
    }
}
