import Foundation
import VeritasHTML
import VeritasProtocol

/// Urgency: countdown timers and limited-time messages.
enum UrgencyDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        let countdowns = countdownTimers(page)
        // A line that is a countdown's own label ("Last chance to save ... 00 hours :29 minutes")
        // is that countdown, not a second, deadline-less pressure.
        let limited = limitedTimeMessages(page).filter { message in
            !countdowns.contains { $0.evidence.contains(message.evidence) || message.evidence.contains($0.evidence) }
        }
        return countdowns + limited
    }

    // MARK: Countdown timer

    /// Clocks that count down between the two renderings of the page, on a page that sells, unless
    /// the clock is a session timeout. A clock that does not change is a static time (an article
    /// quoting a timer, an opening hour); one that counts down is a countdown. Without a second
    /// rendering nothing is reported: the detector will not guess from wording.
    ///
    /// Clocks are read per block, so a timer whose hours, minutes and seconds sit in nested
    /// `<span>`s ("02 : 14 : 55", "2h 14m 55s", "02 Hours 14 Minutes") is one clock.
    static func countdownTimers(_ page: AuditedPage) -> [Finding] {
        guard let earlierDocument = page.earlierDocument, page.sells else { return [] }
        let earlierClocks = clocks(in: TextBlock.blocks(of: earlierDocument))
        var findings: [Finding] = []
        for (key, later) in clocks(in: page.blocks).sorted(by: { $0.key < $1.key }) {
            guard let earlier = earlierClocks[key] else { continue }
            for (index, clock) in later.enumerated() where index < earlier.count && clock.isBefore(earlier[index]) {
                // The seller's own screen ("SKUs below reorder point … Courier collection at 16:30"):
                // a cut-off for the shop's staff, not the buyer.
                guard !sessionTimeout.occurs(in: clock.evidence), !ScarcityDetector.merchantInventory.occurs(in: clock.evidence) else { continue }
                // A clock counting to a time the page announces, the same for everyone ("closes at
                // 00:00 UTC every Monday", "ends December 20 at 8:00 p.m. Eastern"), is a real
                // deadline, not a timer that restarts per visit.
                let announced = announcedDeadline.occurs(in: clock.block.text) || datedTime.occurs(in: clock.block.text)
                    || visitWindow.occurs(in: clock.block.text) || announcedNearby(clock, on: page)
                guard !announced, !countsToFarOff(clock), isAboutOffer(clock, on: page) else { continue }
                let probability = page.wording[clock.block.position]?.prediction.probability
                let modelNote = probability.map { String(format: "; wording model p=%.2f", $0) } ?? ""
                findings.append(Finding(
                    patternType: .countdownTimer, severity: .medium, confidence: 0.9, evidence: clock.evidence,
                    location: clock.block.location("clock went from \(earlier[index].text) to \(clock.text) between two renderings" + modelNote)))
            }
        }
        return findings
    }

    /// Whether a ticking clock counts down an offer: its own line names one (a sale, a price, a
    /// cart, an order's dispatch, a deadline's "ends in"); or its line names nothing else
    /// (``isLabelledOtherwise(_:)``) and its widget names one, or the clock stands alone on a page
    /// that sells. A game clock ("4th quarter 04:10", "Shot clock 22") on a news page that also
    /// sells tickets counts a match, not an offer: a scoreboard names no sale.
    private static func isAboutOffer(_ clock: Clock, on page: AuditedPage) -> Bool {
        if clockOfferWords.occurs(in: clock.block.text) { return true }
        if isLabelledOtherwise(clock) { return false }
        if clockOfferWords.occurs(in: clock.evidence) { return true }
        return page.widgetOffers(around: clock.block, levels: clockWidgetLevels, stoppingAtMainColumn: true) {
            !$0.isQuotation && $0.text.count <= 400 && clockOfferWords.occurs(in: $0.text)
        }
    }

    /// Whether the clock's own line names what it counts to, and that is not an offer: "Next
    /// opening for boats in 07:39", "Last entry in 00:37:41", "Next update in 0:28". A sales clock
    /// either says what ends in its own line (every labelled countdown of dev.tsv's real shops
    /// does: "Offer ends in", "Items reserved for", "BE QUICK", "2day 13:49:51 Left") or is bare
    /// figures labelled by its widget ("4 days 05:46:20" under a sale's banner). A label that names
    /// something else wins over a price further off in the widget.
    private static func isLabelledOtherwise(_ clock: Clock) -> Bool {
        let label = clockUnits.replacingMatches(in: clockLike.replacingMatches(in: clock.block.text, with: " "), with: " ")
        return letters(in: label) >= 3 && !pressingClockLabel.occurs(in: label)
    }

    /// What names an offer around a clock: what ends (``clockOffer``), money and buying
    /// (``offerCue``), a buy action. One expression, read once per text.
    private static let clockOfferWords = TextPattern(
        clockOffer.source + "|" + offerCue.source + "|" + CommonPatterns.purchaseAction.source)
    /// Time units and digits, removed from a clock's line to leave its label.
    private static let clockUnits = TextPattern(#"\d+|(?<![a-z])"# + timeUnit + #"(?![a-z])"#)
    /// What a sales clock's own label says, beyond ``clockOfferWords``: time running out on the
    /// visitor ("Left", "Time remaining", "BE QUICK", "DON'T MISS OUT", "CHECK OUT NOW"), or a
    /// cart hold's end ("Released in:", dev.tsv's bag reminder); its widget still has to name an offer.
    private static let pressingClockLabel = TextPattern(
        clockOfferWords.source + #"|\b(left|remaining|quick|now|miss|countdown|timer|check ?out|released)\b"#)

    /// Whether the clock's widget (its own element and two boxes around it, up to the page's main
    /// column, ``AuditedPage/isMainColumn(_:)``) states the deadline it counts to: a trip's
    /// boarding time in another card of a checkout is not when its "Deal expires in" clock ends.
    private static func announcedNearby(_ clock: Clock, on page: AuditedPage) -> Bool {
        // A shop's opening hours in the buy box ("Collect from our boutique: Monday–Saturday
        // 9:30–17:30") say when a counter opens, not when an offer ends: they announce what a
        // clock counts to only when its own line is about opening or closing ("closes in").
        let aboutOpening = openingOrClosing.occurs(in: clock.block.text)
        let offersSomething = clockOfferWords.occurs(in: clock.block.text)
        // The block's own element first (it holds the other lines when the clock is inline in it),
        // never the page itself (`<body>`, an app's root) nor its main column.
        return !page.neighbours(of: clock.block, levels: 3, withinWidget: true, includingOwnElement: true, stoppingBelow: page.isMainColumn) {
            guard $0.text.count <= 400 else { return false }
            let text = aboutOpening ? $0.text : openingHours.replacingMatches(in: $0.text, with: " ")
            return announcedDeadline.occurs(in: text) || (!offersSomething && visitWindow.occurs(in: text))
        }.isEmpty
    }
    /// A clock's line about a counter's or a venue's hours: "Closes in", "Opens in", "Last entry in".
    private static let openingOrClosing = TextPattern(#"\b(clos\w*|open\w*|last (entry|admission))\b"#)
    /// Opening hours as a range, by day or named as hours ("Monday to Friday 08:30–17:30",
    /// "Winter hours: 10am–4pm, last entry 3pm"), as ``announcedDeadline`` reads them.
    private static let openingHours = TextPattern(
        #"\b(mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|weekdays|weekends|daily|hours|open)\b:?[^.!?]{0,24}\b\d{1,2}([:.]\d{2})?\s?(am|pm)?\s?(–|-|to)\s?\d{1,2}([:.]\d{2})?\s?(am|pm)?\b|\blast (entry|admission)\b"#)

    /// Whether the clock counts weeks ahead ("91 days 09:40:04" to a concert, "135 days" to the
    /// last frost): a countdown to an event, the same for every visitor. A sales clock counts hours
    /// or a few days; dev.tsv's longest shows 5 days.
    private static func countsToFarOff(_ clock: Clock) -> Bool {
        guard let days = dayCount.firstMatch(in: clock.block.text).flatMap({ Int($0.prefix(while: \.isNumber)) }) else { return false }
        return days >= farOffDays
    }

    /// Days left from which a clock counts to an event rather than an offer (see ``countsToFarOff(_:)``).
    static let farOffDays = 21
    private static let dayCount = TextPattern(#"\b\d{1,4}(?=\s?(d|days?)\b)"#)

    /// Containers above a clock searched for its offer: the timer's box and the bar or card
    /// around it. Higher up is the article the scoreboard sits in.
    static let clockWidgetLevels = 2

    /// What a sales clock's widget says of what ends, beyond ``offerCue``'s money and buying.
    private static let clockOffer = TextPattern(
        #"\b(ends?|ending|expir\w*|hurry|last chance|limited|reserv\w*|held|hold|dispatch\w*|deliver\w*|ship\w*|promo\w*|flash|drop)\b"#)

    /// A clock that logs a person out or holds a session (security), holds a payment until the
    /// account holder answers a fraud check ("we are holding it until you answer"), or counts to
    /// a reset, a sync or maintenance (operations): not sales.
    private static let sessionTimeout = TextPattern(
        #"\b(sign(ed)?|log(ged)?) (you )?out\b|\bsession\b|\buntil you (answer|confirm|reply|respond|approve)\b|\b(was|is) (this|it|that) you\b|\bfraud\w*|\bsuspicious\b|\binactiv\w*|\btime ?out\b|\bverification code\b|\bcode expires\b|\bresend\b|\b(next )?(reset|restor\w*|refresh\w*|sync\w*|backup|maintenance|auto-?sav\w*)\b"#
            // A form that clears itself when left alone ("we will clear your answers if you do
            // nothing on this page for 20 minutes"): an idle timeout.
            + #"|\bclear (your|the) (answers|form|details|entries)\b|\bif you do nothing\b|\bidle\b"#
            // A timetable's next event ("Next class: Aqua Fit · starts in 2:15:10", "next bus in
            // 04:12"): the same clock for everyone, counting to a scheduled start, not an offer.
            // After hours it is the first of the next day ("First opening for boats tomorrow
            // morning in 13:50:19").
            + #"|\b(next|first) (class|session|lesson|bus|train|tram|ferry|sailing|departure|service|tide|high tide|low tide|high water|low water|match|game|show|screening|performance|meeting|opening|lift|swing|passage)\b"#
            // A live page's own refresh ("Next update in 0:28") and a clock shown as a demonstration
            // ("Simulation: 15-minute block, loops" under a maker's timer build).
            + #"|\bnext (update|refresh|reload|poll|check)\b|\bsimulat(ion|or|ed)\b|\bdemo (mode|timer|clock|block|build)\b"#
            // A camera's or a sensor's cycle ("New image every minute · next in 0:23").
            + #"|\b(new|next|latest) (image|photo|picture|frame|snapshot|reading|capture|measurement)s?\b"#)

    /// An absolute time the page names as the deadline: a clock time with its time zone, a
    /// calendar date with its clock time, or a recurring time ("closes at 00:00 every Monday",
    /// "resets every day"), as sites state a real closing time. A recurrence that is not what ends ("Every month we draw one booking") is not.
    private static let announcedDeadline = TextPattern(
        #"\b\d{1,2}([:.]\d{2})?\s*(a\.?m\.?|p\.?m\.?)?\s*(UTC|GMT|CET|CEST|BST|EST|EDT|PST|PDT|CST|CDT|MST|MDT|AEST|AEDT|Eastern|Pacific|Central|Mountain)\b"#
            // A zone in words: "close at 14:00 UK time", "at 17:30 local time".
            + #"|\b\d{1,2}([:.]\d{2})?\s*(a\.?m\.?|p\.?m\.?)?\s*(UK|local|London|Irish|Dublin|Paris|Berlin|Madrid|Rome|Amsterdam|European|Sydney|Tokyo|New York) time\b"#
            // Zones written as short capitals ("23:59 ET", "19:00 KST"): case matters, so that
            // "5 et 6 janvier" or "10 cat" is not a time zone.
            + #"|\b\d{1,2}([:.]\d{2})?\s*(a\.?m\.?|p\.?m\.?)?\s*(?-i:(ET|PT|CT|MT|AKST|AKDT|HST|AST|ADT|NST|NDT|WET|WEST|EET|EEST|MSK|IST|SAST|CAT|EAT|WAT|KST|JST|HKT|SGT|PHT|ICT|WIB|AWST|ACST|ACDT|NZST|NZDT|BRT|ART|CLT))\b"#
            + #"|\b(ends?|ending|closes?|closing|resets?|restarts?|renews?|refresh\w*|starts?|opens?|at \d{1,2}([:.]\d{2})?)\b[^.!?]{0,40}\b(every|each) (day|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"#
            + #"|\b(every|each) (day|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b[^.!?]{0,20}\b(at \d{1,2}|midnight|noon)\b"#
            // Opening hours: "It closes at 17:30 today: closes in 04:27:46" counts to a counter's
            // closing time, the same for everyone.
            + #"|\b(closes?|closing|opens?|opening)( time)? (at|is) \d{1,2}[:.]\d{2}\b"#
            // Opening hours (``openingHours``): a counter's or a venue's clock.
            + #"|"# + openingHours.source
            // A calendar date with its clock time, said of what the clock counts to: "votes at its
            // full council meeting on Tuesday 16 February 2027 at 10:00". A booking's or a
            // listing's date ("Date Sat 19 Dec 2026, 7:30 pm") is not a deadline, nor is a weekday
            // alone ("ends Sunday at 23:59").
            + #"|\b(ends?|closes?|opens?|starts?|begins?|votes?|meeting|deadline|due|goes live|takes place|is held|kicks? off)\b[^.!?]{0,80}"#
            + datedTime.source)

    /// A visit's or a departure's date and window: "Tuesday 8 December 2026, arriving between
    /// 10:00 and 12:00". What a clock counts to when the clock names no offer ("Your engineer
    /// arrives in 01:12:40"); a clock whose own line names one ("Web saver price … 02:06:40 left
    /// to buy") counts to the offer's end, not to the session booked in the card beside it.
    private static let visitWindow = TextPattern(
        #"("# + CommonPatterns.calendarDate.source + #")[^.!?]{0,12}\b(arriv\w*|depart\w*|boarding|visit\w*|appointment)\b[^.!?]{0,20}\b\d{1,2}[:.]\d{2}\b"#)

    /// A calendar date with its clock time ("16 February 2027 at 10:00", "Mon 7 Dec, 09:00"). In
    /// the clock's own line ("Mon 7 Dec, 09:00 · in 0d 04:12:55", a help desk's reply due) it is
    /// the time the clock counts to, printed beside it; elsewhere ``announcedDeadline`` needs it
    /// said of what ends or starts.
    private static let datedTime = TextPattern(
        #"("# + CommonPatterns.calendarDate.source + #")[^.!?]{0,12}\b(at|from|,) \d{1,2}[:.]\d{2}\b"#
            // The time first: "open for booking at 07:00 on Sunday 6 December".
            + #"|\b(at|from) \d{1,2}[:.]\d{2}\s?(am|pm)?,? on (\w+day,? )?("# + CommonPatterns.calendarDate.source + #")"#)

    /// A block that shows a clock: `14:59`, `02 : 14 : 55`, or numbers with time units, also run
    /// together as a page shows them ("00Days17Hours"), or with each figure twice, as a flip
    /// clock's top and bottom halves read ("11 11 Hours: 22 22 Minutes"), also digit by digit
    /// ("0 0 4 4 hours . 0 0 9 9 min", dev.tsv's "EXTRA30 Ends in" clock).
    private static let clockLike = TextPattern(
        #"(?<!\d)\d{1,2}(\s?:\s?\d{2}){1,3}(?!\d)|\b\d+( \d+){0,3}\s?"# + timeUnit + #"(?![a-z])[\s:,]*\d+( \d+){0,3}\s?(h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)(?![a-z])"#)
    /// A time unit as clocks print it, from days to seconds ("d", "hrs", "Minutes").
    private static let timeUnit = #"(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)"#

    private struct Clock {
        var block: TextBlock
        var text: String
        /// Every number of the block, in order: a countdown's later reading is smaller in the
        /// first place they differ (days, then hours, minutes, seconds).
        var numbers: [Int]
        /// What the clock is counting to: its block, or when that is long, the clock with the text
        /// just before it; a clock standing alone is labelled by the line before.
        var evidence: String
        /// How many consecutive blocks the clock spans (unit boxes, ``unitBoxClocks(in:)``).
        var boxes = 1

        /// The clock's own figures (of ``text``): when they rose between readings, the clock
        /// counts up or tells the time ("updated 10:41", then "10:47"), whatever else in its block
        /// fell (a parcel's "6 stops left", then 5).
        var ownNumbers: [Int] { figures(in: text) }

        func isBefore(_ other: Clock) -> Bool {
            guard numbers.count == other.numbers.count else { return false }
            let own = ownNumbers, otherOwn = other.ownNumbers
            if own.count == otherOwn.count, let (a, b) = zip(own, otherOwn).first(where: { $0 != $1 }), a > b { return false }
            for (a, b) in zip(numbers, other.numbers) where a != b { return a < b }
            return false
        }
    }

    /// Every whole number in `text`, in order ("2 days 17 hrs" → [2, 17]).
    private static func figures(in text: String) -> [Int] {
        text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// Clock-like blocks keyed by their element path and nearest id, in document order.
    private static func clocks(in blocks: [TextBlock]) -> [String: [Clock]] {
        var result: [String: [Clock]] = [:]
        let boxed = unitBoxClocks(in: blocks)
        for clock in boxed { result[key(of: clock.block), default: []].append(clock) }
        let inBoxes = Set(boxed.flatMap { clock in (clock.block.position..<(clock.block.position + clock.boxes)) })
        for block in blocks where !block.isQuotation && block.text.count <= 400 && !inBoxes.contains(block.position) {
            let text: String
            let numbers: [Int]
            var evidence = block.text
            var widget: String?
            if let match = clockLike.firstMatch(in: block.text) {
                text = match
                numbers = figures(in: block.text)
                widget = widgetText(of: block, in: blocks)
            } else if let boxes = digitBoxes(block) {
                // Read as the boxes show: "02 23 00 54", not the run "02230054".
                text = boxes.map { String(format: "%02d", $0) }.joined(separator: " ")
                numbers = boxes
                evidence = text
            } else {
                continue
            }
            if let widget {
                evidence = widget
            } else {
                if evidence.count > 200, let range = block.text.range(of: text) {
                    evidence = String(block.text[..<range.lowerBound].suffix(120)) + text
                }
                if letters(in: clockUnits.replacingMatches(in: evidence, with: " ")) < 3 {
                    // A clock of bare figures, or of figures and units alone ("00 hours :29
                    // minutes :43 seconds"), is labelled by the line before and captioned by a
                    // line of units under it ("DAYS HRS MINS SECS").
                    if blocks.indices.contains(block.position + 1), unitsCaption.occurs(in: blocks[block.position + 1].text) {
                        evidence += " " + blocks[block.position + 1].text
                    }
                    if block.position > 0 { evidence = blocks[block.position - 1].text.clipped(to: 200) + " " + evidence }
                }
            }
            result[key(of: block), default: []].append(Clock(block: block, text: text, numbers: numbers, evidence: evidence))
        }
        return result
    }

    /// A clock's key between two renderings: its element path and nearest id.
    private static func key(of block: TextBlock) -> String { "\(block.first.path)#\(block.first.nearestID ?? "")" }

    /// A box of a clock drawn one unit per element: "13 HOURS", "09 MINUTES", "27 SECONDS".
    /// Days may run to three figures ("339 days" to a concert next year).
    private static let unitBox = TextPattern(#"^\W*(\d{1,3}\s*days?|\d{1,2}\s*(hrs?|hours?|mins?|minutes?|secs?|seconds?))\W*$"#)

    /// Clocks drawn as three or four unit boxes side by side, each its own element (a
    /// `<div><span>13</span><small>HOURS</small></div>` per unit), read as one clock: "13 HOURS 09
    /// MINUTES 27 SECONDS". Its evidence is the smallest box around it holding more than the clock
    /// (the promotion's "Sale Ends Once The Timer Hits Zero!"), when that is one short message.
    private static func unitBoxClocks(in blocks: [TextBlock]) -> [Clock] {
        var clocks: [Clock] = []
        var start = 0
        while start < blocks.count {
            let container = blocks[start].ancestorIndices.dropFirst().first
            var end = start
            while end < blocks.count, !blocks[end].isQuotation, unitBox.occurs(in: blocks[end].text),
                  blocks[end].ancestorIndices.dropFirst().first == container {
                end += 1
            }
            guard (3...4).contains(end - start) else {
                start = max(end, start + 1)
                continue
            }
            let run = blocks[start..<end]
            let text = run.map(\.text).joined(separator: " ")
            // Above the boxes' own container, which holds the clock alone.
            let evidence = widgetText(around: run.first!.ancestorIndices.dropFirst(2).prefix(2), holdingMoreThan: run.count, in: blocks) ?? text
            var clock = Clock(block: run.first!, text: text, numbers: figures(in: text), evidence: evidence)
            clock.boxes = run.count
            clocks.append(clock)
            start = end
        }
        return clocks
    }

    /// The timer's widget, as a person reads it: the text of the smallest element around the
    /// clock (its own block element, or the one above) that holds more than the clock's line,
    /// when that is short enough to be one message, else `nil`. Real timers are one message:
    /// dev.tsv's countdown texts join the offer, the clock and the call to action ("YOUR CART IS
    /// ELIGIBLE FOR AN ADDITIONAL 10% OFF … 00 hours :29 minutes :26 seconds CHECK OUT NOW",
    /// "Flash Sale ends in SHOP NOW"), and none is longer than 142 characters.
    private static func widgetText(of block: TextBlock, in blocks: [TextBlock]) -> String? {
        widgetText(around: block.ancestorIndices.prefix(2), holdingMoreThan: 1, in: blocks)
    }

    /// The text of the first of `containers` that holds more than `lines` blocks (the clock's
    /// own), below the whole page, when it is short enough to be one message; else `nil`.
    private static func widgetText(around containers: ArraySlice<Int>, holdingMoreThan lines: Int, in blocks: [TextBlock]) -> String? {
        for container in containers {
            let inside = blocks.filter { $0.first.ancestorIndices.contains(container) && !$0.isQuotation }
            // The page itself (a body of a few lines) is not a widget.
            guard inside.count > lines, inside.count < blocks.count else { continue }
            let text = inside.map(\.text).joined(separator: " ")
            return text.count <= maxWidgetLength ? text : nil
        }
        return nil
    }

    /// Longest timer widget quoted whole (see ``widgetText(of:in:)``).
    static let maxWidgetLength = 160

    private static func letters(in text: String) -> Int { text.filter(\.isLetter).count }

    /// A clock drawn as boxes: three or four elements side by side, each holding only a one- or
    /// two-digit figure ("<span>02</span><span>23</span><span>00</span><span>54</span>"), with
    /// the units, if any, in a caption. Their figures, or `nil`.
    private static func digitBoxes(_ block: TextBlock) -> [Int]? {
        let parts = block.segments.map { $0.text.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard (3...4).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy({ $0.isASCII && $0.isNumber }) }) else { return nil }
        return parts.compactMap { Int($0) }
    }

    /// A line of nothing but time units: a clock's caption.
    private static let unitsCaption = TextPattern(#"^\W*((days?|hrs?|hours?|mins?|minutes?|secs?|seconds?)\W*){2,4}$"#)

    // MARK: Limited-time message

    /// Wording that presses without a deadline: ``limitedTimeWords`` or ``urging``.
    private static let limitedTime = TextPattern(limitedTimeWords.source + "|" + urging.source)
    /// Every limited-time wording but the bare urging.
    private static let limitedTimeWords = TextPattern(
        #"\blimited[- ]time\b|\bfor a limited time\b|\b(ends|ending|closes|expires|over) soon\b|\bhurry\b|\btoday only\b|\blast chance\b|\bwhile (stocks?|supplies) lasts?\b|\bdon'?t miss out\b|\bwon'?t last\b|\bbefore it'?s (gone|too late)\b|\bonly (\w+ ){0,2}for a short (time|while)\b|\bnow or never\b"#)
    /// "Act now" is the most general urging there is: "Act now if you smell gas", "Act now: boil
    /// tap water" are safety advice. Alone it needs an ``offerCue`` (dev.tsv's one: "Act now and
    /// save $12.99. Limited time only!").
    private static let urging = TextPattern(#"\bact (now|fast)\b"#)

    /// What a limited-time message is about: an offer that will not wait. "Limited edition" is
    /// a product line, not a deadline.
    private static let timeCue = TextPattern(
        #"\b(limited[- ]time|limited offer|ends?|ending|hurry|today|tonight|soon|expir\w*|while|last chance|deadline|don'?t miss|miss out|won'?t last|now or never|act (now|fast))\b"#)
    /// A limited-time line that is really another pattern: a clock (a countdown), few items left
    /// (low stock) or demand, as "Hurry! Only 2 left in stock" is labelled in the real-world
    /// data; or no pressure at all ("there is no hurry").
    private static let otherPressure = TextPattern(
        CommonPatterns.specificDate.source + "|" + CommonPatterns.clock.source + "|" + clockLike.source
            + #"|\b\d{1,2}\s?:\s?\d{2}\b|\bonly \d+ (\w+ ){0,3}left\b|\b\d+ (\w+ ){0,2}left\b|\bsell(s|ing)? (fast|out|quickly)\b|\b(strong|high|huge|heavy) demand\b"#
            + #"|"# + CommonPatterns.claimedOrRationed.source
            // "There is no hurry", "Don't hurry the soak": the word, negated.
            + #"|\b(no|don['’]?t|do not|never|not in a|no need to|without|there['’]?s no|there is no) (\w+ )?hurry\b"#
            // "Seven ways shops hurry you into spending": the verb, about someone else's pressure.
            + #"|\bhurr(y|ies|ied|ying) (you|people|shoppers|customers|buyers|us|them|visitors)\b"#
            // "Act fast if your bag goes missing", "Act now if you smell gas": advice for a case,
            // not an offer's deadline (dev.tsv's: "Act now and save $12.99").
            + #"|\bact (now|fast|quickly),? (if|when|whenever|once)\b"#
            // "We will never text or phone you to say you must act now": a scam warning says who
            // will not press; dev.tsv's urgings are never negated.
            + #"|\b(never|will not|won['’]t|would never|do not|don['’]t) (\w+ ){0,10}(say|tell|ask|pressure|rush)\b[^.!?]{0,40}\b(act now|act fast|hurry|last chance)\b"#
            // "Hurry up with the next recipe please!": a reader asking someone else to hurry.
            + #"|\bhurry up (with|on)\b"#
            // "Hurry is the enemy on the water", "people in a hurry": hurry the noun, not the
            // command every real-world "hurry" is (dev.tsv's: "Hurry!", "Hurry up!", "Hurry, only").
            + #"|\bhurry (is|was|isn['’]t|wasn['’]t|makes|made|kills|ruins|spoils|never|always|has|had)\b|\b(in a|in no|the|any|such a|what['’]s the|why the) hurry\b"#
            // "Act now: have your say on the wind farm": a civic call (a consultation, a petition,
            // an election), not an offer.
            + #"|\b(have your say|consultation|petition|write to your (mp|representative|councillor|senator)|register to vote|public inquiry)\b"#
            // Time limited on a shared thing, with the limit: "Limited time on the printer microfilm
            // reader: 30 minutes if others are waiting" is a rule of use, not an offer's deadline.
            + #"|\blimited time (on|at|with|per|in) (the|a|an|each|your)\b[^.!?]{0,40}\b\d+ (minutes?|mins?|hours?|hrs?)\b"#
            // A span of time judged short for what it must hold ("A sheet is booked for two hours:
            // that is limited time for a full eight ends", "twenty minutes, which is limited time
            // for tea"): a schedule's length, not an offer's. No limited-time text of dev.tsv says
            // something "is limited time for".
            + #"|\b(is|was|that['’]s|it['’]s|which['’]s) (a |very |quite |rather |pretty |fairly )?limited time for\b"#
            // Someone's own short time ("If you have limited time to set up before a party",
            // "Limited time? Try a drop-in", "Limited time on your lunch break?"): the visitor's
            // schedule, asked about or planned for, not an offer's. No limited-time text of
            // dev.tsv has a person having it or asks it.
            + #"|\b(you|i|we|they|he|she|families|parents|visitors|people|anyone)( only| just)? (have|has|had|['’]ve got|['’]ve|are on|['’]re on) (only |a |very |quite )?limited time\b|\blimited time\b[^.!?]{0,60}\?"#
            // "Is there a last chance to get compensation?": an FAQ's question asks, it does not press.
            + #"|^\W*(is|are|can|could|do|does|did|will|would|should|what|when|where|why|how|who)\b[^.!]*\?\W*$"#
            // "Know when it is the last chance to think": a last chance to do something other
            // than take an offer is advice or a story (dev.tsv's: "last chance to save", "Last
            // chance! Only 1 left").
            + #"|\blast chance to (?!(buy|order|save|get|grab|claim|book|shop|enter|sign|join|subscribe|register|enrol\w*|snap|secure|reserve|pick|try|win|apply|redeem|use|see|visit|catch|bag|stock|upgrade)\b)\w+"#
            // "Last chance to see the press running this year", "the last chance to see it running
            // before we take it apart": a thing on show for the last time, unless what is seen is
            // an offer ("Last chance to see these prices").
            + #"|\blast chance to (see|visit|catch|hear|watch|view)\b(?![^.!?]*("# + offerCue.source + #"))"#
            // "Last chance before landfill for about three hundred things a year": a thing's last
            // chance before its end, not the visitor's before an offer's ("before it's gone",
            // "before prices rise", "before the sale ends" still press).
            + #"|\blast chance before (?!(it|it['’]s|they|they['’]re|the (sale|offer|deal|price|prices|end|weekend|holidays?)|prices?|stock|midnight|checkout|we|our|you|your|christmas|black friday)\b)\w+"#)

    /// What makes a long sentence an offer: money, a sale, buying. "This is your last chance to
    /// dimple before baking" in a recipe's steps, or "last chance to see the fleet" in a news
    /// story, has none: a narrative's deadline, not a seller's. "Off" counts only as an amount
    /// off ("10 OFF", "half off"): "take the pan off the heat" is a recipe.
    private static let offerCue = TextPattern(
        #"[$€£%]|\b(sale|offer|deal|discount\w*|sav(e|ings?)|price\w*|buy|order|shop|subscri\w*|book(ing)?|tickets?|coupon|code|free|(half|\d+) off|checkout|cart|basket|bag|member\w*|trial|plan|upgrade|enrol\w*|register|sign up)\b"#)
    /// Sentences longer than this need an ``offerCue`` to be a limited-time message.
    static let plainSentenceWords = 15


    /// Limited-time wording in the page's own text (not quoted), with no specific date or
    /// deadline in the same block: "Limited time only!", "Hurry, free access ends soon!".
    static func limitedTimeMessages(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .limitedTimeMessage, severity: .medium, confidence: 0.75, pattern: limitedTime, cue: timeCue, maxLength: 400,
                    unless: otherPressure, unlessInSentence: CommonPatterns.firstPersonSingular, titleNeedsOffer: offerCue, describe: { "\"\($0)\" with no end date" }).findings(on: page)
            .filter { finding in
                let urgesOnly = urging.occurs(in: finding.evidence) && !limitedTimeWords.occurs(in: finding.evidence)
                // The offer an "act now" presses is in its own sentence ("Act now and save
                // $12.99"); a price elsewhere in the paragraph ("… act now: lock the card and call
                // us. Fraud losses reached CA$638 million") is not what it urges.
                let pressed = urgesOnly ? finding.evidence.sentence(holding: urging) : finding.evidence
                return offerCue.occurs(in: pressed) || (!urgesOnly && finding.evidence.split(separator: " ").count <= plainSentenceWords)
            }
    }
}
