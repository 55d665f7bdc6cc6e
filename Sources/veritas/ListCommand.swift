import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas list`: a page of audits, newest first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List audits, newest first.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only audits in this status.")
    var status: AuditStatus?

    @Option(help: "At most this many audits (1-\(ProtocolLimits.maxListLimit)).")
    var limit: Int = ProtocolLimits.defaultListLimit

    @Option(help: "Skip this many audits (0-\(ProtocolLimits.maxListOffset)).")
    var offset: Int = 0

    func validate() throws {
        guard (1...ProtocolLimits.maxListLimit).contains(limit) else {
            throw ValidationError("--limit must be 1-\(ProtocolLimits.maxListLimit); got \(limit)")
        }
        guard (0...ProtocolLimits.maxListOffset).contains(offset) else {
            throw ValidationError("--offset must be 0-\(ProtocolLimits.maxListOffset); got \(offset)")
        }
    }

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.list(status: status, limit: limit, offset: offset))
            guard case .auditList(let page) = response.reply else { throw CommandFailure(.failure, "unexpected reply to list") }
            if options.json {
                Console.json(response.json)
                return
            }
            guard !page.audits.isEmpty else {
                Console.line("no audits")
                return
            }
            var table = TextTable("ID", "STATUS", "SCORE", "RISK", "URL", "CREATED")
            for audit in page.audits {
                table.append(
                    audit.id.rawValue, audit.status.rawValue, Formatting.score(audit), audit.riskLevel?.rawValue ?? "-",
                    Formatting.truncated(audit.url.isEmpty ? "-" : audit.url, to: 60), Formatting.time(audit.createdAt))
            }
            Console.line(table.render())
            if let next = page.nextOffset {
                Console.line("more: veritas list --offset \(next) --limit \(page.limit)")
            }
        }
    }
}
