import Foundation
import VeritasProtocol

/// Forced action: forced enrollment.
enum ForcedActionDetector {
    static func findings(on page: AuditedPage) -> [Finding] { forcedEnrollment(page) + bundledConsent(page) }

    /// An account, a workspace or a subscription demanded for a task that does not need one.
    private static let gate = TextPattern(
        #"\b(create|open|set up|sign up for|register( for)?|make) (a |an |your )?(free )?([\w-]+ ){0,2}(account|workspace|profile|membership)s? to (download|read|continue|view|access|get|see|check ?out|place|complete|buy|order|unlock|keep)\b|\baccount is (required|needed|mandatory)\b|(?<!(n['’]t|not|never|no) )\b(must|need to|have to) (create|register|sign up|have an account|subscribe|log in to a new)\b|\bguest checkout is (not|un)available\b|\bno guest checkout\b|\bsubscribe (now )?to (keep reading|continue|read|access|unlock|download|view|see)\b|\b(register|sign up|join)( now| for free| free| today)? to (download|read|continue|view|access|unlock|keep reading|see the rest)\b"#)

    /// A duty to register a thing, not an account: "Every beekeeper must register their apiary with
    /// the Management Agency", "you must register your bike with the council"; or to register as
    /// a voter or a resident, where registering is the task itself ("you need to register at
    /// your new address", "you must register to vote").
    private static let registersAThing = TextPattern(
        #"\b(must|need to|have to) register (their|your|the|a|an|each|every|any) (?!((free|new|own) )?(account|profile|membership|workspace|login)s?\b)\w+"#
            + #"|\b(must|need to|have to) register (again )?(to vote|as an? (voter|elector|resident|patient)|at (your|the|a|their) (new |current |home )?address|on the electoral (roll|register))\b"#)

    /// Wording, in the page's own text, that makes an account or subscription the price of a task.
    static func forcedEnrollment(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .forcedEnrollment, severity: .medium, confidence: 0.75, pattern: gate, maxLength: 400, needsSale: false, unless: registersAThing,
                    describe: { "task gated behind \"\($0)\"" }).findings(on: page)
    }

    /// Accepting the terms, which a purchase or sign-up needs.
    private static let termsAcceptance = TextPattern(
        #"\b(agree|accept|consent)\w* (to |with )?(the |our |all )?(\w+ ){0,2}(terms|t\s?&\s?cs?|conditions|terms of (service|use|sale)|privacy policy)\b|\b(read|reviewed) and (accept|agree)\w*\b"#)
    /// Something the task does not need: joining a programme, marketing email, being contacted.
    private static let extraEnrollment = TextPattern(
        #"\bjoin\w*\b|\b(receive|get|send me|sign me up for)\b[^.]{0,40}\b(e-?mails?|newsletters?|texts?|sms|offers|promotions?|promotional|marketing|news)\b|\bpromotional\b|\bmarketing\b|\b(contact|call|text|e-?mail) me\b|\bauthori[sz]e \w+ to contact\b|\bsubscribe\w*\b|\benrol\w*\b|\bmembership\b"#)

    /// One checkbox that bundles accepting the terms (needed to buy or sign up) with joining a
    /// programme or receiving marketing (not needed): ticking it to proceed enrols the person.
    /// A checkbox with only one of the two is a consent or an opt-in, not reported here.
    static func bundledConsent(_ page: AuditedPage) -> [Finding] {
        // A label a link splits into blocks ("I've read and accept the <a>terms</a>, I also
        // authorize … to contact me") is read whole: the control's own label.
        let labels = page.document.inputs.filter { $0.type == "checkbox" }.compactMap(\.label)
        var findings: [Finding] = []
        for block in page.blocks where !block.isQuotation && block.text.count <= 500 {
            guard case .checkbox = block.role else { continue }
            let label = labels.first { $0.count <= 500 && $0.count > block.text.count && $0.contains(block.text) } ?? block.text
            guard let terms = termsAcceptance.firstMatch(in: label), let extra = extraEnrollment.firstMatch(in: label),
                  !findings.contains(where: { $0.evidence == label }) else { continue }
            findings.append(Finding(
                patternType: .forcedEnrollment, severity: .medium, confidence: 0.7, evidence: label,
                location: block.location("one checkbox bundles \"\(terms)\" with \"\(extra)\"")))
        }
        return findings
    }
}
