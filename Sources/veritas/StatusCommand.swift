import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas status ID`: one audit.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show one audit.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.status(auditID: id.id))
            guard case .audit(let audit) = response.reply else { throw CommandFailure(.failure, "unexpected reply to status") }
            if options.json {
                Console.json(response.json)
            } else {
                Console.line(Formatting.auditBlock(audit))
            }
        }
    }
}
