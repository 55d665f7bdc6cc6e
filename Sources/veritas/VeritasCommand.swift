import ArgumentParser
import VeritasProtocol

/// `veritas`: the command-line client.
@main
struct VeritasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas",
        abstract: "Veritas client: submit audits, query results, watch progress, run the demo.",
        discussion: "Talks to a writer's queries endpoint, by default \(DefaultEndpoints.queriesConnect)."
    )

    func run() async throws {
        print(Self.helpMessage())
    }
}
