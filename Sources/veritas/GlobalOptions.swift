import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// The options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The writer's queries endpoint (env VERITAS_WRITER).", valueName: "endpoint"))
    var writer: String = ProcessInfo.processInfo.environment["VERITAS_WRITER"] ?? DefaultEndpoints.queriesConnect

    @Option(name: .long, help: ArgumentHelp("The writer's feed endpoint, for watch and --wait (env VERITAS_FEED).", valueName: "endpoint"))
    var feed: String = ProcessInfo.processInfo.environment["VERITAS_FEED"] ?? DefaultEndpoints.feedConnect

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for each reply.", valueName: "seconds"))
    var timeout: Double = 5

    @Flag(name: .long, help: "Print the writer's reply JSON object(s) instead of tables.")
    var json = false

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600 seconds; got \(timeout)")
        }
    }

    var timeoutDuration: Duration { .milliseconds(Int64((timeout * 1000).rounded(.up))) }

    /// Runs `body` with a connected client, closing it afterwards whatever happens.
    func withClient<T>(_ body: (WriterClient) async throws -> T) async throws -> T {
        let client = try WriterClient(endpoint: writer, timeout: timeoutDuration)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
