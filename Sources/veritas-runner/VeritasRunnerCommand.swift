import ArgumentParser
import VeritasProtocol

/// `veritas-runner`: audits websites and streams the events to a writer.
@main
struct VeritasRunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "veritas-runner",
        abstract: "Veritas audit runner: takes jobs from a writer, audits sites, sends events.",
        discussion: "Connects to a writer's runners endpoint, by default \(DefaultEndpoints.runnersConnect)."
    )

    func run() async throws {
        throw ValidationError("the runner service is not built yet (issue: veritas-runner)")
    }
}
