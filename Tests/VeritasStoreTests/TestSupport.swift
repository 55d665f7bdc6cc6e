import Foundation
import Testing
import VeritasPostgres
import VeritasProtocol
@testable import VeritasStore
import VeritasTestSupport

/// The ``AuditStore`` implementations, so one test body can run against each.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    /// A new database on the test process's PostgreSQL server (``SharedPostgres``).
    case postgres

    var testDescription: String { rawValue }

    /// The `source` a store of this kind stamps on the audits it returns.
    var source: DataSource {
        switch self {
        case .memory: .memory
        case .sqlite, .postgres: .database
        }
    }
}

/// A fresh temporary folder, removed when `body` returns or throws.
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("veritas-store-tests-\(AuditID.generate().rawValue)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// A database path inside `folder`, one level down so the store has to create its folder.
func databasePath(in folder: URL) -> String {
    folder.appendingPathComponent("data/veritas.sqlite").path
}

/// Runs `body` with a fresh, empty store of `kind`; a SQLite store lives in a temporary folder
/// that is deleted afterwards.
func withStore<T>(_ kind: StoreKind, maxAudits: Int = 10_000, _ body: (any AuditStore) async throws -> T) async throws -> T {
    switch kind {
    case .memory:
        return try await body(MemoryAuditStore(maxAudits: maxAudits))
    case .sqlite:
        return try await withTemporaryFolder { folder in
            let store = try SQLiteAuditStore(path: databasePath(in: folder), synchronous: .normal)
            defer { try? store.close() }
            return try await body(store)
        }
    case .postgres:
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let store = try await PostgresAuditStore.open(PostgresSettings(url: database.url))
        defer { store.close() }
        return try await body(store)
    }
}

// MARK: Fixtures

/// Fixed instants, so tests never depend on the clock: `at(n)` is n seconds after a base time.
func at(_ seconds: Int64) -> Timestamp {
    Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + seconds * 1000)
}

let runnerA = try! RunnerID("runner-a")
let runnerB = try! RunnerID("runner-b")

func makeAudit(
    _ id: AuditID = .generate(), url: String = "https://example.com/", tier: Tier = .standard,
    verdictMode: VerdictMode = .simple, createdAt: Timestamp = at(0)
) -> Audit {
    Audit(id: id, url: url, tier: tier, verdictMode: verdictMode, createdAt: createdAt)
}

func event(_ audit: AuditID, _ change: StoredEvent.Change, seq: Int = 0, at time: Timestamp = at(10), runner: RunnerID = runnerA) -> StoredEvent {
    StoredEvent(id: .generate(), auditID: audit, seq: seq, timestamp: time, runnerID: runner, change: change)
}

func started(url: String = "https://example.com/", tier: Tier = .standard, verdictMode: VerdictMode = .simple) -> StoredEvent.Change {
    .started(StartedEventPayload(url: url, tier: tier, verdictMode: verdictMode))
}

func progress(_ percent: Double, phase: String = "fetch") -> StoredEvent.Change {
    .progress(ProgressEventPayload(phase: phase, percent: percent))
}

func failure(_ message: String) -> StoredEvent.Change {
    .error(ErrorEventPayload(errorMessage: message))
}

let sampleFindings = [
    Finding(patternType: .countdownTimer, severity: .high, confidence: 0.92, evidence: "Offer ends in 09:59", location: "#timer"),
    Finding(patternType: .lowStock, severity: .medium, confidence: 0.5, evidence: "Only 2 left in stock!"),
    Finding(patternType: .confirmshaming, severity: .low, confidence: 0.125, evidence: "No thanks, I hate saving money", location: "button.decline"),
]

func verdict(trustScore: Int = 42, findings: [Finding] = sampleFindings) -> CompletedEventPayload {
    CompletedEventPayload(
        trustScore: trustScore, riskLevel: .high, narrative: "Urgency and scarcity cues.\nSecond line.",
        signalScores: ["https": 100, "dark_patterns": 12.5, "headers": 0.1],
        siteType: .shop,
        securityResults: ["hsts": true, "csp": .null, "cookies": ["secure": 2, "flags": ["HttpOnly", "SameSite=Lax"]], "grade": "B+"],
        darkPatternSummary: DarkPatternSummary(findings: findings, summary: ["count": .number(Double(findings.count))]))
}

func completed(_ payload: CompletedEventPayload = verdict()) -> StoredEvent.Change {
    .completed(payload)
}

func screenshot(_ audit: AuditID, index: Int, label: String = "viewport", size: Int = 1234) -> StoredEvent.Change {
    .screenshot(ScreenshotInfo(
        auditID: audit, index: index, label: label, contentType: .png, fileSizeBytes: size,
        sha256: String(repeating: String(index % 10), count: 64),
        filePath: "screenshots/\(audit.rawValue)/20261126T150843123Z-\(index).png", createdAt: at(20)))
}
