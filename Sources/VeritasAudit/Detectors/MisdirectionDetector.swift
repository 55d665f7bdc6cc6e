import Foundation
import VeritasHTML
import VeritasProtocol

/// Misdirection: confirmshaming, visual interference, trick questions, pressured selling.
enum MisdirectionDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        let preSelected = pressuredSelling(page)
        let pitches = upsellPitches(page).filter { pitch in !preSelected.contains { $0.evidence.contains(pitch.evidence) || pitch.evidence.contains($0.evidence) } }
        return confirmshaming(page) + visualInterference(page) + outsizedSavings(page) + comparedAtPrices(page) + trickQuestions(page) + preSelected + pitches + pushedAddOns(page)
    }

    /// A link or button, including an `<a>` without `href` that a script makes clickable.
    private static func isControl(_ block: TextBlock) -> Bool {
        switch block.role {
        case .link, .button: true
        default: block.tags.last == "a"
        }
    }

    /// A choice the visitor makes on the page: a control, or a radio option ("Order without free
    /// membership $69.95" in 11px pale grey under the pre-selected member price), which is chosen
    /// as a link is followed.
    private static func isChoice(_ block: TextBlock) -> Bool {
        if isControl(block) { return true }
        if case .radio = block.role { return true }
        return false
    }

    // MARK: Confirmshaming

    /// How a decline option starts: "No thanks", "No,", "Skip", "I don't", "I'd rather".
    private static let declineOpener = TextPattern(
        #"^\W*(no|nope|nah|not now|not today|skip|maybe later|i'?ll pass|i (don'?t|do not)|i'?d rather|i prefer|i'?m (fine|ok|good|not)|continue without|leave|i'?ll (shop|pay|buy|check ?out|continue|go on|stay) without)\b"#)
    /// Words that mock or guilt the person declining.
    private static let loadedWords = TextPattern(
        #"\b(overpay\w*|broken|unprotected|uninformed|ignorant|lonely|sad|bland|boring|wilt\w*|worse|risk\w*|wast\w*|settle\w*|don'?t care|do not care|don'?t like|hate|full price|pay more|0 ?% off|zero (percent|%) off|miss(ing)? out|(be )?the last to know|los(e|ing)|suffer\w*|cold|poor|broke|stupid|dumb|ugly|mediocre|unhealthy|behind|fail\w*|struggl\w*|don'?t deserve|give up|like being|prefer (paying|to pay|being|bland|ugly|worse)|rather (stay|keep|pay|be|not save|struggle)|(don'?t|do not) (want|like|need) (to )?(sav(e|ing)|win|improve|grow|learn|succeed|be (healthy|safe|happy))|(keep|go on|carry on|continue) \w+ing)\b"#
            // "I'd rather kick rocks": any preference spelled out beyond a plain "I'd rather not".
            + #"|\bi'?d rather (?!not\b)\w+"#
            // Settling spelled out: "[NO THANKS, I'LL JUST WALK]", "No thanks, I'll let this offer
            // sail away" (both dev.tsv's; every "No thanks, I'll …" there shames).
            + #"|\bi['’]?ll just (walk|pay|suffer|struggle|settle|overpay|risk|lose|miss out|go without|do without|stay (bland|boring|broke|behind))\b|\bi['’]?ll let (this|the|that|my) (\w+ )?(offer|deal|discount|saving|chance|bargain)s? \w+"#
            // Refusing a named gain ("No thanks, I don't want 15% off / a free gift / any deals"),
            // and "No, I don't feel lucky": as dev.tsv's real declines word it. Refusing a thing
            // ("I don't want an overdraft") names no gain.
            + #"|\b(don'?t|do not) want (\w+ ){0,2}(\d+\s?% off|discounts?|deals?|offers?|free|gifts?|rewards?|savings?|perks?|bargains?)\b|\b(don'?t|do not|not) feel(ing)? lucky\b"#
            // "I'll Shop Without A Discount": going on without a named gain, in the first person
            // ("Continue without discount code" skips a form field, and is not first person).
            + #"|\bi'?ll (shop|pay|buy|check ?out|continue|go on|stay) without (a |any |the |my )?(discount|deal|offer|saving|free gift|reward|perk)s?\b(?! code)"#)

    /// A decline control (link, button, or short text in a modal) that says something bad about
    /// the person for declining: it speaks for them in the first person with loaded words, or the
    /// wording model reads it as confirmshaming. A bare "No thanks" or "Not now" is neutral
    /// whatever the model says: shaming needs words beyond the refusal.
    static func confirmshaming(_ page: AuditedPage) -> [Finding] {
        var findings: [Finding] = []
        for block in page.blocks where block.text.count <= 140 && (isControl(block) || block.isInModal) {
            let text = block.text
            let byRule = declineOpener.occurs(in: text) && CommonPatterns.firstPerson.occurs(in: text)
            if byRule, let loaded = loadedWords.firstMatch(in: text) {
                findings.append(Finding(
                    patternType: .confirmshaming, severity: .medium, confidence: isControl(block) ? 0.85 : 0.7,
                    evidence: text, location: block.location("decline option worded to shame (\"\(loaded)\")")))
                continue
            }
            // A question asks ("Can I use a discount code on a subscription?" in an FAQ's
            // summary); every shaming decline of dev.tsv is a statement.
            guard !text.trimmingCharacters(in: .whitespaces).hasSuffix("?"),
                  let wording = page.darkWording(of: block, as: [.confirmshaming]),
                  (declineOpener.occurs(in: text) || CommonPatterns.firstPerson.occurs(in: text)),
                  wordsBeyondRefusal(text) >= 2,
                  loadedWords.occurs(in: text) || (forgoneGain.occurs(in: text) && !refusesMessages.occurs(in: text)) else { continue }
            findings.append(Finding(
                patternType: .confirmshaming, severity: .medium,
                confidence: WordingRule.rounded(min(wording.prediction.probability, 0.95) * (isControl(block) ? 0.9 : 0.75)),
                evidence: text,
                location: block.location(String(format: "decline option worded to shame (wording model p=%.2f)", wording.prediction.probability))))
        }
        return findings
    }

    /// What the person is told they give up by declining: savings, a discount, a deal. The model
    /// learnt "No thanks, I ..." from shop pop-ups, where nearly every such line shames; a neutral
    /// refusal ("No thanks, I don't want an overdraft") names no loss. Paying is a loss only when
    /// it is more than needed: every one of dev.tsv's shaming declines that speaks of paying pays
    /// "full price" or "more", while "I want to pay monthly" is a plain choice of how to pay.
    private static let forgoneGain = TextPattern(
        #"\b(sav(e|ing|ings)|discount\w*|deals?|offers?|free|money|price|cheaper|bargains?|rewards?|perks?|benefits?|smarter|better)\b"#
            + #"|\bpay(ing)? (\w+ ){0,2}(more|extra|double|twice)\b"#)

    /// A refusal of messages ("I don't want to receive daily email alerts about your amazing
    /// discounts"): the gain named is what the emails would be about, not what declining gives up.
    /// No confirmshaming text of dev.tsv refuses messages; its one such line is a faint option
    /// (visual interference).
    private static let refusesMessages = TextPattern(
        #"\b(don'?t|do not|never) (want|wish|need) (to (receive|get)|any( more)?) (\w+ ){0,3}(e-?mails?|alerts|newsletters?|notifications|messages|texts|sms|updates)\b"#)

    /// Words left once the refusal itself ("No thanks,", "Skip", "Not now") is taken away.
    private static func wordsBeyondRefusal(_ text: String) -> Int {
        let refusal = TextPattern(#"^\W*(no,? thanks?( you)?|no|nope|not now|not today|maybe later|skip( this)?|close|dismiss|cancel)\b\W*"#)
        return refusal.replacingMatches(in: text, with: "").split(whereSeparator: { !$0.isLetter && $0 != "'" }).count
    }

    // MARK: Visual interference

    /// The option a person may want to take: refuse, skip, cancel, the free plan.
    private static let escapeOption = TextPattern(
        #"\b(reject|decline|refuse|no,? thanks|not now|skip|continue without|without (non-essential|optional|extra)|(order|check ?out|buy|proceed|pay|book|purchase|shop) without|cancel\w*|free plan|basic plan|free version|essential (cookies )?only|necessary (cookies )?only|opt[- ]out|i still want|downgrade|don'?t want|keep (my )?free|keep using|stay on|stick with|remain on|continue with (the )?(free|basic|starter|current))\b"#)

    /// An offer said to hold only if taken at once: "This offer is only VALID if you add to cart
    /// now!", "Deal valid only while this window is open".
    private static let offerValidOnlyNow = TextPattern(
        #"\b(offer|deal|discount|price|saving)s? (is |are )?(only )?(valid|available|good)\b[^.!?]{0,40}\b(now|today|only|while|until)\b"#)

    /// An escape option (reject, skip, cancel, free plan) shown tiny or faint, next to a
    /// prominent alternative in the same box: the alternative is at least 3px larger or twice the
    /// contrast, and is not faint itself.
    static func visualInterference(_ page: AuditedPage) -> [Finding] {
        var findings: [Finding] = []
        for block in page.blocks where isChoice(block) && block.text.count <= 120 {
            let faint = block.isFaint || block.fontSize <= 11 || block.contrast < 3
            guard faint, let option = escapeOption.firstMatch(in: block.text) else { continue }
            let prominent = page.neighbours(of: block, levels: 4) { other in
                isChoice(other) && !other.isFaint && !escapeOption.occurs(in: other.text)
                    && (other.fontSize >= block.fontSize + 3 || other.contrast >= block.contrast * 2)
            }
            guard let alternative = prominent.first else { continue }
            // The box's own pressing line ("This offer is only VALID if you add to cart now!", as
            // dev.tsv labels such a box) is what the faint way out is set against: quoted first.
            let pressing = page.neighbours(of: block, levels: 2, withinWidget: true, includingOwnElement: true) { other in
                !isChoice(other) && other.text.count <= 120 && offerValidOnlyNow.occurs(in: other.text)
            }.first
            findings.append(Finding(
                patternType: .visualInterference, severity: .medium, confidence: 0.8,
                evidence: pressing.map { "\($0.text) … \(block.text)" } ?? block.text,
                location: block.location(String(
                    format: "\"%@\" option at %.0fpx, contrast %.1f:1, beside \"%@\" at %.0fpx, contrast %.1f:1",
                    option, block.fontSize, block.contrast, alternative.text.clipped(to: 60), alternative.fontSize, alternative.contrast))))
        }
        return findings
    }

    /// A saving line: "Save $148.98AUD – 49% Off", "You save 40%", "49% OFF".
    private static let savingLine = TextPattern(#"^\W*(you )?sav(e|ing)\b[^.!?]{0,30}(\d|%)|^\W*\d+\s?% off\W*$"#)
    /// A reference price the saving is measured from, in words: "RRP", "was", "compare at".
    private static let referencePrice = TextPattern(#"\b(rrp|was|compare at|regular price|list price|reg\.|msrp|retail price)\b"#)
    /// Tags that strike a price through.
    private static let strikingTags: Set<Substring> = ["s", "del", "strike"]

    /// Whether `segment` is struck through (inside `<s>`, `<del>` or `<strike>`): a reference price.
    private static func isStruck(_ segment: TextSegment) -> Bool {
        segment.path.split(separator: ">").contains(where: strikingTags.contains)
    }

    /// A saving set far larger than the price it leaves to pay, against a reference price:
    /// "Save $148.98AUD – 49% Off" at 27px between "RRP $302.98" struck through and "Your price
    /// $154.00" at 15px. The eye takes the saving and not the price, which is how dev.tsv's
    /// visual-interference line reads. A saving no larger than the price, or with no reference
    /// price beside it, is an ordinary sale label.
    static func outsizedSavings(_ page: AuditedPage) -> [Finding] {
        page.blocks.compactMap { block in
            guard block.text.count <= 60, !block.isFaint, !block.isHeading, savingLine.occurs(in: block.text) else { return nil }
            let isStruck = { (other: TextBlock) in other.segments.contains(where: Self.isStruck) }
            guard let payable = page.neighbours(of: block, levels: 2, withinWidget: true, where: { other in
                other.text.count <= 80 && highestPrice(in: other.text) != nil && !savingLine.occurs(in: other.text)
                    && !isStruck(other) && !referencePrice.occurs(in: other.text)
            }).first, block.fontSize >= payable.fontSize * 1.6, block.fontSize >= payable.fontSize + 8 else { return nil }
            guard !page.neighbours(of: block, levels: 2, withinWidget: true, where: { isStruck($0) || referencePrice.occurs(in: $0.text) }).isEmpty else { return nil }
            return Finding(
                patternType: .visualInterference, severity: .low, confidence: 0.7, evidence: block.text,
                location: block.location(String(format: "saving at %.0fpx beside the price to pay at %.0fpx (\"%@\")",
                                                block.fontSize, payable.fontSize, payable.text.clipped(to: 40))))
        }
    }

    /// A reference price's label: "Compare at", "Compare-at".
    private static let compareAtLabel = TextPattern(#"^\W*compare[- ]at\W*$"#)

    /// "Compare at" set before a struck-through price ("Compare at <s>$58.00</s>" beside "$34.00"):
    /// a reference price the shop chose, drawn to make the saving look bigger. `dev.tsv` labels the
    /// line visual interference, and none of its ordinary texts says it. A "Compare at" field in a
    /// seller's form, or "Compare at constant prices" in a statistics table, strikes no price.
    static func comparedAtPrices(_ page: AuditedPage) -> [Finding] {
        guard page.sells else { return [] }
        var findings: [Finding] = []
        for block in page.blocks where !block.isQuotation && block.text.count <= 120 {
            let segments = block.segments + (page.blocks.indices.contains(block.position + 1) ? page.blocks[block.position + 1].segments : [])
            for (index, segment) in segments.enumerated() where index + 1 < segments.count && index < block.segments.count && compareAtLabel.occurs(in: segment.text) {
                let next = segments[index + 1]
                guard isStruck(next), highestPrice(in: next.text) != nil else { continue }
                findings.append(Finding(
                    patternType: .visualInterference, severity: .low, confidence: 0.7, evidence: segment.text.trimmingCharacters(in: .whitespaces),
                    location: block.location("\"\(segment.text.clipped(to: 20))\" before the struck-through price \(next.text.clipped(to: 20))")))
            }
        }
        return findings
    }

    // MARK: Trick questions

    /// Negations in a consent label. "n't" only with its apostrophe: "equipment", "consent" and
    /// "payment" end in "nt" too.
    private static let negation = TextPattern(
        #"\bnot\b|\bcannot\b|n['’]t\b|\bno\b|\bnever\b|\bun(check|tick|select|subscribe)\w*|\bopt(-| )?out\b|\bwithout\b|\bmiss out\b|\bdecline\b|\b(kept|left|leave|keep me) out\b|\bexclud\w*"#)

    /// A checkbox label that keeps an item out of the order: "Do not add this to cart", "Don't
    /// include the case in my order".
    private static let checkboxOptsOutOfItem = TextPattern(
        #"\b(do not|don['’]t|please don['’]t) (add|include|ship|send) (this|it|the \w+|these)\b[^.!?]{0,30}\b(cart|basket|bag|order)\b"#)

    /// Negations in the sentences of a label that speak of the box or of consent. A sentence
    /// describing the add-on ("covers accidental damage but not theft") asks nothing, however
    /// many negations it has; dev.tsv's trick questions put theirs in the sentence that asks.
    private static func consentNegations(_ label: String) -> Int {
        label.split(whereSeparator: { ".!?;:".contains($0) }).map(String.init)
            .filter { consentWords.occurs(in: $0) }
            .reduce(0) { $0 + negation.count(in: $1) }
    }

    /// What a consent sentence speaks of: the box, being contacted, wishing or agreeing.
    private static let consentWords = TextPattern(
        #"\b(un)?(tick|check|select|mark)\w*|\bbox\b|\b(receive|contact\w*|e-?mail\w*|newsletters?|updates|offers|marketing|messages|calls?|texts?|post|mail|partners|third parties|share|sharing|informed|subscribe\w*|wish|want|prefer|like|opt\w*|agree\w*|consent\w*|add\w*|include\w*|send)\b"#)

    /// A message about the visitor's own order, booking or visit.
    private static let serviceMessage = TextPattern(
        #"\b(reminders?|receipts?|confirmations?|booking details|tracking (link|number|updates)|delivery (updates|notifications)|dispatch (e-?mails?|notifications))\b"#)
    /// What marketing consent speaks of.
    private static let marketing = TextPattern(
        #"\b(offers?|promotions?|promotional|newsletters?|marketing|news and|updates about (our|new)|special deals?|discounts?|partners|third parties|products and services)\b"#)

    /// A parenthetical aside in a label.
    private static let aside = TextPattern(#"\([^()]{1,160}\)"#)

    /// Text that tells the reader what ticking a box means: "Tick this box if ...".
    private static let boxInstruction = TextPattern(#"^\W*(please )?(do not |don'?t )?(un)?(tick|check|select|mark)(ing)? (this|the) box\b"#)

    /// A checkbox label with two or more negations ("Uncheck this box if you do not wish to not
    /// receive..."): whichever way the box is set, the person cannot tell what they agreed to.
    static func trickQuestions(_ page: AuditedPage) -> [Finding] {
        let hasCheckbox = page.document.inputs.contains { $0.type == "checkbox" }
        var findings: [Finding] = []
        for block in page.blocks where block.text.count <= 400 {
            // A checkbox's label, or the instruction printed beside an unlabelled box.
            let checked: Bool
            if case .checkbox(let state) = block.role {
                checked = state
            } else if hasCheckbox, block.text.count <= 250, boxInstruction.occurs(in: block.text) {
                checked = false
            } else {
                continue
            }
            // A plain label with an aside on opting out ("Email me a receipt (free; untick if
            // you don’t need one)") says what the box does; only the question itself can trick.
            let asked = Self.aside.replacingMatches(in: block.text, with: " ")
            // A box for a message about the visitor's own order or visit ("Email me a reminder the
            // day before my visit … Untick if you don't want the reminder"): a service, not consent
            // to marketing, which is what every trick question of dev.tsv asks for.
            if serviceMessage.occurs(in: block.text) && !marketing.occurs(in: block.text) { continue }
            let negations = consentNegations(asked.split(separator: " ").count >= 3 ? asked : block.text)
            // A box to tick to keep an item out ("I already have this item. Do not add this to
            // cart"): the item goes in unless the visitor reads the box the other way round.
            let optsOut = checkboxOptsOutOfItem.occurs(in: block.text)
            guard negations >= 2 || optsOut else { continue }
            findings.append(Finding(
                patternType: .trickQuestions, severity: checked ? .high : .medium, confidence: negations >= 3 ? 0.9 : 0.8,
                evidence: block.text,
                location: block.location((optsOut ? "a box to tick to keep the item out of the order" : "checkbox label with \(negations) negations")
                                         + (checked ? ", checked by default" : ""))))
        }
        return findings
    }

    // MARK: Pressured selling

    /// Copy that pushes the bigger purchase: majority claims, fear of loss.
    private static let pressure = TextPattern(
        #"\bmost (teams|people|customers|buyers|users|shoppers|families|businesses|companies|professionals|photographers)\b(?=[^.!?;]{0,30}\b(choose|chose|pick|prefer|opt|go for|buy|add|select|upgrade|take|get the)\w*)"#
            // The same of the shop's own crowd ("Most players add this 2-year plan", "Most keepers
            // pick the pack"): any people, choosing.
            + #"|\bmost (of our )?[a-z]{3,}(?<!thing|time|day|week|item|order|product|model|size|colour|color)s (choose|chose|pick|prefer|opt for|go for|add|select|upgrade)\b"#
            + #"|\b\d+ out of (every )?\d+ (\w+ )?(customers|buyers|people|users|teams|shoppers|families|owners|parents|businesses|companies|professionals|photographers|drivers|experts|dentists|doctors|members|clients)\b|\b\d+ in (every )?\d+ (customers|buyers|people|users)\b|\b\d+ ?% of (our )?(customers|buyers|users|teams|people)\b|\balmost always\b|\bdon'?t risk\b|\byou'?ll regret\b|\bsmart (choice|buyers|shoppers)\b|\bmost popular\b|\beveryone (chooses|picks|adds|gets)\b|\bbest[- ]?sell(ing|er)\b"#
            // Fear of missing the dearer set: "DON'T MISS ON OUR TABLE DECORATION SYSTEM" (dev.tsv).
            + #"|\bdon['’]?t miss (out )?on (our|these|this|the)\b"#)

    /// The wording model's probability that makes a line near a pre-selected pricier option its
    /// pushing copy: the bar of every model candidate (questions like "Do you offer discounts?"
    /// read as pressured selling at about 0.8).
    static let pushingCopyProbability = WordingRule.minimumModelProbability

    /// How surely the wording model reads `block` as pressured selling (0 when it reads another type).
    private static func pushing(_ block: TextBlock, on page: AuditedPage) -> Double {
        page.darkWording(of: block, as: [.pressuredSelling])?.prediction.probability ?? 0
    }

    /// Running text, not a control: the options themselves (product names with prices) are what
    /// is pushed, not the push.
    private static func isCopy(_ block: TextBlock) -> Bool {
        switch block.role {
        case .none, .label: true
        default: false
        }
    }

    /// A group of priced radio buttons whose pre-selected option is the most expensive. The
    /// evidence is what pushes it: a pressure line near the group in hand-written words, else a
    /// submit button already naming the option, else copy the wording model reads as pressured
    /// selling, else the option itself.
    static func pressuredSelling(_ page: AuditedPage) -> [Finding] {
        let radios = page.document.inputs.filter { $0.type == "radio" && $0.name != nil }
        let groups = Dictionary(grouping: radios, by: { $0.name! })
        var findings: [Finding] = []
        for (_, options) in groups.sorted(by: { $0.key < $1.key }) {
            let priced = options.compactMap { option -> (HTMLDocument.Input, Double)? in
                guard let label = option.label, let price = highestPrice(in: label) else { return nil }
                return (option, price)
            }
            guard priced.count >= 2, let selected = priced.first(where: { $0.0.isChecked }),
                  let label = selected.0.label else { continue }
            // A repeat delivery ticked over a one-time purchase ("Subscribe & Save (15%): $16.99"
            // over "One-time purchase: $19.99") pushes the bigger commitment, though cheaper per
            // delivery: `dev.tsv`'s real shops' "Subscribe & Save" lines are pressured selling.
            let subscriptionOverOneOff = recurring.occurs(in: label) && !oneOff.occurs(in: label)
                && priced.contains { $0.0 != selected.0 && oneOff.occurs(in: $0.0.label ?? "") }
            guard subscriptionOverOneOff || priced.allSatisfy({ $0.0 == selected.0 || $0.1 < selected.1 }) else { continue }
            // A one-off purchase ticked beside a cheaper repeat delivery ("One-time purchase ·
            // $39.99" over "Every 30 days · $35.99") is not the dearer of two comparable options:
            // one price is per delivery, the other per order.
            if !recurring.occurs(in: label), priced.contains(where: { recurring.occurs(in: $0.0.label ?? "") }) { continue }
            // Compared without spaces: the form's label and the block may split words at element
            // boundaries differently ("kitShaver" or "kit Shaver").
            let compactLabel = label.filter { !$0.isWhitespace }
            let optionBlock = page.blocks.first { block in
                guard case .radio(checked: true) = block.role else { return false }
                let compactBlock = block.text.filter { !$0.isWhitespace }
                return compactLabel.contains(compactBlock) || compactBlock.contains(compactLabel)
            }
            // The visitor's own earlier choice, carried over and said so ("The M-Pesa choice is
            // the one you picked at the amount step"): the page repeats a choice, it pushes none.
            if let optionBlock, !page.neighbours(of: optionBlock, levels: 6, where: {
                $0.text.count <= 300 && visitorsOwnChoice.occurs(in: $0.text)
            }).isEmpty { continue }
            let name = optionName(label)
            var evidence = label
            var how = subscriptionOverOneOff ? "a repeat subscription pre-selected over a one-time purchase" : "pre-selected"
            // The subscription's own option is the evidence: it is the push.
            if let optionBlock, !subscriptionOverOneOff {
                if let line = page.neighbours(of: optionBlock, levels: 6, where: { pressure.occurs(in: $0.text) && $0.text.count <= 300 }).first {
                    evidence = line.text
                    how = "pre-selected and pushed by \"\(pressure.firstMatch(in: line.text) ?? "")\""
                } else if let pitch = page.neighbours(of: optionBlock, levels: upsellWidgetLevels + 1, withinWidget: true, includingOwnElement: true, where: {
                    Self.isCopy($0) || $0.isHeading ? $0.text.count <= 300 && upsellPitch.occurs(in: $0.unquotedText) : false
                }).first {
                    // The add-on's own pitch over its options ("Protect Your Gear" as the legend of
                    // a cover plan's radio group, the dearest plan ticked).
                    evidence = pitch.text
                    how = "pre-selected under the pitch \"\(upsellPitch.firstMatch(in: pitch.unquotedText) ?? "")\""
                } else if !name.isEmpty, let button = page.neighbours(of: optionBlock, levels: 6, where: {
                    $0.role == .button && $0.text.localizedCaseInsensitiveContains(name)
                }).first {
                    evidence = button.text
                    how = "pre-selected, and the submit button already says \"\(button.text.clipped(to: 60))\""
                } else if let line = page.neighbours(of: optionBlock, levels: 6, withinWidget: true, includingOwnElement: true, where: { block in
                    // Copy is worded: a bare figure ("Subtotal$89.00") is no push, whatever the model says.
                    Self.isCopy(block) && block.text.count <= 300 && block.text.split(separator: " ").count >= WordingRule.minimumModelWords
                        && Self.pushing(block, on: page) >= Self.pushingCopyProbability
                }).max(by: { Self.pushing($0, on: page) < Self.pushing($1, on: page) }) {
                    // Upsell copy in words no list foresees ("Did you know ... heads need replacing?
                    // Get the spray"): the wording model reads it as pressured selling.
                    evidence = line.text
                    how = "pre-selected and pushed by copy the wording model reads as pressured selling"
                } else if optionBlock.isInModal,
                          let decline = page.blocks.lazy.filter(\.isInModal).flatMap(\.segments).first(where: { Self.isDecline($0) }) {
                    // An upsell dialog with the dearest choice made, and a way out worded as settling
                    // for less ("No thanks, I just want the item", dev.tsv's pressured-selling text).
                    evidence = decline.text
                    how = "pre-selected in an upsell dialog whose way out is \"\(decline.text.clipped(to: 60))\""
                }
                // The dearest option ticked with nothing pushing it, not even its own words (a
                // plant's larger pot ticked on a product page): a default, not pressured selling.
                // dev.tsv's pressured-selling texts are all pushes; a bare option is none of them.
                // Read element by element too: a label may run its elements together ("SSO" +
                // "Don’t risk …" reads "SSODon’t risk").
                if how == "pre-selected" {
                    let ownWords = [label, optionBlock.text, optionBlock.segments.map(\.text).joined(separator: " ")]
                    let pushesItself = ownWords.contains { pressure.occurs(in: $0) || upsellPitch.occurs(in: $0) || optionPitch.occurs(in: $0) }
                    if !pushesItself && Self.pushing(optionBlock, on: page) < Self.pushingCopyProbability { continue }
                }
            }
            if let optionBlock {
                evidence = quoted(push: evidence, in: groupCaption(of: optionBlock, on: page), option: optionBlock)
            }
            findings.append(Finding(
                patternType: .pressuredSelling, severity: .medium, confidence: 0.8, evidence: evidence,
                location: (optionBlock?.location() ?? "radio group")
                    + (subscriptionOverOneOff ? ", \(how) (\(label.clipped(to: 80)))" : ", the most expensive option (\(label.clipped(to: 80))) is \(how)")))
        }
        return findings
    }

    // MARK: Pushed add-ons

    /// A priced add-on the page ticked and pushes in so many words: "Most customers choose this"
    /// in its own label, or "DON'T MISS ON THESE AWESOME ITEMS" (a dev.tsv pressured-selling text)
    /// heading its group. The visitor is pressed to keep the dearer purchase in plain sight:
    /// pressured selling in Mathur et al.'s terms, not an add-on slipped in unseen (that is
    /// ``SneakingDetector/sneakIntoBasket(_:)``, which leaves these to this rule).
    static func pushedAddOns(_ page: AuditedPage) -> [Finding] {
        SneakingDetector.checkedPricedAddOns(page).compactMap { addOn in
            guard let push = push(onCheckedAddOn: addOn.block, on: page) else { return nil }
            return Finding(
                patternType: .pressuredSelling, severity: .medium, confidence: 0.8,
                evidence: quoted(push: push.text, in: groupCaption(of: addOn.block, on: page), option: addOn.block),
                location: addOn.block.location("add-on checked by default (adds \(addOn.price)) and pushed by \"\(pressure.firstMatch(in: push.text) ?? "")\""))
        }
    }

    /// What pushes a checked add-on: a heading of its own group in ``pressure`` words, else its
    /// own label when that carries them; `nil` when nothing does.
    static func push(onCheckedAddOn block: TextBlock, on page: AuditedPage) -> TextBlock? {
        page.neighbours(of: block, levels: upsellWidgetLevels + 1, withinWidget: true, includingOwnElement: true, where: {
            $0.isHeading && $0.text.count <= 300 && pressure.occurs(in: $0.text)
        }).first ?? (pressure.occurs(in: block.text) ? block : nil)
    }

    // MARK: Upsell pitches

    /// An add-on pushed beside the purchase: a pitch in the box of its own "Add" button, on a page
    /// that sells ("Why not add Fabric Protection … for just £80?" over "Add protection", "Did you
    /// know shaver heads need replacing? Get the spray" over "Add Shaver Guard – €12.99"). Most of
    /// dev.tsv's pressured-selling texts are such pitches, not pre-selected options. The pitch is
    /// read in hand-written words or by the wording model; either way only beside an add control,
    /// so a product description or a "What's covered" note is never one.
    static func upsellPitches(_ page: AuditedPage) -> [Finding] {
        guard page.sells else { return [] }
        var pitches: [(block: TextBlock, how: String, confidence: Double)] = []
        for block in page.blocks where !block.isQuotation && !block.isInTable && block.text.count <= 300 {
            // The add-on's own box, not yet ticked, or its own "yes" option is its add control;
            // a ticked box is sneaking's to report.
            let isOwnControl: Bool
            switch block.role {
            case .checkbox(checked: false), .radio:
                // Its "No warranty" option declines the add-on; it does not pitch it.
                if refusal.occurs(in: block.text) { continue }
                isOwnControl = true
            case .none, .label, .heading: isOwnControl = false
            default: continue
            }
            let byWords = upsellPitch.firstMatch(in: block.unquotedText)
            let model = page.darkWording(of: block, as: [.pressuredSelling]).map(\.prediction)
            // An option's own label is read in hand-written words only: the model reads any
            // add-on's description ("Add the footprint (+$39.00) – protects the floor") as a push.
            let byModel = !isOwnControl && (model.map { $0.probability >= pushingCopyProbability && $0.typeProbability >= WordingRule.minimumModelTypeProbability } ?? false)
            guard byWords != nil || byModel else { continue }
            // The add-on's own box, below the product's buy box: a box holding the page's title
            // (`<h1>`) is the product's, and its "Add to cart" buys the product, not the add-on.
            let control = isOwnControl ? "its own choice box" : page.neighbours(of: block, levels: upsellWidgetLevels, withinWidget: true,
                                                                                 stoppingBelow: { $0.contains(where: \.isPageTitle) }, where: { other in
                isControl(other) && addControl.occurs(in: other.text)
            }).first.map { "\"\($0.text.clipped(to: 40))\"" }
            guard let control else { continue }
            let how = byWords.map { "pitch \"\($0)\"" } ?? String(format: "pitch the wording model reads as pressured selling (p=%.2f)", model?.probability ?? 0)
            pitches.append((block, "add-on upsell: \(how) beside \(control)", byWords != nil ? 0.75 : WordingRule.rounded(min(model?.probability ?? 0, 0.95) * 0.8)))
        }
        // One add-on box, one finding: its fullest pitch (the offer's paragraph rather than its
        // "Protect your purchase" legend).
        return pitches.filter { pitch in
            !pitches.contains { other in
                other.block.position != pitch.block.position && other.block.text.count > pitch.block.text.count
                    && sharesWidget(pitch.block, other.block, on: page)
            }
        }.map { pitch in
            // A pitch that captions a choice group with a priced option already ticked ("Protect
            // your mandolin" over a 2-year plan ticked by default) is quoted with that option.
            let ticked = isCaption(pitch.block) ? page.neighbours(of: pitch.block, levels: upsellWidgetLevels, withinWidget: true) { other in
                if case .radio(checked: true) = other.role { return highestPrice(in: other.text) != nil && !refusal.occurs(in: other.text) }
                return false
            }.first : nil
            return Finding(patternType: .pressuredSelling, severity: .low, confidence: pitch.confidence,
                           evidence: ticked.map { quoted(push: pitch.block.text, in: pitch.block, option: $0) } ?? pitch.block.text,
                           location: pitch.block.location(pitch.how))
        }
    }

    /// A heading or a `<fieldset>`'s `<legend>`: what names a group of choices.
    private static func isCaption(_ block: TextBlock) -> Bool {
        block.isHeading || block.tags.last == "legend"
    }

    /// The caption of the choice group around `option` ("Customers also bought" as its legend,
    /// "FANSTASTIC DEALS" heading its box), when short enough to be a caption.
    static func groupCaption(of option: TextBlock, on page: AuditedPage) -> TextBlock? {
        page.neighbours(of: option, levels: upsellWidgetLevels + 1, withinWidget: true, includingOwnElement: true) {
            isCaption($0) && $0.text.count <= 80
        }.first
    }

    /// A push quoted with what it pushes in: the group's caption before a push in the option's
    /// own words ("Customers also bought › Tortoise Vitality Pack … Most keepers pick the pack"),
    /// or the option after a push that is the caption ("Protect your mandolin › Lenscap: Damage
    /// Only $24.99"). Either alone leaves a reader asking which choice was pushed, or by what.
    static func quoted(push: String, in caption: TextBlock?, option: TextBlock) -> String {
        guard let caption else { return push }
        if push == caption.text {
            return push.contains(option.text) ? push : push + quotedPartSeparator + option.text
        }
        return push.contains(caption.text) || caption.text.contains(push) ? push : caption.text + quotedPartSeparator + push
    }

    /// Joins the parts of a push quoted with its group (``quoted(push:in:option:)``).
    static let quotedPartSeparator = " › "

    /// Whether `block` and `other` sit in one add-on box: a container at most
    /// ``upsellWidgetLevels`` above `block`'s own element (which two inline labels share), below
    /// the whole page.
    private static func sharesWidget(_ block: TextBlock, _ other: TextBlock, on page: AuditedPage) -> Bool {
        block.ancestorIndices.prefix(upsellWidgetLevels + 1).contains { container in
            other.ancestorIndices.contains(container) && page.blocks(inside: container).count < page.blocks.count
        }
    }

    /// A link or button that declines ("No thanks, I just want the item"), also inline beside the
    /// button that accepts.
    private static func isDecline(_ segment: TextSegment) -> Bool {
        (segment.role == .link || segment.role == .button) && segment.text.count <= 80 && refusal.occurs(in: segment.text)
    }

    /// An option that declines: "No warranty", "No thanks", "None", "Without protection".
    private static let refusal = TextPattern(#"^\W*(no|none|nope|without|decline|skip|not now|no,? thanks?)\b"#)

    /// How far up an upsell's box reaches from its pitch to its "Add" button.
    static let upsellWidgetLevels = 2

    /// A control that adds something to the order: "Add protection", "+ Add", "Yes, add it",
    /// "Add Shaver Guard – €12.99", "Upgrade my purchase", and the accept button of cover
    /// ("Protect my bottles", "Insure my order").
    private static let addControl = TextPattern(#"^\W*(\+\s*)?(yes[,!]?\s*)?(add|upgrade|(protect|insure|cover) (my|this|the|your|it))\b"#)

    /// An add-on pitch in the words dev.tsv's real shops use: "Why not add …", "Don't forget the
    /// essentials", "Protect your gear", "Did you know …", "Complete the look", "Necessary
    /// protection", "Do not fear …".
    private static let upsellPitch = TextPattern(
        #"\bwhy not (add|get|grab|include|upgrade)\b|\bdon'?t forget (the|your|to (add|grab|get|pick up))\b|\bprotect your (new )?\w+|\bdid you know\b|\bcomplete (the|your) (look|set|kit|outfit)\b|\bnecessary protection\b|\bdon'?t (leave|go) without\b|\badd (it )?for better\b"#
            // Fear of going without it: "Do not fear breaking your glass!", "Don't worry about spills".
            + #"|\b(do not|don'?t|never) (fear|worry about)\b|\bdon['’]?t miss (out )?on (our|these|this|the)\b"#
            // A second of the same, pushed: "Grab a Matching Pair & save up 60%!" (dev.tsv).
            + #"|\bgrab (a|the) matching\b|\b(add|get) (a|the) matching (pair|set|one)\b"#)

    /// An option's own label selling itself ("Complete bundle +CA$249 Want a special deal? Bundle
    /// and SAVE UPTO30%"): a deal, a saving, an upgrade, an amount off.
    private static let optionPitch = TextPattern(#"\b(deals?|sav(e|ing|ings)|bundle|upgrade|special offer)\b|\d+\s?% off\b"#)

    /// A page saying the selected option is the one the visitor chose before: "the one you picked
    /// at the amount step", "the option you selected on the last page", "you chose it when you
    /// booked". Said of the option, not of something else the visitor chose ("as shown when you
    /// chose your dates").
    private static let visitorsOwnChoice = TextPattern(
        #"\b((the|this|that) (one|option|choice|speed|delivery|plan|room|tier)|what) (that )?(you|you['’]ve|you have) (already )?(picked|chose|chosen|selected|asked for|requested)\b(?![^.!?]*\b(but|instead|upgrade|switch\w*)\b)|\b(you|you['’]ve|you have) (already )?(picked|chose|chosen|selected) (it|this|that)\b(?![^.!?]*\b(but|instead|upgrade|switch\w*)\b)"#)

    /// An option bought once: "One-time purchase", "Buy once", "Single order".
    /// Read after a price too: a label runs its elements together ("$30.00Just one box").
    private static let oneOff = TextPattern(#"(?<![a-z])(one[- ]time|one[- ]off|buy once|single (purchase|order|delivery|box)|just (one|a single) (box|kit|bottle|pack|jar|bag|tin|order|delivery|purchase))\b"#)

    /// A price per period or per repeat delivery.
    private static let recurring = TextPattern(
        CommonPatterns.recurringPeriod.source + #"|\bper day\b|\b(subscribe|subscription|auto-?ship)\b"#
            // A membership that delivers ("Membership … Delivered every 4–8 weeks") repeats as a
            // subscription does; a lifetime membership is paid once.
            + #"|(?<!lifetime )(?<![a-z])membership\b|\bevery \d+\s?(–|-|to)\s?\d+ (days|weeks|months)\b"#)

    /// The largest amount in a label: "$1,899" → 1899.
    static func highestPrice(in text: String) -> Double? {
        // A threshold is not what the option costs: "Standard · Free over $40" costs nothing.
        let text = priceThreshold.replacingMatches(in: text, with: " ")
        return CommonPatterns.price.matches(in: text).compactMap { match in
            Double(match.filter { $0.isNumber || $0 == "." })
        }.max()
    }

    /// An amount an option is free or cheaper above ("Free over $40", "on orders over £50",
    /// "when you spend $75"), with the amount.
    private static let priceThreshold = TextPattern(
        #"\b(over|above|orders? (of|over|above)|spend( at least)?|minimum( order)?( of)?)\s*[$€£¥₹]?\s?\d[\d,.]*\s?[$€£¥₹]?"#)

    /// The option's name: its first word before a price or dash ("Enterprise – $499/month" →
    /// "Enterprise"), or "" when that is shorter than three letters.
    private static func optionName(_ label: String) -> String {
        let stop = label.firstIndex { "$€£–-:(0123456789".contains($0) } ?? label.endIndex
        let name = label[..<stop].split(separator: " ").first.map(String.init).flatMap { $0.count >= 3 ? $0 : nil } ?? ""
        // A ribbon's verb or an adjective ("ADD FOR BETTER RESULTS Complete Kit", "Best value")
        // names no option: every "Add to cart" button would seem to name it.
        return genericWords.contains(name.lowercased()) ? "" : name
    }
    private static let genericWords: Set<String> = [
        "add", "buy", "get", "the", "our", "your", "save", "best", "most", "new", "free", "now", "yes", "upgrade",
        "only", "just", "with", "for", "top", "hot", "sale", "deal", "offer", "popular", "recommended", "value",
    ]
}
