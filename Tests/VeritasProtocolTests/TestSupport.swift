import Foundation
import Testing
import VeritasProtocol

/// Runs `body`, which must fail with a ``ProtocolError`` (bare, or inside one of the decoders'
/// context wrappers) of `code` whose message contains every fragment (usually the field name).
func expectProtocolError(
    _ code: ErrorCode, mentioning fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code.rawValue) mentioning \(fragments), but nothing was thrown", sourceLocation: sourceLocation)
    } catch {
        guard let protocolError = unwrapProtocolError(error) else {
            Issue.record("expected a ProtocolError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(protocolError.code == code, "message: \(protocolError.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                protocolError.message.contains(fragment), "'\(protocolError.message)' should mention '\(fragment)'",
                sourceLocation: sourceLocation)
        }
    }
}

/// The ``ProtocolError`` inside any error this module throws.
func unwrapProtocolError(_ error: any Error) -> ProtocolError? {
    switch error {
    case let error as ProtocolError: error
    case let error as QueryRequestError: error.error
    case let error as RunnerMessageError: error.error
    default: nil
    }
}

/// UTF-8 bytes of a JSON literal written in a test.
func frame(_ json: String) -> Data {
    Data(json.utf8)
}

/// A deterministic generator (SplitMix64) so fuzz failures reproduce exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Shared, valid sample values.
enum Fixtures {
    static let auditID = try! AuditID("0192f7a4-3b1c-7d2e-8f00-0123456789ab")
    static let otherAuditID = try! AuditID("0192f7a4-3b1c-7d2e-8f00-0123456789ac")
    static let eventID = try! EventID("0192f7a4-3b1d-7000-8000-00000000000e")
    static let runnerID = try! RunnerID("runner-1")
    static let writerID = try! RunnerID("writer-a")
    static let time = Timestamp(millisecondsSinceEpoch: 1_795_705_723_123)
    static let image = Data((0..<300).map { UInt8(truncatingIfNeeded: $0) })

    static let findings = [
        Finding(patternType: .countdownTimer, severity: .high, confidence: 0.92, evidence: "Offer ends in 04:59", location: "#timer"),
        Finding(patternType: .lowStock, severity: .medium, confidence: 0.5, evidence: "Only 2 left!\nHurry",
                box: FindingBox(screenshotIndex: 1, x: 12.5, y: 480, width: 320, height: 48)),
        Finding(patternType: .confirmshaming, severity: .low, confidence: 1, evidence: "No thanks, I hate saving money"),
    ]

    static let completed = CompletedEventPayload(
        trustScore: 42, riskLevel: .high, narrative: "Pressure tactics everywhere.\nBe careful.",
        signalScores: ["https": 100, "hsts": 0, "csp": 37.5],
        siteType: .shop,
        securityResults: ["https": true, "hsts": ["max_age": 0], "cookies": [["name": "sid", "secure": false]], "grade": "C"],
        darkPatternSummary: DarkPatternSummary(findings: findings, summary: ["total": 3, "by_category": ["urgency": 1]]))

    static let payloads: [EventPayload] = [
        .started(StartedEventPayload(url: "https://shop.example.com/deals?x=1", tier: .deep, verdictMode: .expert)),
        .progress(ProgressEventPayload(phase: "fetch", percent: 12.5, message: "fetching page")),
        .progress(ProgressEventPayload(phase: "dark_patterns", percent: 100)),
        .screenshot(index: 0, label: "viewport — 1280×800", contentType: .png, image: image),
        .screenshot(
            index: 999, label: "full page", contentType: .webp, image: Data([1]), sha256: String(repeating: "ab", count: 32)),
        .completed(completed),
        .error(ErrorEventPayload(errorMessage: "DNS lookup failed for shop.example.com")),
    ]

    static func event(_ payload: EventPayload, seq: Int = 1) -> AuditEvent {
        AuditEvent(eventID: eventID, auditID: auditID, seq: seq, timestamp: time, runnerID: runnerID, payload: payload)
    }

    static let completedAudit = Audit(
        id: auditID, url: "https://shop.example.com/", tier: .deep, verdictMode: .expert, status: .completed,
        trustScore: 42, riskLevel: .high, narrative: "Careful.", signalScores: ["https": 100],
        siteType: .shop, securityResults: ["grade": "C"], errorMessage: nil, runnerID: runnerID, attempts: 1,
        createdAt: time, startedAt: time.adding(milliseconds: 10), completedAt: time.adding(milliseconds: 9_000),
        source: .database)

    static let queuedAudit = Audit(id: otherAuditID, url: "http://example.org", createdAt: time)

    static let screenshotInfo = ScreenshotInfo(
        auditID: auditID, index: 0, label: "viewport", contentType: .png, fileSizeBytes: image.count,
        sha256: String(repeating: "0f", count: 32),
        filePath: "screenshots/\(auditID)/20261126T150843123Z-0.png", createdAt: time)

    /// A valid event header as a JSON object, for tests that then break one field.
    static func eventHeader(_ event: String = "audit.started", payload: JSONValue) -> [String: JSONValue] {
        [
            "type": "event", "event_id": .string(eventID.rawValue), "audit_id": .string(auditID.rawValue), "seq": 1,
            "event": .string(event), "timestamp": .string(time.description), "runner_id": "runner-1", "payload": payload,
        ]
    }

    static let startedPayload: JSONValue = ["url": "https://example.com", "tier": "quick", "verdict_mode": "simple"]
}

extension JSONValue {
    /// Returns a copy of this object with `key` set (or removed when `value` is `nil`).
    func setting(_ key: String, _ value: JSONValue?) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}
