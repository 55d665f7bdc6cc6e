import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// `veritas findings ID`: the dark patterns an audit found.
struct FindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings", abstract: "Show the dark patterns an audit found, with evidence.",
        discussion: "A table with the evidence cut short; --wide prints each finding whole, with where it is on the page.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    @Flag(help: "Each finding in full: the whole evidence and its location on the page.")
    var wide = false

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.findings(auditID: id.id))
            guard case .findings(let list) = response.reply else { throw CommandFailure(.failure, "unexpected reply to findings") }
            if options.json {
                Console.json(response.json)
                return
            }
            Console.line(wide ? Formatting.findingsDetail(list.findings) : Formatting.findingsTable(list.findings))
        }
    }
}
