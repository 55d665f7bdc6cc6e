import Foundation
import VeritasProtocol

/// Forced action: forced enrollment.
enum ForcedActionDetector {
    static func findings(on page: AuditedPage) -> [Finding] { forcedEnrollment(page) }

    /// An account, a workspace or a subscription demanded for a task that does not need one.
    private static let gate = TextPattern(
        #"\b(create|open|set up|sign up for|register( for)?|make) (a |an |your )?(free )?([\w-]+ ){0,2}(account|workspace|profile|membership)s? to (download|read|continue|view|access|get|see|check ?out|place|complete|buy|order|unlock|keep)\b|\baccount is (required|needed|mandatory)\b|\b(must|need to|have to) (create|register|sign up|have an account|subscribe|log in to a new)\b|\bguest checkout is (not|un)available\b|\bno guest checkout\b|\bsubscribe (now )?to (keep reading|continue|read|access|unlock|download|view|see)\b|\b(register|sign up|join)( now| for free| free| today)? to (download|read|continue|view|access|unlock|keep reading|see the rest)\b"#)

    /// Wording, in the page's own text, that makes an account or subscription the price of a task.
    static func forcedEnrollment(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .forcedEnrollment, severity: .medium, confidence: 0.75, pattern: gate, maxLength: 400, needsSale: false,
                    describe: { "task gated behind \"\($0)\"" }).findings(on: page)
    }
}
