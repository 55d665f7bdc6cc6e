import Foundation
import VeritasHTML
import VeritasProtocol

/// Sneaking: sneak into basket, hidden costs, hidden subscription.
enum SneakingDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        sneakIntoBasket(page) + removableAddOns(page) + hiddenCosts(page) + hiddenSubscription(page)
    }

    // MARK: Sneak into basket

    /// Labels of checkboxes that are about consent or convenience, not something bought.
    private static let consentWords = TextPattern(
        #"\b(e-?mail|newsletter|updates|marketing|offers by|terms|privacy|agree|consent|remember me|keep me (signed|logged)|notify|subscribe me|text message|sms|same as (billing|shipping)|gift message|save (my )?(card|details))\b"#)
    /// A price that is a saving, not a charge: "save $4.00 a bottle", "$5 off".
    private static let savingOnly = TextPattern(#"^(?!.*\+\s?[$€£])(?=.*\b(save|saving|savings)\s+(up to\s+)?[$€£]\s?\d|.*[$€£]\s?[\d.,]+\s+off\b)"#)
    /// An amount that is a threshold, not a charge: "Text me when my balance drops below £5",
    /// "free delivery on orders over $50".
    private static let threshold = TextPattern(
        #"\b(below|above|under|over|less than|more than|at least|exceeds?|reach(es)?|drops? to|falls? to|spend(ing)?|orders? of)\s+(\+\s?)?[$€£]\s?\d[\d,.]*"#)
    /// Wording of an add-on: "Add ...", "+$2.99", protection, insurance, ...
    private static let addOnWords = TextPattern(
        #"\b(add|include|protection|protect|insurance|insure|warranty|cover|extended|premium|priority|express|gift ?wrap|donat\w*|tip|upgrade|archive|access|seat|extra)\b|\+\s?[$€£]"#)

    /// A checkbox the page checked for the user, whose label (or the line it sits on) carries a
    /// price: an item or fee added without being chosen. One the page pushes in so many words is
    /// pressured selling instead (``MisdirectionDetector/pushedAddOns(_:)``).
    static func sneakIntoBasket(_ page: AuditedPage) -> [Finding] {
        checkedPricedAddOns(page).filter { MisdirectionDetector.push(onCheckedAddOn: $0.block, on: page) == nil }.map { addOn in
            Finding(
                patternType: .sneakIntoBasket, severity: .high, confidence: addOn.priceInLabel ? 0.9 : 0.85,
                evidence: addOn.block.text,
                location: addOn.block.location("checkbox checked by default, adds \(addOn.price)"))
        }
    }

    /// An add-on that costs nothing: "free", "no charge", "at no extra cost", "complimentary".
    private static let freeOfCharge = TextPattern(#"\b(free|no (extra )?(charge|cost)|at no (extra |additional )?cost|complimentary)\b"#)

    /// The checkboxes the page checked for the user that add something with a price: in the
    /// label, else (for an add-on's wording) on the next short line or in its own cart row's price
    /// cell ("☑ Shipping Insurance · Remove Insurance | 1 | $3.49"), past the quantity, in a table
    /// or in a line built of `<div>`s or `<span>`s. Consent
    /// boxes and savings are not among them.
    static func checkedPricedAddOns(_ page: AuditedPage) -> [(block: TextBlock, price: String, priceInLabel: Bool)] {
        page.blocks.compactMap { block in
            guard case .checkbox(checked: true) = block.role else { return nil }
            let label = block.text
            guard !consentWords.occurs(in: label), !savingOnly.occurs(in: label) else { return nil }
            let priceInLabel = CommonPatterns.price.firstMatch(in: threshold.replacingMatches(in: label, with: " "))
            // Further along its line, an amount is the add-on's only when the label does not say it
            // costs nothing ("Include a free printed gallery map (no charge)").
            let laterInLine = { freeOfCharge.occurs(in: label) ? nil : page.priceLater(inLineOf: block) }
            guard let price = priceInLabel ?? (addOnWords.occurs(in: label) ? page.priceBeside(block) ?? page.priceInRow(of: block) ?? laterInLine() : nil) else { return nil }
            return (block, price, priceInLabel != nil)
        }
    }

    /// An add-on shops put in the order on their own, as a line of the summary: shipping or
    /// package insurance or protection, a carbon offset, a round-up donation, priority processing.
    private static let unaskedAddOn = TextPattern(
        #"^\W*(shipping|package|parcel|delivery|order|route|purchase|transit) (insurance|protection|guarantee)\b|^\W*carbon (offset|neutral)|^\W*(round[- ]up|donation|priority (processing|handling)|green shipping)\b"#)
    /// A control that offers an add-on rather than the order's own step: "Add", "Yes, protect
    /// it", "Get it". Beside one, the line is an offer, not an add-on already in the order.
    private static let offersAddOn = TextPattern(#"^\W*(\+\s*)?(add|yes|get|claim|upgrade|protect|include|subscribe)\b"#)
    /// A control that takes a line out of the order: "Remove Insurance", "Remove", "Delete", "×".
    private static let removeControl = TextPattern(#"^\W*(remove|delete|opt out|take (it )?off)\b|^\s*[×✕x]\s*$"#)
    /// The page holds an order: a cart, a basket or a checkout step.
    private static let orderPage = TextPattern(#"\b(cart|basket|bag|order summary|checkout|check out|subtotal)\b"#)

    /// A line of an order's summary naming an add-on shops add unasked ("Shipping Insurance"), with
    /// a price and only a "Remove" control beside it: already in the total, taken out only by the
    /// shopper's action. No box to tick, so ``sneakIntoBasket`` does not see it; `dev.tsv`'s real
    /// text is exactly this line ("Shipping Insurance Remove Insurance"). An add-on the shopper
    /// ticked earlier looks the same; the kinds are the ones shops add by default.
    static func removableAddOns(_ page: AuditedPage) -> [Finding] {
        guard orderPage.occurs(in: page.lowercasedText) else { return [] }
        var findings: [Finding] = []
        for block in page.blocks where !block.isQuotation && block.text.count <= 100 && block.first.role == .none {
            // The line's name: the block, or its first element when the control and a note sit
            // inline beside it ("Shipping Insurance" · "Remove Insurance" · "Covers lost parcels").
            let name = block.role == .none && block.text.count <= 80 ? block.text : block.first.text.trimmingCharacters(in: .whitespaces)
            guard let kind = unaskedAddOn.firstMatch(in: name) else { continue }
            // Controls are read as segments: a "Remove Insurance" link may sit inline in the line's
            // note ("Covers loss, theft and damage in transit Remove Insurance").
            let isControl = { (segment: TextSegment) in (segment.role == .link || segment.role == .button) && segment.text.count <= 40 }
            let controls = (page.neighbours(of: block, levels: 2, withinWidget: true) { $0.segments.contains(where: isControl) } + [block])
                .flatMap { $0.segments.filter(isControl) }.map(\.text)
            // The order's own "Place order" or "Check out" sits beside every summary line.
            guard let remove = controls.first(where: { removeControl.occurs(in: $0) }),
                  !controls.contains(where: { offersAddOn.occurs(in: $0) }) else { continue }
            // Its own amount: in the line, in the next short block or two (past the control), or in
            // a cell of its own table row (a cart's price column, past the line's note and quantity).
            let following = page.blocks.dropFirst(block.position + 1).prefix(3).lazy
            let shortPrice = AuditedPage.shortPrice
            // A cart row built of `<div>`s is a row too: the amount in its price cell, after the
            // line's note, its "Remove" link and its quantity.
            let divRow = { page.neighbours(of: block, levels: 2, withinWidget: true) { $0.position > block.position && shortPrice($0) != nil }.lazy.compactMap(shortPrice).first }
            guard let price = CommonPatterns.price.firstMatch(in: name) ?? following.compactMap(shortPrice).first ?? page.priceInRow(of: block) ?? divRow()
            else { continue }
            findings.append(Finding(
                patternType: .sneakIntoBasket, severity: .high, confidence: 0.75, evidence: name,
                location: block.location("\(kind) already in the order at \(price), with only \"\(remove.clipped(to: 30))\" beside it")))
        }
        return findings
    }

    // MARK: Hidden costs

    /// A surcharge by name: service, booking, processing, facility, card fees; a summary line named
    /// for handling alone ("Care & Handling $2.99"), though not shipping and handling, which is
    /// delivery.
    private static let feeName = TextPattern(
        #"\b(service|booking|processing|handling|facility|convenience|card( payment)?|payment|admin(istration)?|transaction|order processing|platform|reservation)\s+(fee|charge|surcharge)s?\b|\bsurcharge\b|^(care|packaging|order)?\s*(&|and)?\s*handling\b"#)
    /// Handling that is delivery: "Shipping & handling", "handling time".
    private static let deliveryHandling = TextPattern(#"\b(shipping|postage|delivery)\s*(&|and)\s*handling\b|\bhandling (time|instructions)\b"#)
    /// Wording that says a fee is not added: "includes the booking fee", "no fees".
    private static let feeIncludedOrAbsent = TextPattern(
        #"\binclud\w*|\bno (extra |hidden |additional |booking |service )?(fees?|charges?)\b|\bfree\b|\bwaived\b|\bwithout (any )?fees?\b"#
            // Told before it is charged: "The bank's processing fee (₹ 199) is shown on the payment
            // page before you confirm" is a disclosure on a product page, not a line of the total.
            + #"|\b(shown|displayed|listed|disclosed|itemi[sz]ed|stated)\b[^.!?]{0,40}\bbefore you\b"#)
    /// A column or total of charges per period: "Per week", "Monthly", "Total weekly charge".
    /// dev.tsv's hidden costs are one-off lines of an order's total.
    private static let standingChargeHeading = TextPattern(
        #"^\W*(per|a|each) (week|month|quarter|year|annum)\W*$|^\W*(weekly|monthly|quarterly|yearly|annual)( (amount|charge|rent|cost|payment))?\W*$|^\W*total (weekly|monthly|quarterly|yearly|annual) (charge|rent|cost|payment)s?\b"#)
    /// The page is a checkout or payment step.
    private static let checkoutStep = TextPattern(
        #"\bstep \d+ of \d+\b|\b(checkout|check out|payment|pay now|place (my )?order|complete (my )?(order|booking|purchase)|confirm and pay|review (your|and pay)|order summary|total to pay)\b"#)

    /// Surcharges listed with a price in the summary of a checkout or payment step, unless the
    /// page says they are included.
    static func hiddenCosts(_ page: AuditedPage) -> [Finding] {
        guard checkoutStep.occurs(in: page.lowercasedText) else { return [] }
        var findings: [Finding] = []
        for block in page.blocks where !block.isQuotation {
            guard block.text.count <= 160, feeName.occurs(in: block.text), !feeIncludedOrAbsent.occurs(in: block.text),
                  !deliveryHandling.occurs(in: block.text) else { continue }
            guard let price = CommonPatterns.price.firstMatch(in: block.text) ?? page.priceBeside(block) else { continue }
            // A fee of nothing ("Booking fee A$0.00", "Annual card fee €0.00") costs nothing: the
            // page shows the fee is not charged.
            guard price.contains(where: { $0.isNumber && $0 != "0" }) else { continue }
            // A charge in a table of charges per week or month (a tenancy's rent and service
            // charges, "Per week") is a standing charge, stated as such, not a surcharge that
            // appears at the last step of a purchase.
            if let table = block.table, page.blocks(inside: table).contains(where: { $0.text.count <= 40 && standingChargeHeading.occurs(in: $0.text) }) { continue }
            findings.append(Finding(
                patternType: .hiddenCosts, severity: .high, confidence: 0.75, evidence: block.text,
                location: block.location("fee of \(price) added at the checkout step")))
        }
        return findings
    }

    // MARK: Hidden subscription

    /// A recurring charge in words, also as a mail-order catalogue states it ("further Directories
    /// usually in January and July each year, at a charge of £3.75 per publication").
    private static let recurrence = TextPattern(
        CommonPatterns.recurringPeriod.source + #"|\bbilled automatically\b|\brecurring\b|\buntil you cancel\b|\benrolled in\b|\bthen-current rate\b"#
            + #"|\beach (week|month|quarter|year|season)\b|\bper (issue|publication|edition|catalogue|shipment)\b"#)
    /// Words of a charge or a plan.
    private static let chargeWords = TextPattern(
        #"\b(charg\w*|bill\w*|renew\w*|enrol\w*|subscription|membership|plan|pay)\b|[$€£]\s?\d"#)
    /// What the prominent offer promises: free, a trial, a one-off, a token first payment.
    private static let oneOffOffer = TextPattern(
        #"\bfree\b|\btrial\b|\bone[- ]time\b|\bone[- ]off\b|\btry\b|\bfirst (month|box|issue|week)\b|\bintroductory\b|[$€£]\s?1(\.00)?\b"#)

    /// Fine print (tiny or low-contrast text) that states a recurring charge, on a page whose
    /// prominent text offers something free, a trial or a one-off. Small print that is neither
    /// (11 px grey under a ticked box: "… further Directories usually in January and July each
    /// year, at a charge of £3.75 per publication") counts too on a page whose prominent offer
    /// reads as free or one-off ("WOULD YOU LIKE A FREE NEXT DIRECTORY?") and whose text of
    /// ordinary size states no recurring charge: the page then tells it only there. (Without the
    /// free offer, a shop's 12 px terms under a plan it sells openly would read as hidden.)
    static func hiddenSubscription(_ page: AuditedPage) -> [Finding] {
        let prominent = page.blocks.filter { !$0.isFaint }
        let statedOpenly = prominent.contains { block in
            block.fontSize > maxSmallPrintSize && block.text.sentences.contains { recurrence.occurs(in: $0) && chargeWords.occurs(in: $0) }
        }
        let offersOneOff = prominent.contains { block in
            switch block.role {
            case .button, .heading, .link: oneOffOffer.occurs(in: block.text)
            default: false
            }
        }
        // The line that signs the visitor up to a trial along with an order of something else,
        // stating no charge of its own.
        let enrolling = prominent.first { $0.text.count <= 160 && trialWithOrder.occurs(in: $0.text) && !recurrence.occurs(in: $0.text) }
        var findings: [Finding] = []
        // The first fine print that prices the enrolling line's trial: the subscription is that
        // trial, reported once by its own line, however many notes explain it.
        var trialPrice: (block: TextBlock, sentence: String)?
        for block in page.blocks where (block.isFaint || (offersOneOff && !statedOpenly && block.fontSize <= maxSmallPrintSize)) && !block.isQuotation {
            for sentence in block.text.sentences where recurrence.occurs(in: sentence) && chargeWords.occurs(in: sentence) {
                if enrolling != nil, trialOrMembership.occurs(in: sentence) {
                    trialPrice = trialPrice ?? (block, sentence)
                    break
                }
                findings.append(Finding(
                    patternType: .hiddenSubscription, severity: .high, confidence: offersOneOff ? 0.9 : 0.7,
                    evidence: block.text.count <= 400 ? block.text : sentence,
                    location: block.location(finePrint(block) + (offersOneOff ? "; the prominent offer reads as free or one-off" : ""))))
                break
            }
        }
        if let enrolling, let trialPrice {
            findings.append(Finding(
                patternType: .hiddenSubscription, severity: .high, confidence: 0.9, evidence: enrolling.text,
                location: enrolling.location("a free trial that comes with the order; its recurring charge only in "
                    + finePrint(trialPrice.block) + " (\"\(trialPrice.sentence.clipped(to: 60))\")")))
        }
        return findings
    }

    /// The largest font size, in CSS pixels, read as small print (a shop's "fine" notes are
    /// commonly 11–12 px; body text is 14–16).
    static let maxSmallPrintSize = 12.0

    /// How faint a fine-print block is, as a finding's location says it.
    private static func finePrint(_ block: TextBlock) -> String {
        String(format: "fine print: %.0fpx, contrast %.1f:1", block.fontSize, block.contrast)
    }

    /// A free trial or membership that comes with an order of something else: "Free 60 day VIP
    /// trial membership with this order. Cancel anytime." (dev.tsv). The visitor buys one thing and
    /// is signed up to another; that line, not the fine print that prices it, carries the pattern.
    private static let trialWithOrder = TextPattern(
        #"\bfree\b[^.!?]{0,40}\b(trial|membership)\b[^.!?]{0,30}\bwith (this|your|the|every|each) (order|purchase)\b"#)
    /// A sentence about a trial or a membership.
    private static let trialOrMembership = TextPattern(#"\b(trial|membership|member)\b"#)
}
