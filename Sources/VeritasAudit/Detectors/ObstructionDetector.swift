import Foundation
import VeritasProtocol

/// Obstruction: hard to cancel.
enum ObstructionDetector {
    static func findings(on page: AuditedPage) -> [Finding] { hardToCancel(page) }

    private static let cancelWords = TextPattern(#"\bcancel\w*|\bterminat\w*|\bend (your|the|a) (membership|subscription|contract)\b"#
        // Changing or stopping a repeat programme ("To customize this program or future
        // shipments, call customer service"): the way out of it is the same way.
        + #"|\b(customi[sz]e|change|modify|stop|pause|skip)\b[^.]{0,20}\b(program(me)?s?|subscriptions?|memberships?|auto-?ships?|future (shipments|deliveries|orders|boxes))\b"#)
    /// A channel slower than the web: a call, a letter, a visit, a person; or no way on the web.
    private static let offlineChannel = TextPattern(
        #"\b(call|calling|phone|telephone|by post|postal|letter|in person|in-person|visit|speak(ing)? (to|with)|representative|customer care|account manager|fax|notari[sz]ed)\b|\bcannot be cancel\w* online\b|\bcan'?t (be )?cancel\w* online\b|\b(can'?t|cannot|can not|unable to|isn'?t possible to|not possible to)\b[^.]{0,40}\bonline\b|\bnot possible online\b|\bonly (by|via|over) (phone|telephone|post|mail)\b|\b(need|have|must|required) to (contact|email|e-mail|write to)\b"#
            // "There is no cancel button in your account": the web way is ruled out.
            + #"|\bno (cancel|cancell?ation) (button|link|option)\b"#)
    /// The channel is ruled out rather than required: "no phone call needed".
    private static let channelNotNeeded = TextPattern(
        #"\bno (phone )?calls?\b|\bwithout (calling|a call|phoning|a phone call|contacting)\b|\bno need to (call|phone|speak)\b|\bno (letter|visit)s?\b|\b(don't|do not|doesn't|does not|won't|will not|never) (need|have) to (call|phone|telephone|ring|write|visit|speak|talk|contact)\b"#)

    /// Asking someone, by message: "email us at help@…", "by contacting our customer service team",
    /// a phone number. Obstruction only where cancelling is what the passage is about and no web
    /// way is offered (dev.tsv's hard-to-cancel texts: "you can email us at …", "by contacting
    /// our customer service team", "by emailing us at …").
    private static let contactChannel = TextPattern(
        #"\b(contact|contacting|email|e-mail|emailing|e-mailing|write to|writing to|message) (us|our|the|\w+ (customer|member|client|support)\w*)\b|\bby (contacting|emailing|e-mailing|calling|writing)\b"#
            + #"|[\w.+-]+@[\w-]+\.[a-z]{2,}|\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\+\d{2} ?\d{3} ?\d{3}"#)
    /// A way to cancel on the web: the contact is then for help, not the only way.
    private static let onlineWay = TextPattern(
        #"\b(online|in (your |the )?(account|settings|app|dashboard|profile)|from (your |the )?(account|settings|app|dashboard|profile)|self-serve|one click|a click|with a tap)\b"#
            // The link a booking's message carries ("Use the link in your confirmation text or
            // call us"): a web way, the call only the other one.
            + #"|\b(the |a )?link in (your |the )?((booking|confirmation|reminder|appointment) )?(email|e-mail|text|sms|message)\b"#)
    /// The canceller is the visitor: the sentence speaks to them ("you", "please"), names what
    /// they hold (a membership, a plan, an order), or tells them how ("To cancel, call …",
    /// "Cancellations can't be completed online"). Every hard-to-cancel text of dev.tsv does; "A
    /// real call comes first, so an exercise can be cancelled at short notice" is an organiser's
    /// event, not the visitor's commitment.
    private static let visitorCancels = TextPattern(
        #"\b(you|your|yours|please|customers?|members?|subscribers?|subscriptions?|memberships?|plans?|accounts?|contracts?|orders?|bookings?|polic(y|ies)|renewals?|programmes?|programs?)\b|\bto (cancel|terminate)\b|\bcancell?ations?\b"#)
    /// Someone else's cancellation: a comparison site or an adviser sending the visitor to the
    /// provider ("Contact the insurer or broker directly; their cancellation terms are in your
    /// policy documents"). The page is not the seller whose cancellation it describes; `dev.tsv`'s
    /// hard-to-cancel texts are all the seller's own ("us", "our", its name).
    private static let thirdPartys = TextPattern(
        #"\b(contact|call|ask|write to|speak to) (the|your) (insurer|broker|provider|bank|lender|airline|retailer|seller|supplier|landlord|operator|garage|dealer|energy supplier|mobile network|network)s?\b|\btheir (cancell?ation|cancel\w*) (terms|policy|policies|rules)\b"#)
    private static let negation = TextPattern(#"\b(no|not|never|cannot|can'?t|isn'?t|aren'?t|won'?t|unable)\b|n['’]t\b"#)
    /// A recurring commitment on the page: what "hard to cancel" is about (not an event cancelled
    /// by its organiser, or a one-off order).
    private static let recurring = TextPattern(
        #"\b(subscriptions?|subscribe|memberships?|renews?|renewal|auto-?renew\w*|recurring|per month|a month|/\s?(mo|month|yr|year)|monthly|annually|billed every|auto-?ship\w*|every \d+ (days|weeks|months))\b"#)

    /// A sentence of the page's own text that says cancelling needs a call, a letter, a visit or a
    /// representative, or cannot be done online; or, on a page of recurring charges, one that
    /// sends a canceller to a contact (an address, a number, "contact us") where the passage is
    /// about cancelling (its own words, or the sentence or heading just before) and offers no
    /// web way.
    static func hardToCancel(_ page: AuditedPage) -> [Finding] {
        var findings: [Finding] = []
        let hasRecurringCharge = recurring.occurs(in: page.visibleText)
        for block in page.blocks where !block.isQuotation {
            let sentences = block.text.sentences
            for (index, sentence) in sentences.enumerated() where sentence.count <= 400 {
                let unquoted = TextBlock.unquoted(sentence)
                // "if the answer is “call us”, think twice": advice quoting a channel, not requiring one.
                guard !channelNotNeeded.occurs(in: sentence), !thirdPartys.occurs(in: sentence) else { continue }
                let aboutCancelling = cancelWords.occurs(in: sentence)
                // "online in My policy or by phone": the call is one way of two, the web one offered.
                if aboutCancelling, visitorCancels.occurs(in: sentence), !offersWebWay(sentence), let channel = offlineChannel.firstMatch(in: unquoted) {
                    findings.append(finding(sentence, block: block, detail: "cancelling needs \"\(channel)\""))
                    continue
                }
                guard hasRecurringCharge, let contact = contactChannel.firstMatch(in: unquoted), !offersWebWay(sentence) else { continue }
                let context = aboutCancelling ? [sentence] : cancellingContext(before: index, in: sentences, block: block, page: page)
                guard !context.isEmpty, !context.contains(where: offersWebWay) else { continue }
                findings.append(finding(sentence, block: block, detail: "cancelling goes through \"\(contact)\""))
            }
        }
        return findings
    }

    private static func finding(_ sentence: String, block: TextBlock, detail: String) -> Finding {
        Finding(patternType: .hardToCancel, severity: .high, confidence: 0.8, evidence: sentence, location: block.location(detail))
    }

    /// Says a web way exists ("cancel online in Settings"), not that it does not ("no cancel
    /// button in your account"). The clause is what a negation rules out: "Cancel within 14 days, online in My policy or by
    /// phone, for a full refund as long as you haven't travelled" offers the web way; "there is no
    /// cancel button in your account" does not.
    private static func offersWebWay(_ sentence: String) -> Bool {
        sentence.split(whereSeparator: { ",;:".contains($0) }).map(String.init).contains { clause in
            onlineWay.occurs(in: clause) && !negation.occurs(in: clause) && !joinedOnline.occurs(in: clause)
        }
    }
    /// Where the commitment began, not how it ends: "Memberships bought online must be cancelled
    /// in person".
    private static let joinedOnline = TextPattern(#"\b(bought|purchased|joined|signed up|registered|ordered|booked|started|taken out|opened) online\b"#)

    /// The sentences about cancelling just before sentence `index`: earlier in its block, or in
    /// the two blocks before it inside the same small container (an FAQ answer under "How do I
    /// cancel?", a policy's previous paragraph).
    private static func cancellingContext(before index: Int, in sentences: [String], block: TextBlock, page: AuditedPage) -> [String] {
        let earlier = sentences[..<index].filter { cancelWords.occurs(in: $0) }
        if !earlier.isEmpty { return Array(earlier) }
        guard let container = block.ancestorIndices.dropFirst().first else { return [] }
        let before = page.blocks(inside: container).filter { $0.position < block.position && $0.position >= block.position - 2 && $0.text.count <= 400 }
        return before.flatMap(\.text.sentences).filter { cancelWords.occurs(in: $0) }
    }
}
