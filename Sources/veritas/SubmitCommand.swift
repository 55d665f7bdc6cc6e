import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas submit URL`: queue an audit, optionally following it to the end.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue an audit of a URL.",
        discussion: "Prints the new audit's id. With --wait, follows it like `veritas watch` and exits 6 if it ends in error."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The http(s) URL to audit.")
    var url: String

    @Option(help: "How thorough the audit is.")
    var tier: Tier = .standard

    @Option(help: "How the verdict is explained.")
    var verdictMode: VerdictMode = .simple

    @Flag(help: "Follow the audit's progress until it completes or fails.")
    var wait = false

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.submit(url: url, tier: tier, verdictMode: verdictMode))
            guard case .submitted(let audit) = response.reply else { throw CommandFailure(.failure, "unexpected reply to submit") }
            if options.json {
                Console.json(response.json)
            } else if wait {
                Console.line("submitted \(audit.id) (\(audit.status.rawValue)): \(audit.url)")
            } else {
                Console.line(audit.id.rawValue)
            }
            if wait {
                try await AuditFollower(options: options, client: client).follow(audit.id)
            }
        }
    }
}
