import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Testing
import VeritasProtocol
import VeritasRunner
import VeritasTestSupport
import VeritasWriter
import ZeroMQ

/// A free loopback TCP endpoint below the ephemeral range (``LoopbackPorts``), so a writer
/// restarted on the same data folder can bind it again and no `tcp://127.0.0.1:*` writer of a
/// parallel test takes it meanwhile.
func freeLoopbackEndpoint() throws -> String {
    "tcp://127.0.0.1:\(try LoopbackPorts.pick(1)[0])"
}

/// Starts a writer on a fixed runners endpoint (so it can be restarted on the same one).
func startWriter(_ folder: URL, runnersEndpoint: String) async throws -> InProcessWriter {
    try await InProcessWriter.start(dataDirectory: folder) { configuration in
        configuration.runnersEndpoint = runnersEndpoint
    }
}

/// Polls `condition` until it holds or `timeout` passes (no sleeps as synchronisation: the
/// state is re-read each time). The bound covers a real audit (fetch, analysis, events committed)
/// on a 2-core machine running the whole parallel suite: it was 8 s, which such a machine missed.
func eventually(
    _ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
) async throws {
    if try await eventually(timeout: timeout, condition) { return }
    Issue.record("timed out waiting for: \(what)")
    throw RunnerTestError(description: "timed out waiting for: \(what)")
}

/// Submits an audit over a real socket (a DEALER speaking the REQ envelope, run by a
/// SocketLoop so no test blocks a thread of the cooperative pool the writer runs on); returns its id.
func submit(
    _ writer: InProcessWriter, url: String, tier: String = "quick", mode: String = "expert", curve: CurveClientCredentials? = nil
) async throws -> AuditID {
    let context = try Context()
    let loop = try SocketLoop(name: "test-client")
    let dealer = try Socket(context, type: .dealer)
    if let curve { try dealer.configureCurveClient(curve) }
    try dealer.connect(writer.endpoints.queries)
    let socket = loop.register(dealer)
    try await socket.send([Frame(), Frame(#"{"op":"submit","url":"\#(url)","tier":"\#(tier)","verdict_mode":"\#(mode)"}"#)])
    let reply = await socket.receive(upTo: 1, timeout: .seconds(5))?.first
    await loop.shutdown()
    guard let frame = reply?.last else { throw RunnerTestError(description: "no reply to submit") }
    let json = try JSONValue.decode(frame.data)
    guard json["ok"]?.boolValue == true, let id = json["audit_id"]?.stringValue else {
        throw RunnerTestError(description: "submit failed: \(String(decoding: frame.data, as: UTF8.self))")
    }
    return try AuditID(id)
}

/// Reads the writer's database directly (a second SQLite connection on the WAL file).
struct WriterDatabase {
    let queue: DatabaseQueue

    init(_ folder: URL) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: folder.appendingPathComponent("veritas.sqlite").path, configuration: configuration)
    }

    func status(_ id: AuditID) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT status FROM audits WHERE id = ?", arguments: [id.rawValue]) }
    }

    func row(_ id: AuditID) throws -> Row? {
        try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM audits WHERE id = ?", arguments: [id.rawValue]) }
    }

    func count(_ sql: String, _ id: AuditID) throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: sql, arguments: [id.rawValue]) ?? 0 }
    }

    func processedEvents(_ id: AuditID) throws -> Int {
        try count("SELECT COUNT(*) FROM processed_events WHERE audit_id = ?", id)
    }
}

/// Events for an audit the writer never handed out (it creates the row: order-tolerant).
func sampleEvents(runner: String, auditID: AuditID, url: String = "https://outbox.example/") throws -> (AuditID, [AuditEvent]) {
    let runnerID = try RunnerID(runner)
    let verdict = CompletedEventPayload(
        trustScore: 80, riskLevel: .low, narrative: "fine", signalScores: ["security": 80], siteType: .other,
        securityResults: .object(["score": .number(80)]), darkPatternSummary: DarkPatternSummary(findings: []))
    let events = [
        AuditEvent(auditID: auditID, seq: 1, runnerID: runnerID, payload: .started(StartedEventPayload(url: url, tier: .quick, verdictMode: .simple))),
        AuditEvent(auditID: auditID, seq: 2, runnerID: runnerID, payload: .progress(ProgressEventPayload(phase: "fetching", percent: 10))),
        AuditEvent(auditID: auditID, seq: 3, runnerID: runnerID, payload: .completed(verdict)),
    ]
    return (auditID, events)
}

/// ``seedHandedOutAudit(databasePath:url:)`` in a writer folder.
func seedHandedOutAudit(writerFolder: URL) async throws -> AuditID {
    try await seedHandedOutAudit(databasePath: writerFolder.appendingPathComponent("veritas.sqlite").path, url: "https://outbox.example/")
}

struct RunnerTestError: Error, CustomStringConvertible {
    let description: String
}
