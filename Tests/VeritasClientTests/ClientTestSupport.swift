import Foundation
import Synchronization
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A real in-process writer plus a client of it, torn down after `body` whatever happens.
/// Runners get a long silence timeout so scripted runners need no heartbeats. The client's timeout
/// is generous: these tests are about answers, and a busy machine may delay one by seconds.
func withWriter(_ body: (InProcessWriter, WriterClient) async throws -> Void) async throws {
    let folder = try TemporaryFolder("veritas-client")
    defer { folder.remove() }
    let writer = try await InProcessWriter.start(dataDirectory: folder.url) { configuration in
        configuration.runnerSilentTimeoutMilliseconds = 60_000
    }
    let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(15))
    do {
        try await body(writer, client)
    } catch {
        await client.close()
        try? await writer.stop()
        throw error
    }
    await client.close()
    try await writer.stop()
}

/// An endpoint nobody listens on: an IPC path that does not exist. (A TCP port bound and closed
/// again is not safe: a writer of a test running in parallel may get the same ephemeral port.)
func unusedEndpoint() -> String {
    "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("veritas-nobody-\(UUID().uuidString)").path
}

/// Sample payloads, as the writer's own tests use them.
enum Samples {
    /// A minimal whole PNG (``SampleImages/minimalPNG``).
    static let png = SampleImages.minimalPNG

    static let findings = [
        Finding(patternType: .countdownTimer, severity: .medium, confidence: 0.9, evidence: "Offer ends in 09:59", location: "div.timer"),
        Finding(patternType: .lowStock, severity: .low, confidence: 0.5, evidence: "Only 2 left!"),
    ]

    static let completed = EventPayload.completed(CompletedEventPayload(
        trustScore: 72, riskLevel: .medium, narrative: "Mostly fine; one urgency pattern.",
        signalScores: ["security": 80, "dark_patterns": 60], siteType: .shop,
        securityResults: .object(["grade": .string("B")]),
        darkPatternSummary: DarkPatternSummary(findings: findings)))
}

extension ScriptedRunner {
    /// started, progress 50 %, one PNG screenshot, completed.
    func complete(_ job: AuditJob) async throws {
        try await send(job.auditID, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
        try await send(job.auditID, .progress(ProgressEventPayload(phase: "dark_patterns", percent: 50)))
        try await send(job.auditID, .screenshot(index: 0, label: "Viewport (1280x800)", contentType: .png, image: Samples.png))
        try await send(job.auditID, Samples.completed)
    }
}

/// Runs the built `veritas` executable to completion.
enum VeritasCLI {
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> BuiltProducts.Outcome {
        try await BuiltProducts.run("veritas", arguments, environment: environment)
    }
}
