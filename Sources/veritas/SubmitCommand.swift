import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// `veritas submit URL...`: queue audits, optionally following them to the end and failing a CI
/// step when one misses a bar.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue audits of one or more URLs.",
        discussion: """
            Prints each new audit's id, one per line (with --json, one reply object per line). With \
            --wait, follows each audit in turn like `veritas watch`. --fail-under and --max-risk \
            imply --wait and make the command a gate for scripts and CI.

            Exit codes: 0 every audit submitted (and, with --wait, completed within the bars); \
            6 an audit ended in error; 7 an audit completed but missed --fail-under or --max-risk \
            (6 wins when both happen); 3 the writer is unreachable; 5 the writer refused a URL.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The http(s) URLs to audit.")
    var urls: [String] = []

    @Option(name: .customLong("from"), help: ArgumentHelp(
        "Also read URLs from this file, one per line ('-' for standard input); blank lines and lines starting with # are skipped.",
        valueName: "file"))
    var from: String?

    @Option(help: "How thorough the audit is.")
    var tier: Tier = .standard

    @Option(help: "How the verdict is explained.")
    var verdictMode: VerdictMode = .simple

    @Flag(help: "Follow each audit's progress until it completes or fails.")
    var wait = false

    @Option(name: .customLong("fail-under"), help: ArgumentHelp(
        "Exit 7 when an audit's trust score is below this (0-100). Implies --wait.", valueName: "score"))
    var failUnder: Int?

    @Option(name: .customLong("max-risk"), help: ArgumentHelp(
        "Exit 7 when an audit's risk is above this level (low, medium, high, critical). Implies --wait.", valueName: "risk"))
    var maxRisk: RiskLevel?

    func validate() throws {
        if let failUnder, !(0...100).contains(failUnder) {
            throw ValidationError("--fail-under must be 0-100; got \(failUnder)")
        }
        if urls.isEmpty && from == nil {
            throw ValidationError("give at least one URL, or --from FILE")
        }
    }

    func run() async throws {
        let targets = try urls + readList()
        guard !targets.isEmpty else { throw ValidationError("no URL to audit: \(from ?? "the list") is empty") }
        let follows = wait || failUnder != nil || maxRisk != nil
        try await options.withClient { client in
            var submitted: [Audit] = []
            for url in targets {
                let response = try await client.perform(.submit(url: url, tier: tier, verdictMode: verdictMode))
                guard case .submitted(let audit) = response.reply else { throw CommandFailure(.failure, "unexpected reply to submit") }
                submitted.append(audit)
                if options.json {
                    Console.json(response.json)
                } else if follows {
                    Console.line("submitted \(audit.id) (\(audit.status.rawValue)): \(audit.url)")
                } else {
                    Console.line(audit.id.rawValue)
                }
            }
            guard follows else { return }
            var worst = VeritasExitStatus.success
            let follower = AuditFollower(options: options, client: client)
            for (index, audit) in submitted.enumerated() {
                if submitted.count > 1 && !options.json { Console.line("[\(index + 1)/\(submitted.count)] \(audit.url)") }
                let ended = try await follower.follow(audit.id)
                if ended.status == .error {
                    worst = .auditFailed
                } else if let reason = missedBar(ended) {
                    if !options.json { Console.line("below the bar: \(reason)") }
                    if worst == .success { worst = .belowBar }
                }
            }
            if worst != .success { throw ExitCode(worst.rawValue) }
        }
    }

    /// Why a completed audit misses `--fail-under` / `--max-risk`, or `nil` when it passes.
    func missedBar(_ audit: Audit) -> String? {
        var reasons: [String] = []
        if let failUnder, let score = audit.trustScore, score < failUnder {
            reasons.append("trust score \(score) is below --fail-under \(failUnder)")
        }
        if let maxRisk, let risk = audit.riskLevel, risk.rank > maxRisk.rank {
            reasons.append("risk \(risk.rawValue) is above --max-risk \(maxRisk.rawValue)")
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// The URLs of `--from`: one per line, blank lines and `#` comments skipped.
    private func readList() throws -> [String] {
        guard let from else { return [] }
        let data: Data
        if from == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: from) else {
                throw ValidationError("cannot read --from \(from)")
            }
            data = contents
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
