// The codec choice (issue 14, "one serialisation"): the protocol's one path (the strict parser,
// then `FieldReader` into the protocol types; `jsonValue` then the writer out) against Foundation's
// `Codable` coders on mirror types of the same header, in the same run.
//
// The mirrors are the best case for `Codable`: they check nothing (no duplicate keys, depth,
// sizes, id or timestamp syntax), while the protocol path checks all of that and reports exact
// error paths. `JSONDecoder` is itself a `Codable` decoder over a parsed value, the design the
// issue asks to weigh, and a tuned one; a decoder of our own over the strict parser's value could
// only add the parser's cost to it.
import Foundation
import VeritasProtocol

private struct MirrorFinding: Codable {
    var category: String
    var pattern_type: String
    var severity: String
    var confidence: Double
    var evidence: String
    var location: String?
}

private struct MirrorSummary: Codable {
    var findings: [MirrorFinding]
}

private struct MirrorCompleted: Codable {
    var trust_score: Int
    var risk_level: String
    var narrative: String
    var signal_scores: [String: Double]
    var site_type: String
    var security_results: JSONValueMirror
    var dark_pattern_summary: MirrorSummary
}

private struct MirrorProgress: Codable {
    var phase: String
    var percent: Double
    var message: String?
}

/// Any JSON, decoded the `Codable` way (the mirror of `JSONValue` for `security_results`).
private indirect enum JSONValueMirror: Codable {
    case null, bool(Bool), number(Double), string(String), array([JSONValueMirror]), object([String: JSONValueMirror])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValueMirror].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValueMirror].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

private struct MirrorEvent<Payload: Codable>: Codable {
    var type: String
    var event_id: String
    var audit_id: String
    var seq: Int
    var event: String
    var timestamp: String
    var runner_id: String
    var payload: Payload
}

private func sampleEvents() throws -> (progress: AuditEvent, completed: AuditEvent) {
    let runner = try RunnerID("bench-runner")
    let audit = AuditID.generate()
    let progress = AuditEvent(auditID: audit, seq: 2, runnerID: runner, payload: .progress(ProgressEventPayload(phase: "fetching", percent: 20, message: "fetching the page")))
    let findings = [
        Finding(patternType: .countdownTimer, severity: .high, confidence: 0.92, evidence: "Offer ends in 09:59:12", location: "div.hero > span.timer (ticking between two renders)"),
        Finding(patternType: .lowStock, severity: .medium, confidence: 0.81, evidence: "Only 3 left in stock, order soon", location: "p.stock"),
        Finding(patternType: .activityNotification, severity: .low, confidence: 0.74, evidence: "Sarah from Leeds bought this 4 minutes ago", location: "div.toast"),
    ]
    let completed = AuditEvent(auditID: audit, seq: 9, runnerID: runner, payload: .completed(CompletedEventPayload(
        trustScore: 41, riskLevel: .high, narrative: String(repeating: "The page pressures visitors with a ticking clock and stock claims. ", count: 4),
        signalScores: ["security": 72, "dark_patterns": 20, "transparency": 60, "hygiene": 80], siteType: .shop,
        securityResults: .object(["score": 70, "grade": "B", "https": true, "hsts": .object(["max_age": 31_536_000])]),
        darkPatternSummary: DarkPatternSummary(findings: findings))))
    return (progress, completed)
}

/// Decodes and encodes `count` headers of each kind both ways; prints a table.
func benchCodecs(rounds: Int, scale: UInt64) throws {
    let (progress, completed) = try sampleEvents()
    let count = Int(200_000 / scale)
    let decoder = JSONDecoder(), encoder = JSONEncoder()

    func rate(_ body: () throws -> Void) rethrows -> Double {
        var rates: [Double] = []
        for _ in 0..<rounds {
            let start = monotonicSeconds()
            for _ in 0..<count { try body() }
            rates.append(Double(count) / (monotonicSeconds() - start))
        }
        return median(rates)
    }

    print("")
    print("| event header | strict parser + FieldReader (the protocol's path) | JSONDecoder on unchecked mirrors (Codable) | protocol / Codable |")
    print("|---|---|---|---|")
    func row<Payload: Codable>(_ name: String, _ event: AuditEvent, _ mirror: Payload.Type) throws {
        let frame = RunnerMessage.event(event).encodeFrames()[0]
        let ours = try rate { _ = try RunnerMessage.decode(frames: [frame]) }
        let theirs = try rate { _ = try decoder.decode(MirrorEvent<Payload>.self, from: frame) }
        print("| decode \(name) (\(frame.count) B) | \(format(ours, unit: "headers/s")) | \(format(theirs, unit: "headers/s")) | \(String(format: "%.2f×", ours / theirs)) |")
        let value = try decoder.decode(MirrorEvent<Payload>.self, from: frame)
        let encodeOurs = rate { _ = RunnerMessage.event(event).encodeFrames() }
        let encodeTheirs = try rate { _ = try encoder.encode(value) }
        print("| encode \(name) | \(format(encodeOurs, unit: "headers/s")) | \(format(encodeTheirs, unit: "headers/s")) | \(String(format: "%.2f×", encodeOurs / encodeTheirs)) |")
    }
    try row("audit.progress", progress, MirrorProgress.self)
    try row("audit.completed, 3 findings", completed, MirrorCompleted.self)
}
