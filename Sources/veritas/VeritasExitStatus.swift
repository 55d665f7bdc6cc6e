import ArgumentParser
import VeritasClient

/// The exit codes of `veritas`, the one place they are defined; `veritas --help` lists them.
///
/// Scripts rely on them, so a code's meaning never changes; new ones are only ever added.
enum VeritasExitStatus: Int32, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 2
    case unreachable = 3
    case notFound = 4
    case refused = 5
    case auditFailed = 6
    case belowBar = 7
    case analysisFailed = 8
    case unhealthy = 9

    /// The case's name in snake case (`not_found`, `below_bar`), for `--json` errors.
    var name: String {
        String("\(self)".flatMap { $0.isUppercase ? ["_", Character($0.lowercased())] : [$0] })
    }

    /// What the code means, for the help text.
    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "any other failure (unexpected reply, unwritable file, checksum mismatch)"
        case .usage: "usage error (bad option or argument)"
        case .unreachable: "writer unreachable or no reply in time (--timeout)"
        case .notFound: "the audit or screenshot does not exist"
        case .refused: "the writer refused the request (any other error reply, e.g. a bad URL)"
        case .auditFailed: "submit --wait or watch: an audit ended in status 'error'"
        case .belowBar: "submit: an audit missed --fail-under or --max-risk; analyze: a page missed --fail-on or --min-trust"
        case .analysisFailed: "analyze: an input could not be analysed, or a bad --segments line"
        case .unhealthy: "health: the writer is degraded (it acknowledges nothing), or fewer runners than --require-runners are connected"
        }
    }

    /// The code for a failed query.
    init(_ error: ClientError) {
        switch error.code {
        case .unreachable, .timeout: self = .unreachable
        case .server(.notFound): self = .notFound
        case .server: self = .refused
        case .badReply: self = .failure
        }
    }

    var exitCode: ExitCode { ExitCode(rawValue) }

    /// The "EXIT CODES" section of `veritas --help`.
    static var helpSection: String {
        "EXIT CODES:\n" + allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }
}
