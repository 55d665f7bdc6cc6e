import ArgumentParser
import VeritasClient
import VeritasProtocol

/// `veritas health`: is the writer up, and how is its database. The exit status is what a health
/// check needs: 0 only when the writer is `ok` (and enough runners are connected), 9 when it
/// answers but is degraded or short of runners, 3 when it does not answer.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Show the writer's health.",
        discussion: """
            Exit codes: 0 the writer is ok (and at least --require-runners runners are connected); \
            9 it answered but is degraded (its storage fails, so it acknowledges nothing) or has \
            too few runners; 3 it did not answer within --timeout.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("require-runners"), help: ArgumentHelp("Exit 9 unless at least this many runners are connected.", valueName: "n"))
    var requireRunners: Int = 0

    func validate() throws {
        guard requireRunners >= 0 else { throw ValidationError("--require-runners must be 0 or more") }
    }

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.health)
            guard case .health(let health) = response.reply else { throw CommandFailure(.failure, "unexpected reply to health") }
            if options.json {
                Console.json(response.json)
            } else {
                show(health, endpoint: client.endpoint)
            }
            let problems = Self.problems(health, requireRunners: requireRunners)
            guard problems.isEmpty else {
                Console.error("unhealthy: " + problems.joined(separator: "; "))
                throw ExitCode(VeritasExitStatus.unhealthy.rawValue)
            }
        }
    }

    /// Why `health` fails the check, or nothing when it passes.
    static func problems(_ health: HealthReport, requireRunners: Int) -> [String] {
        var problems: [String] = []
        if health.status != .ok { problems.append("the writer is \(health.status.rawValue) (database \(health.database.rawValue))") }
        if health.connectedRunners < requireRunners {
            problems.append("\(health.connectedRunners) runner\(health.connectedRunners == 1 ? "" : "s") connected, \(requireRunners) required")
        }
        return problems
    }

    private func show(_ health: HealthReport, endpoint: String) {
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
            ("endpoint", endpoint),
        ]))
    }
}
