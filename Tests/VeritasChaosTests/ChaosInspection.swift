import Crypto
import Foundation
import GRDB
import Testing
import VeritasProtocol

// Reading what a chaos run left behind: the writer's SQLite file, the screenshot folder and the
// runners' outboxes, each opened directly (never through the writer), and the checks on them.

/// One applied event, as the test's event log recorded it (``ChaosEventLog``).
struct StoredEventRow {
    let eventID: String
    let name: String
    let seq: Int

    var isTerminal: Bool { name == EventName.completed.rawValue || name == EventName.error.rawValue }
}

/// Everything the database holds about one audit.
struct AuditRecord {
    let id: String
    let url: String
    let status: String
    let trustScore: Int?
    let riskLevel: String?
    let siteType: String?
    let signalScores: String?
    let errorMessage: String?
    let attempts: Int
    /// `category/pattern_type/severity/evidence`, sorted.
    let findings: [String]
    let screenshots: [(path: String, size: Int, sha256: String, index: Int)]
    /// In event-id order, which is creation order (UUIDv7, monotonic within a runner process).
    let events: [StoredEventRow]

    /// The audit split into the attempts that produced events: a new attempt starts at each
    /// `audit.started` (always seq 1; a runner numbers an attempt's events 1, 2, 3...).
    var attemptsWithEvents: [[StoredEventRow]] {
        var runs: [[StoredEventRow]] = []
        for event in events {
            if event.name == EventName.started.rawValue || runs.isEmpty { runs.append([]) }
            runs[runs.count - 1].append(event)
        }
        return runs
    }

    /// Whether every attempt's events are numbered 1...n in creation order, i.e. no two attempts
    /// ran at the same time.
    var attemptsAreSequential: Bool {
        attemptsWithEvents.allSatisfy { run in run.map(\.seq) == Array(1...run.count) }
    }

    /// What a fault-free run of the same site must give as well.
    var outcome: AuditOutcome {
        let terminal = attemptsAreSequential ? attemptsWithEvents.first { run in run.contains(where: \.isTerminal) } : nil
        return AuditOutcome(
            status: status, trustScore: trustScore, riskLevel: riskLevel, siteType: siteType, signalScores: signalScores,
            errorMessage: errorMessage, findings: findings, screenshots: screenshots.count,
            events: terminal?.map(\.name))
    }
}

/// The result of an audit as a fault-free run gives it.
struct AuditOutcome: Equatable, CustomStringConvertible {
    var status: String
    var trustScore: Int?
    var riskLevel: String?
    var siteType: String?
    var signalScores: String?
    var errorMessage: String?
    var findings: [String]
    var screenshots: Int
    /// The event names of the attempt that ended the audit, in order; `nil` when attempts
    /// overlapped and their events cannot be told apart.
    var events: [String]?

    var description: String {
        "\(status) score=\(trustScore.map(String.init) ?? "-") risk=\(riskLevel ?? "-") site=\(siteType ?? "-") "
            + "signals=\(signalScores ?? "-") error=\(errorMessage ?? "-") findings=\(findings.count) screenshots=\(screenshots) "
            + "events=\(events?.joined(separator: ",") ?? "overlapping")"
    }

    /// The fields that differ from `other`, for a readable failure.
    func differences(from other: AuditOutcome) -> [String] {
        var out: [String] = []
        if status != other.status { out.append("status \(status) ≠ \(other.status)") }
        if trustScore != other.trustScore { out.append("trust_score \(trustScore.map(String.init) ?? "nil") ≠ \(other.trustScore.map(String.init) ?? "nil")") }
        if riskLevel != other.riskLevel { out.append("risk_level \(riskLevel ?? "nil") ≠ \(other.riskLevel ?? "nil")") }
        if siteType != other.siteType { out.append("site_type \(siteType ?? "nil") ≠ \(other.siteType ?? "nil")") }
        if signalScores != other.signalScores { out.append("signal_scores \(signalScores ?? "nil") ≠ \(other.signalScores ?? "nil")") }
        if errorMessage != other.errorMessage { out.append("error_message \(errorMessage ?? "nil") ≠ \(other.errorMessage ?? "nil")") }
        if findings != other.findings {
            let here = Set(findings).subtracting(other.findings).sorted().map { String($0.prefix(60)) }
            let there = Set(other.findings).subtracting(findings).sorted().map { String($0.prefix(60)) }
            out.append("findings \(findings.count) ≠ \(other.findings.count) (only here: \(here.prefix(3)), only in reference: \(there.prefix(3)))")
        }
        if screenshots != other.screenshots { out.append("screenshots \(screenshots) ≠ \(other.screenshots)") }
        if let events, let expected = other.events, events != expected {
            out.append("events [\(events.joined(separator: ","))] ≠ [\(expected.joined(separator: ","))]")
        }
        return out
    }
}

/// A read of the writer's database file.
struct DatabaseSnapshot {
    var audits: [String: AuditRecord] = [:]
    /// Rows left in `jobs` (`state`, `audit_id`).
    var jobs: [(state: String, auditID: String)] = []
    /// Logged events whose audit has no row.
    var orphanEvents = 0
    /// Rows left in `processed_events`, which the writer prunes, against every event the log
    /// recorded as applied.
    var processedEventRows = 0
    var loggedEvents = 0
    /// Findings and screenshot rows whose audit has no row.
    var orphanChildren = 0

    /// Reads every table; works while the writer runs (WAL) or after it stopped.
    static func read(_ path: String) throws -> DatabaseSnapshot {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? database.close() }
        return try database.read { db in
            var snapshot = DatabaseSnapshot()
            var findings: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT audit_id, category, pattern_type, severity, evidence FROM audit_findings") {
                let key = "\(row["category"] as String)/\(row["pattern_type"] as String)/\(row["severity"] as String)/\(row["evidence"] as String)"
                findings[row["audit_id"], default: []].append(key)
            }
            var screenshots: [String: [(path: String, size: Int, sha256: String, index: Int)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT audit_id, file_path, file_size_bytes, sha256, index_num FROM audit_screenshots ORDER BY index_num") {
                screenshots[row["audit_id"], default: []].append((row["file_path"], row["file_size_bytes"], row["sha256"], row["index_num"]))
            }
            var events: [String: [StoredEventRow]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT event_id, audit_id, event, seq FROM \(ChaosEventLog.table) ORDER BY event_id") {
                events[row["audit_id"], default: []].append(StoredEventRow(eventID: row["event_id"], name: row["event"], seq: row["seq"]))
            }
            snapshot.loggedEvents = events.values.reduce(0) { $0 + $1.count }
            snapshot.processedEventRows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM processed_events") ?? 0
            for row in try Row.fetchAll(db, sql: """
                SELECT id, url, status, trust_score, risk_level, site_type, signal_scores, error_message, attempts FROM audits
                """) {
                let id: String = row["id"]
                snapshot.audits[id] = AuditRecord(
                    id: id, url: row["url"], status: row["status"], trustScore: row["trust_score"], riskLevel: row["risk_level"],
                    siteType: row["site_type"], signalScores: row["signal_scores"], errorMessage: row["error_message"],
                    attempts: row["attempts"], findings: (findings[id] ?? []).sorted(), screenshots: screenshots[id] ?? [],
                    events: events[id] ?? [])
            }
            snapshot.jobs = try Row.fetchAll(db, sql: "SELECT state, audit_id FROM jobs").map { ($0["state"], $0["audit_id"]) }
            snapshot.orphanEvents = events.keys.filter { snapshot.audits[$0] == nil }.reduce(0) { $0 + (events[$1]?.count ?? 0) }
            snapshot.orphanChildren = findings.keys.filter { snapshot.audits[$0] == nil }.count
                + screenshots.keys.filter { snapshot.audits[$0] == nil }.count
            return snapshot
        }
    }
}

/// Every event the writer applies, kept by the test: the writer forgets ended audits' ids in
/// `processed_events`, and the checks still need each audit's whole event history. A trigger on
/// `processed_events` copies each new row (a forgotten id that is resent and applied again is
/// logged once: the log is keyed by event id too).
enum ChaosEventLog {
    static let table = "chaos_event_log"

    /// Adds the log and its trigger to the writer's database (idempotent); run once the writer
    /// has created its schema and before any runner can send an event.
    static func install(in path: String) throws {
        // The writer is running and may hold the write lock (a claim, a sweep): wait for it.
        var configuration = Configuration()
        configuration.busyMode = .timeout(20)
        let database = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? database.close() }
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS \(table) (
                    event_id TEXT PRIMARY KEY NOT NULL, audit_id TEXT NOT NULL, event TEXT NOT NULL, seq INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TRIGGER IF NOT EXISTS chaos_log_applied_event AFTER INSERT ON processed_events BEGIN
                    INSERT OR IGNORE INTO \(table) (event_id, audit_id, event, seq) VALUES (NEW.event_id, NEW.audit_id, NEW.event, NEW.seq);
                END;
                """)
        }
    }
}

/// Events still waiting in a runner's outbox (0 when it has none or no file yet).
func outboxCount(_ path: String) throws -> Int {
    guard FileManager.default.fileExists(atPath: path) else { return 0 }
    // A read-write connection (the runner may be running, in WAL mode): only SELECTs are run.
    let database = try DatabaseQueue(path: path)
    defer { try? database.close() }
    return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
}

/// Where a run's screenshot images are kept, for the end-state checks.
enum ScreenshotImages {
    /// Files under the writer's data folder, named by each row's `file_path` (SQLite writers).
    case files(dataDirectory: URL)
    /// Rows of `screenshot_images`, by sha256 (PostgreSQL writers; every writer host reads them).
    case table([String: StoredImage])
}

/// One row of PostgreSQL's `screenshot_images`.
struct StoredImage {
    let sha256: String
    /// The row's `size_bytes`.
    let recordedSize: Int
    let bytes: Data
}

/// The figures the end-state checks produce.
struct EndStateFigures {
    var audits = 0
    var completed = 0
    var errored = 0
    /// Audits that ended in `error` because they ran out of attempts (runner crashes).
    var attemptLimitErrors = 0
    var events = 0
    var screenshots = 0
    var findings = 0
    /// Audits handed out more than once.
    var requeuedAudits = 0
    /// Attempts that produced events but did not end their audit.
    var abandonedAttempts = 0
    /// Audits run by two runners at the same time (their events interleave).
    var overlappingAttempts = 0
}

/// Every end-state check of a chaos run; each kind of problem is its own expectation.
///
/// - Parameters:
///   - images: where the screenshot rows' images are.
///   - submitted: audit id → URL, as submitted.
///   - reference: URL → the outcome of a fault-free run.
///   - maxAttempts: the writer's `jobs.max_attempts`; with `allowAttemptLimitErrors`, an audit
///     may end in `error` after that many hand-outs instead of matching its reference.
///   - handOuts: audit id → how many times a writer logged `job handed out` for it. (The
///     audit's `attempts` counts only hand-outs that started, so a start delayed past a requeue
///     is not in it; every run of an audit still needs a hand-out.)
func checkEndState(
    snapshot: DatabaseSnapshot, images: ScreenshotImages, submitted: [String: String], reference: [String: AuditOutcome],
    maxAttempts: Int, allowAttemptLimitErrors: Bool, handOuts: [String: Int], checks: Checks
) -> EndStateFigures {
    var figures = EndStateFigures()
    figures.audits = snapshot.audits.count

    // Every submitted audit is there, and nothing else (an event must never invent an audit).
    let missing = Set(submitted.keys).subtracting(snapshot.audits.keys)
    let extra = Set(snapshot.audits.keys).subtracting(submitted.keys)
    checks.expect(missing.isEmpty, "submitted audits missing from the database: \(missing.sorted())")
    checks.expect(extra.isEmpty, "audits in the database that nobody submitted: \(extra.sorted())")
    checks.expect(snapshot.orphanEvents == 0 && snapshot.orphanChildren == 0,
            "rows without their audit: \(snapshot.orphanEvents) events, \(snapshot.orphanChildren) finding/screenshot groups")

    // None stuck: every audit completed or error, and the job queue empty.
    let stuck = snapshot.audits.values.filter { $0.status != "completed" && $0.status != "error" }
    checks.expect(stuck.isEmpty, "audits not finished: \(stuck.map { "\($0.id) \($0.status) attempts=\($0.attempts)" }.sorted())")
    checks.expect(snapshot.jobs.isEmpty, "jobs left in the queue: \(snapshot.jobs.map { "\($0.auditID) \($0.state)" })")

    // Events stored once: event ids are the table's key, so "once" shows in the numbering. Each
    // attempt's events are numbered 1, 2, 3... by its runner; a lost event leaves a gap, an event
    // stored twice under two ids repeats a number.
    var eventProblems: [String] = []
    for audit in snapshot.audits.values.sorted(by: { $0.id < $1.id }) {
        figures.events += audit.events.count
        let runs = audit.attemptsWithEvents
        if audit.attemptsAreSequential {
            for run in runs where run.contains(where: \.isTerminal) {
                let terminals = run.filter(\.isTerminal)
                if terminals.count != 1 || run.last?.isTerminal != true {
                    eventProblems.append("\(audit.id): an attempt's terminal event is not its last, or not its only one: \(run.map(\.name))")
                }
            }
        } else {
            // Attempts overlapped in time (one audit run by two runners at once, which the
            // protocol allows after a requeue), so their events interleave. Each attempt still
            // numbers its events 1...n: attempts = events numbered 1 = `audit.started` events,
            // and no number occurs more often than a smaller one (a lost event would show so).
            figures.overlappingAttempts += 1
            var counts: [Int: Int] = [:]
            for event in audit.events { counts[event.seq, default: 0] += 1 }
            let started = audit.events.filter { $0.name == EventName.started.rawValue }
            let highest = counts.keys.max() ?? 0
            let monotone = (1..<max(1, highest)).allSatisfy { (counts[$0] ?? 0) >= (counts[$0 + 1] ?? 0) }
            if !monotone || counts[1] != started.count || !started.allSatisfy({ $0.seq == 1 }) {
                eventProblems.append("\(audit.id) (overlapping attempts): seq \(audit.events.map(\.seq)) names \(audit.events.map(\.name))")
            }
        }
        let handedOut = handOuts[audit.id] ?? 0
        if runs.count > handedOut {
            eventProblems.append("\(audit.id): \(runs.count) attempts produced events but the audit was handed out \(handedOut) times")
        }
        let terminalRuns = runs.filter { run in run.contains(where: \.isTerminal) }
        figures.abandonedAttempts += runs.count - min(1, terminalRuns.count)
        if audit.attempts > 1 { figures.requeuedAudits += 1 }
    }
    checks.expect(eventProblems.isEmpty, "event numbering problems (\(eventProblems.count)):\n\(eventProblems.prefix(20).joined(separator: "\n"))")

    switch images {
    case .files(let dataDirectory):
        checkScreenshotFiles(snapshot: snapshot, dataDirectory: dataDirectory, figures: &figures, checks: checks)
    case .table(let stored):
        checkScreenshotImages(snapshot: snapshot, images: stored, figures: &figures, checks: checks)
    }

    // The final state equals a fault-free run of the same site.
    var outcomeProblems: [String] = []
    for audit in snapshot.audits.values.sorted(by: { $0.id < $1.id }) {
        figures.findings += audit.findings.count
        if audit.status == "completed" { figures.completed += 1 }
        if audit.status == "error" { figures.errored += 1 }
        guard let url = submitted[audit.id] else { continue }
        guard let expected = reference[url] else {
            outcomeProblems.append("\(audit.id): no reference for \(url)")
            continue
        }
        // The writer's attempt-limit messages (RunnerGateway: requeue and lease sweep; the store's
        // bound on hand-outs that never started).
        let limitMessages = ["gave up after \(maxAttempts) attempts", "stopped responding \(maxAttempts) times"]
        let neverStarted = "handed out \(maxAttempts * ProtocolDefaults.handoutsPerAttempt) times without starting"
        if allowAttemptLimitErrors, audit.status == "error", let message = audit.errorMessage,
           (audit.attempts >= maxAttempts && limitMessages.contains(where: message.contains)) || message.hasPrefix(neverStarted) {
            // Ran out of attempts (runner crashes): allowed, and counted.
            figures.attemptLimitErrors += 1
            continue
        }
        let differences = audit.outcome.differences(from: expected)
        if !differences.isEmpty {
            outcomeProblems.append("\(audit.id) (\(url), attempts \(audit.attempts)): \(differences.joined(separator: "; "))")
        }
    }
    checks.expect(outcomeProblems.isEmpty, "audits whose final state differs from the fault-free run (\(outcomeProblems.count)):\n\(outcomeProblems.prefix(20).joined(separator: "\n"))")
    return figures
}

/// Screenshots kept as files: every row has its file with the recorded size and SHA-256; no file
/// without a row; no temporary left over.
private func checkScreenshotFiles(snapshot: DatabaseSnapshot, dataDirectory: URL, figures: inout EndStateFigures, checks: Checks) {
    var screenshotProblems: [String] = []
    var recorded = Set<String>()
    for audit in snapshot.audits.values {
        for shot in audit.screenshots {
            figures.screenshots += 1
            recorded.insert(shot.path)
            let file = dataDirectory.appendingPathComponent(shot.path)
            guard let bytes = FileManager.default.contents(atPath: file.path) else {
                screenshotProblems.append("\(audit.id): row \(shot.path) has no file")
                continue
            }
            if bytes.count != shot.size { screenshotProblems.append("\(shot.path): \(bytes.count) bytes, row says \(shot.size)") }
            let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            if digest != shot.sha256 { screenshotProblems.append("\(shot.path): sha256 \(digest), row says \(shot.sha256)") }
        }
    }
    let screenshotRoot = dataDirectory.appendingPathComponent("screenshots", isDirectory: true)
    var unrecorded: [String] = []
    var temporaries: [String] = []
    if let walker = FileManager.default.enumerator(at: screenshotRoot, includingPropertiesForKeys: [.isRegularFileKey]) {
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let relative = "screenshots/" + url.standardizedFileURL.path.dropFirst(screenshotRoot.standardizedFileURL.path.count + 1)
            if url.lastPathComponent.hasPrefix(".") || url.lastPathComponent.hasSuffix(".tmp") {
                temporaries.append(relative)
            } else if !recorded.contains(relative) {
                unrecorded.append(relative)
            }
        }
    }
    checks.expect(screenshotProblems.isEmpty, "screenshot rows not matching their files:\n\(screenshotProblems.prefix(20).joined(separator: "\n"))")
    checks.expect(unrecorded.isEmpty, "screenshot files without a row (\(unrecorded.count)): \(unrecorded.sorted().prefix(20))")
    checks.expect(temporaries.isEmpty, "temporary screenshot files left: \(temporaries.sorted().prefix(20))")
}

/// Screenshots kept in `screenshot_images`: every row's `file_path` names its image by the row's
/// sha256, and the image is there with the recorded size and a SHA-256 of its bytes that matches;
/// no image without a row; no write probe left over.
private func checkScreenshotImages(snapshot: DatabaseSnapshot, images: [String: StoredImage], figures: inout EndStateFigures, checks: Checks) {
    var screenshotProblems: [String] = []
    var recorded = Set<String>()
    for audit in snapshot.audits.values {
        for shot in audit.screenshots {
            figures.screenshots += 1
            recorded.insert(shot.sha256)
            if !shot.path.hasPrefix("screenshot_images/\(shot.sha256).") {
                screenshotProblems.append("\(audit.id): row \(shot.index) has file_path \(shot.path), not its sha256 \(shot.sha256)")
            }
            guard let image = images[shot.sha256] else {
                screenshotProblems.append("\(audit.id): row \(shot.index) (\(shot.sha256)) has no image in screenshot_images")
                continue
            }
            if image.bytes.count != shot.size || image.recordedSize != shot.size {
                screenshotProblems.append("\(shot.path): \(image.bytes.count) bytes, image row says \(image.recordedSize), screenshot row says \(shot.size)")
            }
            let digest = SHA256.hash(data: image.bytes).map { String(format: "%02x", $0) }.joined()
            if digest != shot.sha256 { screenshotProblems.append("\(shot.path): sha256 of the stored bytes is \(digest)") }
        }
    }
    let unrecorded = images.keys.filter { !recorded.contains($0) && $0 != "write-probe" }
    checks.expect(screenshotProblems.isEmpty, "screenshot rows not matching their images:\n\(screenshotProblems.prefix(20).joined(separator: "\n"))")
    checks.expect(unrecorded.isEmpty, "images without a screenshot row (\(unrecorded.count)): \(unrecorded.sorted().prefix(20))")
    checks.expect(images["write-probe"] == nil, "the writers' write probe was left in screenshot_images")
}

/// `#expect` that also counts failures, so a test knows whether to keep its folder for a post-mortem.
final class Checks {
    private(set) var failures = 0

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        if !condition { failures += 1 }
        #expect(condition, Comment(rawValue: condition ? "" : message()), sourceLocation: sourceLocation)
    }
}

/// How long each job waited between the writer handing it out and its runner starting it, from
/// the logs: the writer's "job handed out" and the runner's "audit started" lines, matched by
/// audit id and attempt. A runner starts a job at once when it has a free slot; a long wait means
/// the writer sent it more jobs than its capacity and the job queued inside the runner, where it
/// is not listed in `active`, so its lease is not renewed.
struct JobStartDelays {
    /// (audit id, attempt, runner id, milliseconds from hand-out to start).
    var delays: [(audit: String, attempt: String, runner: String, milliseconds: Int64)] = []

    init(writerLogs: [JSONValue], runnerLogs: [JSONValue]) {
        func time(_ line: JSONValue) -> Int64? {
            line["ts"]?.stringValue.flatMap { try? Timestamp($0) }?.millisecondsSinceEpoch
        }
        // Each start is measured from the latest hand-out of its audit before it: attempt numbers
        // repeat (a hand-out that never started gives its attempt back), times do not.
        var handOuts: [String: [(at: Int64, attempt: String, runner: String)]] = [:]
        for line in writerLogs {
            guard let audit = line["audit_id"]?.stringValue, let attempt = line["attempt"]?.stringValue,
                  let runner = line["runner_id"]?.stringValue, let at = time(line) else { continue }
            handOuts[audit, default: []].append((at, attempt, runner))
        }
        // Two processes' clocks and log writes: a runner may log the start a few milliseconds
        // before the writer logs the hand-out it answers. A start belongs to the latest hand-out of
        // its audit and attempt up to `skew` after it.
        let skew: Int64 = 250
        for line in runnerLogs {
            guard let audit = line["audit_id"]?.stringValue, let at = time(line) else { continue }
            let attempt = line["attempt"]?.stringValue
            guard let handOut = handOuts[audit]?
                .filter({ $0.at <= at + skew && (attempt == nil || $0.attempt == attempt) })
                .max(by: { $0.at < $1.at }) else { continue }
            delays.append((audit, handOut.attempt, handOut.runner, max(0, at - handOut.at)))
        }
    }

    var longest: Int64 { delays.map(\.milliseconds).max() ?? 0 }

    func longer(than milliseconds: Int64) -> [String] {
        delays.filter { $0.milliseconds > milliseconds }.sorted { $0.milliseconds > $1.milliseconds }
            .map { "\($0.audit) attempt \($0.attempt) on \($0.runner): started \($0.milliseconds) ms after hand-out" }
    }
}
