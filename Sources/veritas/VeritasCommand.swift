import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// `veritas`: the command-line client.
///
/// Thin by design: each subcommand parses its arguments, calls ``WriterClient`` or
/// ``FeedWatcher`` and prints the result; the protocol lives in `VeritasClient`. `analyze` is the
/// exception: it runs the runner's audit engine (`VeritasRunner`) in this process.
@main
struct VeritasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas",
        abstract: "Veritas client: submit audits, query results, watch progress.",
        discussion: """
            Talks to a writer's queries endpoint (--writer, env VERITAS_WRITER, default \
            \(DefaultEndpoints.queriesConnect)) and, for watch and submit --wait, its feed \
            (--feed, env VERITAS_FEED, default \(DefaultEndpoints.feedConnect)). --json prints \
            the writer's reply objects as they arrived instead of tables. analyze needs no writer: \
            it audits URLs and files in this process.

            \(VeritasExitStatus.helpSection)
            """,
        version: VeritasVersion.current,
        subcommands: [
            SubmitCommand.self, StatusCommand.self, ListCommand.self, FindingsCommand.self,
            ScreenshotsCommand.self, WatchCommand.self, HealthCommand.self, KeygenCommand.self, DemoCommand.self, SitesCommand.self,
            AnalyzeCommand.self, ReportCommand.self,
        ]
    )

    /// ArgumentParser's own main, except that usage errors exit with
    /// ``VeritasExitStatus/usage`` (2) instead of `EX_USAGE` (64), and a ``ClientError`` or
    /// ``CommandFailure`` is printed once and mapped to its documented code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ClientError {
            fail(VeritasExitStatus(error), code: Self.code(of: error), message: error.description)
        } catch let failure as CommandFailure {
            fail(failure.status, code: failure.status.name, message: failure.message)
        } catch {
            if exitCode(for: error) == .validationFailure {
                if wantsJSON { fail(.usage, code: "usage", message: fullMessage(for: error)) }
                Console.usageError(fullMessage(for: error))
                Foundation.exit(VeritasExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }

    /// `--json` anywhere on the command line: errors are JSON on stdout too, so a script reads
    /// one stream (`{"ok": false, "error": {"code", "message"}, "exit": N}`, the writer's error
    /// shape plus the exit code); the exit codes are the same.
    private static var wantsJSON: Bool { CommandLine.arguments.dropFirst().contains("--json") }

    private static func fail(_ status: VeritasExitStatus, code: String, message: String) -> Never {
        if wantsJSON {
            let reply: JSONValue = ["ok": false, "error": ["code": .string(code), "message": .string(message)], "exit": .number(Double(status.rawValue))]
            Console.json(reply.encoded())
        } else {
            Console.error(message)
        }
        Foundation.exit(status.rawValue)
    }

    /// The error's code as the protocol names it, or the client's own name for it.
    private static func code(of error: ClientError) -> String {
        switch error.code {
        case .server(let code): code.rawValue
        case .unreachable: "unreachable"
        case .timeout: "timeout"
        case .badReply: "bad_reply"
        }
    }
}
