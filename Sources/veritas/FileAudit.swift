import Foundation
import VeritasAudit
import VeritasHTML
import VeritasProtocol
import VeritasRunner
import VeritasSecurity

/// `veritas analyze FILE`: an HTML file audited in process with the same detectors, signals and
/// verdict as the runner's engine (``HTTPAuditEngine``), giving the same
/// ``CompletedEventPayload`` so both kinds of input print the same way.
///
/// What a file does not have, the result says:
/// - **No rendering.** The file is analysed as written: its scripts do not run, so patterns that
///   scripts add are not seen (`security_results.rendered` is false and `render_error` says why).
///   The engine's renderer is internal to `VeritasRunner`, so a file cannot be rendered from here.
/// - **No HTTP headers.** The Observatory grade is computed for a page served over plain http with
///   no headers, so it only reflects their absence (`security_results.source` is `"file"`, and
///   `note` says so).
enum FileAudit {
    /// Why a file was not rendered (`security_results.render_error`).
    static let notRendered = "veritas analyze does not render files"
    /// What the security grade of a file means (`security_results.note`).
    static let noHeaders = "a file has no HTTP headers: its security grade only reflects their absence"

    /// Audits the HTML file at `file` (a file URL). Throws ``AuditFailure`` when it is missing,
    /// a folder, unreadable, over `sizeLimit` bytes, or not HTML; its message does not repeat the
    /// path (the caller names the input).
    static func audit(_ file: URL, verdictMode: VerdictMode, sizeLimit: Int = HTMLDocument.defaultSizeLimit) throws -> CompletedEventPayload {
        let data = try read(file, sizeLimit: sizeLimit)
        let document: HTMLDocument
        do {
            // The file's own <meta charset>, then UTF-8; a charset libxml2 does not know is dropped.
            document = try (try? HTMLDocument(parsing: data, baseURL: file, sizeLimit: sizeLimit))
                ?? HTMLDocument(parsing: String(decoding: data, as: UTF8.self), baseURL: file, sizeLimit: sizeLimit)
        } catch {
            throw AuditFailure("could not be read as HTML: \(error)")
        }

        let page = AuditedPage(url: file, document: document, isRendered: false)
        let findings = Array(DarkPatternDetector.findings(on: page).prefix(ProtocolLimits.maxFindingsPerEvent))
        let security = ObservatoryGrader.grade(ObservatoryInput(
            host: "", scheme: "http", httpAvailable: false, redirectChain: nil, headers: [:], cookies: [],
            scripts: document.scripts.map { ScriptTag(src: $0.src, integrity: $0.integrity, crossorigin: $0.crossOrigin) }))
        let hygiene = HygieneSignals(page: page, finalURL: file, redirects: 0, pageBytes: data.count)
        let verdict = TrustVerdict(
            security: security, findings: findings, transparency: TransparencySignals(page), hygiene: hygiene,
            siteType: SiteClassifier.classify(page).type)

        var narrative = verdict.narrative(mode: verdictMode, url: file.absoluteString)
        narrative += verdictMode == .expert
            ? "\nThe file was analysed as written, without running its scripts: patterns that scripts add were not seen. A file has no HTTP headers, so the security grade only reflects their absence."
            : " A file has no HTTP headers, so its security grade only reflects their absence."
        var counts: [String: JSONValue] = [:]
        for finding in findings { counts[finding.category.rawValue] = .number((counts[finding.category.rawValue]?.doubleValue ?? 0) + 1) }
        return CompletedEventPayload(
            trustScore: verdict.trustScore,
            riskLevel: verdict.riskLevel,
            narrative: String(narrative.prefix(ProtocolLimits.maxNarrativeLength)),
            signalScores: verdict.signalScores,
            siteType: verdict.siteType,
            securityResults: securityResults(report: security, file: file, hygiene: hygiene),
            darkPatternSummary: DarkPatternSummary(
                findings: findings,
                summary: .object([
                    "by_category": .object(counts), "total": .number(Double(findings.count)),
                    "dark_pattern_score": .number(Double(verdict.darkPatternScore)),
                ])))
    }

    /// The file's bytes, after checking it exists, is a regular file within the limit and looks
    /// like HTML.
    private static func read(_ file: URL, sizeLimit: Int) throws -> Data {
        let path = file.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AuditFailure("no such file")
        }
        guard !isDirectory.boolValue else { throw AuditFailure("a folder, not an HTML file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > sizeLimit {
            throw AuditFailure("larger than the \(sizeLimit / 1024 / 1024) MiB page limit")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw AuditFailure("cannot be read: \((error as NSError).localizedDescription)")
        }
        guard data.count <= sizeLimit else { throw AuditFailure("larger than the \(sizeLimit / 1024 / 1024) MiB page limit") }
        guard looksLikeHTML(data) else { throw AuditFailure("not an HTML file (no HTML tags in it)") }
        return data
    }

    /// Whether `data` reads like markup: some `<` followed by a letter, `!` or `/`, and (unless it
    /// starts with a UTF-16 byte-order mark) no NUL byte, which text never has.
    static func looksLikeHTML(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        if !utf16, bytes.contains(0) { return false }
        let step = utf16 ? 2 : 1
        var index = bytes.startIndex
        while let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
            let next = open + step
            guard next < bytes.count else { return false }
            let byte = bytes[next] | 0x20
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || bytes[next] == UInt8(ascii: "!") || bytes[next] == UInt8(ascii: "/") {
                return true
            }
            index = open + 1
        }
        return false
    }

    /// The `security_results` object of the engine (same keys, see `docs/AUDIT.md`) for a file:
    /// no https, no redirects, no plain-http chain, not rendered; plus `source: "file"` and `note`.
    static func securityResults(report: ObservatoryReport, file: URL, hygiene: HygieneSignals) -> JSONValue {
        SecurityResults.json(
            report: report, finalURL: file, redirects: [], httpChain: nil, hygiene: hygiene, rendered: false,
            renderError: notRendered, extra: ["source": .string("file"), "note": .string(noHeaders)])
    }
}
