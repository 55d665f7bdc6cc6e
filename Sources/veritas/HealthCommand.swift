import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas health`: is the writer up, and how is its database.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Show the writer's health.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.health)
            guard case .health(let health) = response.reply else { throw CommandFailure(.failure, "unexpected reply to health") }
            if options.json {
                Console.json(response.json)
                return
            }
            let counts = health.counts
            Console.line(Formatting.block([
                ("status", health.status.rawValue),
                ("database", health.database.rawValue),
                ("persistence", health.persistenceEnabled ? "enabled" : "disabled"),
                ("version", "\(health.version) (protocol \(health.protocolVersion))"),
                ("uptime", "\(Int(health.uptimeSeconds)) s"),
                ("audits", "\(counts.queued) queued, \(counts.running) running, \(counts.completed) completed, \(counts.error) error"),
                ("queue depth", String(health.queueDepth)),
                ("runners", String(health.connectedRunners)),
                ("in memory", String(health.memoryAudits)),
                ("security", health.curveEnabled ? "CURVE (encrypted, allowlisted keys)" : "none (plaintext)"),
                ("rejected", "\(health.errorReplies) error replies, \(health.droppedMessages) dropped, \(health.refusedConnections) refused connections"),
                ("endpoint", client.endpoint),
            ]))
        }
    }
}
