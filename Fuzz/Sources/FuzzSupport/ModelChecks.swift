import Foundation
import VeritasProtocol

// Independent checks of the documented ranges (docs/PROTOCOL.md §5.3, §6, §10) on values a decoder
// accepted. A round trip alone cannot catch a missing range check (the same reader validates
// both times), so these restate the limits from ProtocolLimits directly.

/// Levels of `[`/`{` nesting of an opaque value.
public func jsonDepth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let items): 1 + (items.map(jsonDepth).max() ?? 0)
    case .object(let fields): 1 + (fields.values.map(jsonDepth).max() ?? 0)
    default: 0
    }
}

/// `text` has `min...max` scalars and no control character (tab, LF, CR allowed when `multiline`).
public func checkText(
    _ text: String, _ field: String, min: Int = 0, max: Int, multiline: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) {
    let count = scalarCount(text)
    require((min...max).contains(count), "\(field) has \(count) scalars; allowed \(min)...\(max)", file: file, line: line)
    require(hasNoControls(text, multiline: multiline), "\(field) has a control character", file: file, line: line)
}

/// `signal_scores`: at most 32 names of `[a-z0-9_]` (≤ 64), each scored 0...100.
public func checkScores(_ scores: [String: Double], _ field: String) {
    require(scores.count <= ProtocolLimits.maxSignalScores, "\(field) has \(scores.count) entries")
    for (name, score) in scores {
        require(isSnakeIdentifier(name, maxLength: ProtocolLimits.maxSignalNameLength), "\(field) name \(name.debugDescription)")
        require((0...100).contains(score), "\(field).\(name) = \(score)")
    }
}

/// An opaque value (`security_results`, `summary`) is at most 16 levels deep.
public func checkOpaque(_ value: JSONValue?, _ field: String) {
    guard let value else { return }
    require(jsonDepth(value) <= ProtocolLimits.maxOpaqueJSONDepth, "\(field) is \(jsonDepth(value)) levels deep")
}

/// The ranges of an Audit object (§5.3).
public func checkAudit(_ audit: Audit) {
    checkText(audit.url, "audit.url", max: ProtocolLimits.maxURLLength)
    if let score = audit.trustScore { require((0...100).contains(score), "audit.trust_score \(score)") }
    if let narrative = audit.narrative {
        checkText(narrative, "audit.narrative", max: ProtocolLimits.maxNarrativeLength, multiline: true)
    }
    if let scores = audit.signalScores { checkScores(scores, "audit.signal_scores") }
    checkOpaque(audit.securityResults, "audit.security_results")
    if let message = audit.errorMessage {
        checkText(message, "audit.error_message", max: ProtocolLimits.maxErrorMessageLength, multiline: true)
    }
    require((0...ProtocolLimits.maxJobAttempt).contains(audit.attempts), "audit.attempts \(audit.attempts)")
}

/// The ranges of a Finding (§5.3), including its category matching its type.
public func checkFinding(_ finding: Finding) {
    require(finding.patternType.category == finding.category, "finding category mismatch")
    require((0...1).contains(finding.confidence), "finding confidence \(finding.confidence)")
    checkText(finding.evidence, "finding.evidence", min: 1, max: ProtocolLimits.maxEvidenceLength, multiline: true)
    if let location = finding.location { checkText(location, "finding.location", max: ProtocolLimits.maxLocationLength) }
}

/// The ranges of a ScreenshotInfo (§5.3); `file_path` relative, without `.`/`..`/empty components.
public func checkScreenshotInfo(_ info: ScreenshotInfo) {
    require((0...ProtocolLimits.maxScreenshotIndex).contains(info.index), "screenshot.index \(info.index)")
    checkText(info.label, "screenshot.label", min: 1, max: ProtocolLimits.maxLabelLength)
    require((1...ProtocolLimits.maxScreenshotBytes).contains(info.fileSizeBytes), "screenshot.file_size_bytes \(info.fileSizeBytes)")
    require(
        info.sha256.utf8.count == 64 && info.sha256.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) },
        "screenshot.sha256 \(info.sha256.debugDescription)")
    checkText(info.filePath, "screenshot.file_path", min: 1, max: ProtocolLimits.maxFilePathLength)
    require(!info.filePath.hasPrefix("/") && !info.filePath.contains("\\"), "screenshot.file_path is absolute or has a backslash")
    for component in info.filePath.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
        let text = String(decoding: component, as: UTF8.self)
        require(!text.isEmpty && text != "." && text != "..", "screenshot.file_path component \(text.debugDescription)")
    }
}

/// The ranges of a runner event and its payload (§6.2).
public func checkEvent(_ event: AuditEvent) {
    require((1...ProtocolLimits.maxEventSeq).contains(event.seq), "event seq \(event.seq)")
    require(event.name.isRunnerEvent, "a runner event named \(event.name.rawValue)")
    switch event.payload {
    case .started(let started):
        if let broken = violatesURLRules(started.url) { violated("audit.started url breaks §3.5 (\(broken)): \(started.url.debugDescription)") }
    case .progress(let progress):
        require(isSnakeIdentifier(progress.phase, maxLength: ProtocolLimits.maxPhaseLength), "progress phase \(progress.phase.debugDescription)")
        require((0...100).contains(progress.percent), "progress percent \(progress.percent)")
        if let message = progress.message { checkText(message, "progress.message", max: ProtocolLimits.maxShortTextLength) }
    case .screenshot(let metadata, let bytes):
        require((0...ProtocolLimits.maxScreenshotIndex).contains(metadata.index), "screenshot index \(metadata.index)")
        checkText(metadata.label, "screenshot.label", min: 1, max: ProtocolLimits.maxLabelLength)
        require(metadata.byteCount == bytes.count, "byte_count \(metadata.byteCount) but \(bytes.count) image bytes")
        require((1...ProtocolLimits.maxScreenshotBytes).contains(bytes.count), "image of \(bytes.count) bytes")
        if let hash = metadata.sha256 {
            require(
                hash.utf8.count == 64 && hash.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) },
                "screenshot sha256 not 64 lowercase hex digits: \(hash.debugDescription)")
        }
    case .completed(let completed):
        require((0...100).contains(completed.trustScore), "trust_score \(completed.trustScore)")
        checkText(completed.narrative, "narrative", min: 1, max: ProtocolLimits.maxNarrativeLength, multiline: true)
        checkScores(completed.signalScores, "signal_scores")
        if case .object = completed.securityResults {} else { violated("security_results is not an object") }
        checkOpaque(completed.securityResults, "security_results")
        require(completed.darkPatternSummary.findings.count <= ProtocolLimits.maxFindingsPerEvent, "too many findings")
        completed.darkPatternSummary.findings.forEach(checkFinding)
        checkOpaque(completed.darkPatternSummary.summary, "dark_pattern_summary.summary")
    case .error(let error):
        checkText(error.errorMessage, "error_message", min: 1, max: ProtocolLimits.maxErrorMessageLength, multiline: true)
    }
}

/// A runner's `active` list has at most 256 audit ids.
public func checkActive(_ active: [AuditID], _ field: String) {
    require(active.count <= ProtocolLimits.maxActiveAuditsPerRunner, "\(field) has \(active.count) ids")
}
