import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas watch ID`: a live progress bar, then the verdict.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow an audit's progress live, then show its verdict.",
        discussion: "Exits 0 when the audit completes and 6 when it ends in error (at once if it already has)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    func run() async throws {
        try await options.withClient { client in
            let audit = try await AuditFollower(options: options, client: client).follow(id.id)
            if audit.status == .error { throw ExitCode(VeritasExitStatus.auditFailed.rawValue) }
        }
    }
}
