import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol
import VeritasReport

/// `veritas report ID -o FILE.html`: one audit as a self-contained HTML page (``HTMLReport``),
/// from the writer's `status`, `findings`, `screenshots` and `screenshot` replies.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one audit as a self-contained HTML report.",
        discussion: """
            The report holds the verdict, the signal scores, the security grade with every test, each \
            finding with its full evidence and place, and the screenshots with the findings outlined \
            on them. It is one file that loads nothing from the network and runs no script: open it \
            in any browser, print it, mail it, archive it. Each screenshot's SHA-256 is checked \
            against the writer's metadata first. An audit that has not completed gets a report of \
            its status so far.

            Exit codes: 0 written; 1 the file could not be written or a screenshot failed its check; \
            3-5 as for every writer query (not found, unreachable, refused).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The HTML file to write (- for stdout).", valueName: "file"))
    var output: String

    func validate() throws {
        if output.isEmpty { throw ValidationError("--output must not be empty") }
    }

    func run() async throws {
        let report = try await options.withClient { client in try await AuditReport.fetch(id.id, from: client, origin: "writer \(options.writer)") }
        let html = HTMLReport.render(report)
        if output == "-" {
            Console.write(html)
            return
        }
        let file = URL(fileURLWithPath: output)
        do {
            try Data(html.utf8).write(to: file, options: .atomic)
        } catch {
            throw CommandFailure(.failure, "cannot write \(output): \((error as NSError).localizedDescription)")
        }
        if options.json {
            Console.json(JSONValue.object([
                "ok": true, "file": .string(file.path), "bytes": .number(Double(html.utf8.count)), "audit_id": .string(report.audit.id.rawValue),
                "findings": .number(Double(report.findings.count)), "screenshots": .number(Double(report.screenshots.count)),
            ]).encoded())
        } else {
            let outlined = report.findings.filter { $0.box != nil }.count
            Console.line("wrote \(file.path) (\(Formatting.bytes(html.utf8.count))): \(report.audit.status.rawValue), "
                + "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s") (\(outlined) outlined), "
                + "\(report.screenshots.count) screenshot\(report.screenshots.count == 1 ? "" : "s")")
        }
    }
}
