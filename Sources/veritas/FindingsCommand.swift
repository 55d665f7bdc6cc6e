import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// `veritas findings ID`: the dark patterns an audit found.
struct FindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings", abstract: "Show the dark patterns an audit found, with evidence.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.findings(auditID: id.id))
            guard case .findings(let list) = response.reply else { throw CommandFailure(.failure, "unexpected reply to findings") }
            if options.json {
                Console.json(response.json)
                return
            }
            guard !list.findings.isEmpty else {
                Console.line("no findings")
                return
            }
            var table = TextTable("CATEGORY", "TYPE", "SEVERITY", "CONFIDENCE", "EVIDENCE")
            for finding in list.findings {
                table.append(
                    finding.category.rawValue, finding.patternType.rawValue, finding.severity.rawValue,
                    String(format: "%.2f", finding.confidence), Formatting.truncated(finding.evidence, to: 60))
            }
            Console.line(table.render())
        }
    }
}
