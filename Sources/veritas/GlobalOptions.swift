import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol
import ZeroMQ

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

    @Option(name: .long, help: ArgumentHelp(
        "This client's secret CURVE certificate (.key_secret), for a writer that requires CURVE (env VERITAS_CURVE_SECRET_KEY_FILE).",
        valueName: "file"))
    var key: String = ProcessInfo.processInfo.environment["VERITAS_CURVE_SECRET_KEY_FILE"] ?? ""

    @Option(name: .customLong("writer-key"), help: ArgumentHelp(
        "The writer's public CURVE certificate (.key), pinned (env VERITAS_CURVE_WRITER_KEY_FILE).", valueName: "file"))
    var writerKey: String = ProcessInfo.processInfo.environment["VERITAS_CURVE_WRITER_KEY_FILE"] ?? ""

    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
            throw ValidationError("--timeout must be more than 0 and at most 3600 seconds; got \(timeout)")
        }
        _ = try curve()
    }

    /// The CURVE credentials `--key` and `--writer-key` name; `nil` when neither is set.
    func curve() throws -> CurveClientCredentials? {
        do {
            return try CurveClientCredentials.optional(secretKeyFile: key, serverKeyFile: writerKey)
        } catch {
            throw ValidationError("--key/--writer-key: \(error.description)")
        }
    }

    var timeoutDuration: Duration { .milliseconds(Int64((timeout * 1000).rounded(.up))) }

    /// Runs `body` with a connected client, closing it afterwards whatever happens.
    func withClient<T>(_ body: (WriterClient) async throws -> T) async throws -> T {
        let client = try WriterClient(endpoint: writer, timeout: timeoutDuration, curve: try curve())
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
