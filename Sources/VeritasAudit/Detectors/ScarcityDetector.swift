import Foundation
import VeritasProtocol

/// Scarcity: low-stock and high-demand messages.
enum ScarcityDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        let stated = lowStock(page)
        // A meter's label that already says it in words is that message, reported once.
        let meters = stockMeters(page).filter { meter in !stated.contains { $0.evidence.contains(meter.evidence) } }
        return stated + meters + highDemand(page)
    }

    // MARK: Stock meter

    /// A bar that shows stock running down (`<progress>`, `<meter>` or `role="progressbar"`),
    /// labelled as stock in its own box: "LIVE REMAINING STOCK" over a bar, "Sold: 86%" beside
    /// one. The bar is the pressure; the label says what it measures. Only on a page that sells,
    /// and not for what ``notScarcity`` says is no stock (a plan's quota, time left).
    static func stockMeters(_ page: AuditedPage) -> [Finding] {
        guard page.sells else { return [] }
        var findings: [Finding] = []
        for gauge in page.document.gauges {
            // The bar's box, up to two levels up, but never the page itself, and never past a box
            // with its own heading: a fundraiser's bar in one section is not labelled by the
            // "Places left" column of a rota in the section beside it.
            let label = page.neighbours(ofElement: gauge.ancestorIndices, levels: 2, withinWidget: true, stoppingAtHeading: true) { block in
                !block.isQuotation && block.text.count <= maxMeterLabelLength && meterLabel.occurs(in: block.unquotedText)
                    && !notScarcity.occurs(in: block.text)
            }.first
            // A bar of a large capacity stated plainly ("Places left: 1,204 of 9,000") shows how
            // full an event is; few are left only when the label says so ("Only 498 left", "Hurry").
            if let label, !pressingFew.occurs(in: label.text), largeCount.occurs(in: label.text) { continue }
            if let label, !findings.contains(where: { $0.evidence == label.text }) {
                findings.append(Finding(
                    patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: label.text,
                    location: label.location("stock meter: a bar labelled \"\(label.text)\"")))
            }
        }
        return findings
    }

    /// What a stock meter's label says it measures.
    private static let meterLabel = TextPattern(
        #"\b(stock|inventory|left|remaining|sold|claimed|gone)\b"#)
    /// A meter's label is a caption, not a paragraph.
    static let maxMeterLabelLength = 80

    /// "Only 2 left in stock", "JUST 1 LEFT!", "Only 4 tickets left at this price", "Only 3 available", "Only 7 in
    /// stock", "Only: 9 in stock now", "Almost gone".
    private static let fewLeft = TextPattern(
        #"\b(only|just):? \d+ (\w+(\(s\))? ){0,3}(left|remaining|available)\b|\bonly:? \d+ (\w+ )?in stock\b|\b\d+ (left|remaining) in stock\b|\blast \d+ (items?|pairs?|rooms?|seats?|tickets?|units?|spots?|places?)\b|\b(almost|nearly) (gone|sold out)\b|\blow (in )?stock\b|\b(only|just) a (few|handful) left\b|\bfew (items |pieces |seats |rooms )?left\b"#
            // A bare tag: "(5 Left)", "3 LEFT" (five of dev.tsv's low-stock texts are nothing else).
            + #"|^\W*\(?\d+ (left|remaining)\)?\W*$"#
            // "Less than 10 left!", "Currently less than 10 available": dev.tsv's real shops say it so.
            + #"|\b(less|fewer) than \d+ (\w+ ){0,2}(left|remaining|available|in stock)\b"#
            // "We only have 5 left!": the shop speaking of its own stock.
            + #"|\b"# + shopHasOnly.source
            // "Limited quantity!", "In Stock - Limited Quantity", "Limited quantity remaining":
            // six of dev.tsv's low-stock texts say it so, with no figure.
            + #"|\blimited quantit(y|ies)\b"#
            // "Last one available", "Last pair in stock".
            + #"|\blast (one|item|piece|pair|unit|size) (available|left|remaining|in stock)\b"#
            + #"|\b"# + CommonPatterns.claimedOrRationed.source)
    /// The shop speaking of its own stock: "We only have 5 left!", "we have just 3 remaining".
    private static let shopHasOnly = TextPattern(#"(we|they)( only| just)? (have|has|got|'ve got)( only| just)? \d+ (\w+ ){0,3}(left|remaining|available)\b"#)
    /// Few-left wording in the seller's voice, whatever the cell: the shop's own stock, or an
    /// exclaimed "Only 8 items left in stock!" (a stock list's figure is not exclaimed).
    private static let sellerVoice = TextPattern(shopHasOnly.source + #"|\bonly \d+ (\w+(\(s\))? ){0,3}(left|remaining)( in stock)?\s*!"#)
    /// "In high demand", "Selling fast", and as dev.tsv's shops also word it: "in VERY high-demand",
    /// "Strong demand!", "Our items sell fast", "selling out quickly". A "high-demand show" is a
    /// kind of show (a ticket limit's FAQ), not a claim about the goods on offer.
    private static let demand = TextPattern(
        #"\bhigh demand\b|\bin (very |such )?high-demand\b|\b(strong|huge|heavy) demand\b|\bsell(s|ing)? (out )?(fast|quickly)\b|\bflying off\b|\bhot (item|seller)\b|\btrending now\b|\bin demand\b|\bgoing (fast|quickly)\b"#)

    /// What a low-stock message is about: few of something left. "Last" as the last items ("last
    /// 3", "last one"), not the verb: "this deal won't last" is a deadline's wording.
    private static let stockCue = TextPattern(
        #"\b(left|remaining|remain|sold|gone|few|running out|low stock|almost|nearly|less than|fewer than|limited quantit(y|ies))\b|\b\d+ (\w+ ){0,2}in stock\b|\blast (\d+|one|few|remaining|items?|pieces?|units?|pairs?|seats?|rooms?|tickets?|spots?|places?|sizes?|chance)\b"#)
    /// Figures that are not scarcity: a purchase limit, a story told in the past ("I only had 4
    /// oranges left"), what is left to do. (A date defuses only plain figures: ``datedList``.)
    private static let notScarcity = TextPattern(
        #"\blimit(ed to)? \d+ (\w+ )?(per|each|a)\b|\blimited quantit(y|ies) (per|for each|each)\b|\b(I|we)( only)? had( only)? \d+\b"#
            // A dangerous-goods shipping class ("Lye ships as a limited quantity (UN1823) by
            // ground only"): how the parcel is carried, not how much is left.
            + #"|\b(ships?|shipped|sent|carried|classed|packed|travels?) as (an? )?(excepted|limited) quantit(y|ies)\b|\blimited quantit(y|ies)\W{0,3}\(?(UN|ID) ?\d{4}\b|\bLTD QTY\b"#
            // A count of what is still to do ("3 left to add to your list", "2 steps remaining to
            // finish"): progress, not stock.
            + #"|\b(left|remaining|to go) to (add|do|go|read|watch|complete|finish|pack|check|tick|collect|answer|review|fill|choose|pick|select)\b"#
            // Progress through a course or a game ("only 2 lessons left in this unit"), and a
            // player's or a team's allowance in a game ("Timeouts left: 3", "2 lives left").
            + #"|\b(lives|tries|attempts|turns|guesses|hints|moves|time-?outs?|fouls|substitutions|continues|lessons?|chapters?|modules?|steps?|levels?|questions?|episodes?|exercises?|tasks?|rounds?|sections?|stages?|parts? of the form|issues|bugs|pull requests|to-?dos?) (left|remaining|to go)\b|\b(left|remaining) before you (can|finish|submit|complete)\b|\b\d+ (of|out of) \d+ \w+ (done|completed|finished|watched|read|delivered|used|sent|shipped|paid)\b"#
            // Whatever is left to do that is not buying ("1 item left to deliver", "£60 left to
            // reach your goal", "25 days left to request a collection"): none of these wordings
            // occurs in the real shop texts of dev.tsv, where "N left" is always goods on offer.
            + #"|\b(left|remaining) to (?!(buy|order|grab|claim|book|get|purchase|snap|reserve|secure|win|save|shop|choose|pick)\b)\w+"#
            // "6 left to get out" (a recipe's checklist): getting something out, through or done
            // is a task; "left to get at this price" is buying.
            + #"|\b(left|remaining) to get (out|through|done|back|off|up|in|round|past|rid of|ready)\b"#
            // What the visitor already has ("You have only 4 bottles left of the Rioja you bought"):
            // their own goods, not the shop's stock. No low-stock text of dev.tsv says "you have".
            + #"|\byou have (only |just )?(\d+|one|any|some|a few) (\w+ ){0,3}(left|remaining)\b"#
            // Distance left on a route ("Only 3 miles left", "2 km to go") and what is left open
            // or closed ("Only 2 roads left open"): a journey or a state, not goods.
            + #"|\b\d+ (miles?|km|kilomet(er|re)s?|met(er|re)s?|laps?|stops?|stations?) (left|remaining|to go)\b|\b(left|remaining) (open|closed|standing)\b"#
            // Few left with its cause, when the cause is not demand ("only 3 pairs left for that
            // session, because a school group has booked"): the shop explains, it does not press.
            + #"|\b(left|remaining)\b[^.!?]{0,40}\bbecause\b(?![^.!?]*\b(demand|popular\w*|selling|sold|going fast|hurry)\b)"#
            // The visitor's plan: "Only 1 snapshot left on your plan (3 of 4 used)", "Only 2 DNS
            // zones left on your Business plan".
            + #"|\b(left|remaining) (on|in|of) (your|this|the|our) (\w+ ){0,2}(plan|account|subscription|allowance|quota|package)\b|\(\d+ of \d+ used\)"#
            // A named person's balance or card ("Only 2 school meals left on Maya's balance"): what
            // a prepaid account still covers, not stock.
            + #"|\b(left|remaining) (on|in|of) (your|their|his|her|[a-z]+['’]s) (\w+ ){0,2}(balance|account|card|wallet|credit|allowance|pass)\b"#
            // The visitor's own cart, as a reminder: "You left 2 items in your bag" (the verb, not
            // what is left in stock).
            + #"|\b(you|you['’]ve|you have) (left|forgot|forgotten) \d+ (\w+ ){0,2}(in|on) (your|the) (shopping )?(bag|cart|basket|trolley|wish ?list)\b"#
            // A player's place in a group the visitor would play or sing in ("Horns: only 1 place
            // left in the section for the spring term"): a seat in an ensemble or a team, not goods.
            + #"|\b(places?|spots?|seats?|chairs?|vacanc(y|ies)) (left|remaining|available) in the (\w+ )?(section|band|choir|orchestra|ensemble|squad|team|chorus|crew|quartet|group)\b"#
            // The writer's own things: "Only 3 bottles left in my own cellar". No low-stock text of
            // dev.tsv says "my"; a shop says "our" ("only 3 left in our warehouse" presses).
            + #"|\b(left|remaining) (in|from|of|on) my\b"#
            // Money, time or a quota left is a budget, a deadline or an allowance, not stock.
            + #"|[£$€¥]\s?\d[\d,.]*\s*(\w+ )?(left|remaining)\b|\b(left|remaining):?\s*[£$€¥]\s?\d|\ballowances? (left|remaining)\b|\b\d+ (days?|hours?|hrs?|minutes?|mins?|weeks?|months?|years?) (left|remaining)\b|\d{1,2}:\d{2}(:\d{2})?\s*(left|remaining)\b|\b(left|remaining) of (your |the |this )?\d"#
            // Free dates listed by name ("Only 3 Saturdays are left between May and September
            // 2027: 8 May, 14 August and 25 September"): a diary's openings, each one named, not a
            // count to press with. No low-stock text of dev.tsv lists what is left.
            + #"|\b(left|remaining|available|free)\b[^.!?:]{0,50}:\s*\d{1,2}(st|nd|rd|th)? "# + CommonPatterns.monthName + #"[^.!?]{0,30}(,| and) \d{1,2}(st|nd|rd|th)? \w+"#
            // Few left asked as a question ("Only 4 of our hankies left? That's the kit cupboard,
            // not a shop"): the page raises the count to explain it. No low-stock text of dev.tsv
            // asks.
            + #"|\b(left|remaining|in stock)\?(?!\s*!)"#
            // "LIMITED TIME LEFT!", "Time remaining": time, a deadline's words, never stock.
            + #"|\btime (left|remaining)\b"#
            // An allowance, the visitor's own: storage ("Only 3.2 GB left of your 200 GB") and what
            // is left for a period ("Left this tax year £55,744.96"). dev.tsv's low-stock texts
            // count goods; none counts data or says "left this year".
            + #"|\b\d[\d,.]*\s?(kb|mb|gb|tb|kib|mib|gib|tib|kilobytes?|megabytes?|gigabytes?|terabytes?)\b[^.]{0,20}\b(left|remaining)\b|\b(left|remaining) (this|for the|for this) ((tax|financial|calendar|school|academic) )?(year|month|week|quarter|period|term|season)\b"#
            // Events left in a run or a timetable ("Only 4 performances left: the run ends on
            // Saturday", "2 sailings left today"): a schedule, not goods. dev.tsv's low-stock texts
            // count goods, seats, rooms and tickets, never the events themselves.
            + #"|\b(performances?|shows?|screenings?|showings?|sailings?|departures?|draws?|launch(es)?|match(es)?|fixtures?|games?|races?|concerts?) (are |is |still )?(left|remaining)\b"#
            // Volunteers' places left on a rota ("only 3 volunteer spots left on Saturday"): what
            // a charity asks people to give, time, not goods.
            + #"|\bvolunteer(ing)? (spots?|places?|shifts?|slots?|roles?) (are |is |still )?(left|remaining)\b"#
            // Free times in an appointment book ("Only 2 appointments left today", "Thu 10 Dec · Only 2
            // slots left"): a diary's state, shown by clinics, advice centres and garages alike.
            // dev.tsv's low-stock texts count goods, seats, rooms and tickets, never appointments or
            // slots; one priced in its own line ("2 slots left at £45") is still read.
            + #"|\b(appointments?|slots?|time ?slots?|consultations?|sessions?|(parking )?spaces) (are |is |still )?(left|remaining|available)\b(?![^.!?]{0,30}[£$€])"#
            // Payments left on a plan or a loan ("2 instalments left"): what the visitor owes.
            + #"|\b(instal?lments?|payments?|repayments?|premiums?|direct debits?) (are |is |still )?(left|remaining)( to pay)?\b"#
            // "Only 2 are left open after 18:00 today, Cumberland Council said": news reporting
            // what someone said, not the page's own stock.
            + #"|"# + CommonPatterns.reportedOrSourced.source)
    /// The seller's own stock-keeping, shown to the seller: a reorder point or level, a purchase
    /// order to a supplier, a SKU's count on hand ("3 left · reorder point 10", an inventory
    /// card's "Items at or below the reorder point you set", a stock table's "On hand" column).
    /// A buyer is never shown these; a bare "Reorder" (buying again from an order history) is the
    /// buyer's, and not among them.
    static let merchantInventory = TextPattern(
        #"\b(re-?order (point|level|threshold|quantity|alert)s?|purchase orders?|par levels?|stock ?takes?|(units?|qty|quantity) on hand|safety stock|create (a )?PO)\b"#
            // An inventory table's column heading: "On hand", "Stock on hand".
            + #"|^\W*((stock|units|qty) )?on hand\W*$"#)

    /// What a few-left line names when it speaks of goods on sale: stock, items, copies, sizes,
    /// "this colour", "at this price". Places, seats, spots and tickets are goods only beside a price
    /// or a buy button (a rota's spots, a race's places and a class's seats are not for sale).
    static let stockGoods = TextPattern(
        #"\b(in stock|stock|items?|products?|pieces?|pairs?|units?|copies|editions|prints|sizes?|colou?rs?|carts?|baskets?|bags?|orders?|this (style|size|colou?r|model|one|item|product|deal|offer)|at this price)\b"#)

    /// A large count stated plainly ("Places left: 1,204 of 9,000", "350 seats remaining") tells
    /// how full something is; dev.tsv's shops that show large counts say "only" or "hurry" with
    /// them ("Hurry, only 302 left"), which ``pressingFew`` reads.
    static let largeCount = TextPattern(
        #"\b(\d{1,3}(,\d{3})+|[1-9]\d{2,})\s+(of\s+[\d,]+\s+)?(\w+\s+){0,2}(left|remaining)\b|\b(left|remaining):?\s+(\d{1,3}(,\d{3})+|[1-9]\d{2,})\b"#)

    /// A dated availability list ("12 March: 4 places remaining") states figures.
    private static let datedList = TextPattern(CommonPatterns.specificDate.source)
    /// Figures stated plainly, unless pressed: a dated list or a large count.
    private static let plainFigures = TextPattern(datedList.source + "|" + largeCount.source)
    /// Few-left wording that presses even in a table or beside a date.
    /// A claim with no figure ("Almost gone", "Limited quantity available") presses beside a date
    /// too: there is no count for the date to belong to.
    private static let pressingFew = TextPattern(#"\bonly (\d+|a few|a handful) (\w+(\(s\))? ){0,3}(left|remaining)\b|\b(almost|nearly) (gone|sold out)\b|\bhurry\b|\blimited quantit(y|ies) (available|left|remaining|in stock)\b"# + #"|\b"# + shopHasOnly.source)

    /// What a demand claim is about: other people wanting it.
    private static let demandCue = TextPattern(
        #"\b(demand|selling|sell|sold|popular|fast|hot|trending|wish ?list\w*|carts?|baskets?|bags?|views?|viewed|wanted|booked|snapped)\b"#)

    /// A demand report, not a claim: figures for a stated period ("we gave out 1,240 parcels in
    /// November 2026, up from 980"). No high-demand text of dev.tsv's real shops gives a year or a
    /// comparison; the claims there stand alone ("In high demand", "Selling fast").
    private static let demandReport = TextPattern(
        #"\b(in|during|since|for|of) ("# + CommonPatterns.monthName + #" )?(19|20)\d{2}\b|\b(19|20)\d{2}\s?[–/-]\s?(\d{2}|(19|20)\d{2})\b"#
            // "Paper is in high demand, apparently": hearsay the writer passes on, hedged as such;
            // no demand claim of dev.tsv's shops is hedged.
            + #"|\b(apparently|reportedly|so (i|we)['’]?(m| am|re| are) told|(i|we) hear)\b"#
            // "The valuation desk was in high demand": what was wanted once, told in the past. Every
            // demand claim of dev.tsv is in the present.
            + #"|\b(was|were|had been) (\w+ )?in (\w+ )?demand\b"#
            // "Last year the centres took 2,310 visits": a comparison with a past period.
            + #"|\b(last|this past|the past) (year|month|week|season|winter|summer|spring|autumn|christmas)\b"#
            // Demand counted ("we have had 312 requests for 180 packs") or a service's load told as
            // a wait ("new servers are taking about 4 minutes to start"): a report, not a claim.
            + #"|\b\d[\d,]* (requests|applications|enquiries|inquiries|referrals|calls|sign-?ups)\b|\b(taking|takes|waits?|wait times?( of)?|queues? of|delays? of) (about |around |up to |over )?\d+ (seconds?|minutes?|mins?|hours?|days?)\b"#
            // "The average wait was 18 minutes": the same load told in the past.
            + #"|\bwaits?( times?)? (was|were|is|are|has been) (about |around |up to |over |under )?\d+ (seconds?|minutes?|mins?|hours?|days?)\b"#
            // "expect a 15-minute wait": the same load, told as the wait it causes.
            + #"|\b\d+[- ](second|minute|min|hour)s? (wait|queue|delay)\b"#
            // "Our phone lines are in high demand this week": a contact channel's load is the
            // seller's capacity, not the goods on offer (dev.tsv's demand claims are all goods').
            + #"|\b(phone lines?|helplines?|hotlines?|advice lines?|the line (is|was|gets|has been)|call[- ]cent(re|er)s?|switchboards?|live chat|chat lines?|support (team|desk|lines?)|customer (service|support|care)( team)?|servers?|mirrors?|cdns?|download servers?)\b[^.!?]{0,40}\bdemand\b"#
            // "3,140 of the 4,000 packs were sold by 3 December": a tally to a date, not a claim.
            + #"|\b\d[\d,]* of (the |our )?\d[\d,]* (\w+ ){0,2}(were|have been|had been|are) (sold|taken|claimed|booked|reserved|given out)\b"#
            // A load told with its cause or its day ("Iron ore in high demand as mills restock",
            // "High demand after Storm Hollis", "in high demand before the Christmas fairs", "High
            // demand on Mondays") or carried ("We are under
            // high demand today"): a report of who wants what and why. dev.tsv's claims give
            // neither ("In high demand", "Items in your cart are selling fast").
            + #"|\bunder (very )?(high|heavy|huge|great|strong) demand\b|\b(high|strong|heavy|huge|great) demand (after|as|since|because|due to|following|from|during|before|ahead of|in the run[- ]up to)\b"#
            + #"|\bdemand\b[^.!?]{0,16}\b(on|every|at|during) ((summer|winter|spring|autumn|sunny|busy|peak|holiday|bank[- ]holiday|match|race) )?(mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekends|weekdays|evenings|holidays)\b"#
            // A season's habit ("moorings are in high demand in summer", "Tomatoes are in high
            // demand every March"), not a claim about now.
            + #"|\bdemand\b[^.!?]{0,16}\b(in|during|every|each) (the )?"# + season + #"\b"#
            // The season first: "Ringing for weddings in summer is in demand".
            + #"|\b(in|during) (the )?"# + season + #"\b[^.!?]{0,24}\bin (high |great |strong )?demand\b"#
            + #"|\bdemand\b[^.!?]{0,16}\b(on|every) (monday|tuesday|wednesday|thursday|friday|saturday|sunday) (mornings?|afternoons?|evenings?|nights?)\b"#
            // The time slot first: "Saturday afternoon sessions are in high demand", "On summer
            // weekends the car park is in high demand": a timetable's busy slot, not goods wanted
            // now. No demand claim of dev.tsv names a day; a day's goods ("Saturday sourdough")
            // and a sale day ("Black Friday deals") are no slot.
            + #"|(?:\b(on|at) ((summer|winter|spring|autumn|sunny|busy|holiday|bank[- ]holiday) )?(weekends|weekdays|(mon|tues|wednes|thurs|fri|satur|sun)days)\b"#
            + #"|(?<!black )(?<!cyber )\b(weekend|weekday|(mon|tues|wednes|thurs|fri|satur|sun)day)s?( (morning|afternoon|evening|night)s?)? (sessions?|classes|slots?|lessons?|courses?|appointments?|tours?|rides?|walks?|games?|matches|fixtures|parking|tee times)\b)"#
            + #"[^.!?]{0,40}\bin (very |such )?((high|great|strong|huge|heavy)[- ])?demand\b"#
            // A habit told as one ("Saturday sourdough is always in high demand and usually gone by
            // ten", "in demand, as it is every year"): what happens every time, not pressure now.
            // No demand claim of dev.tsv says always, usually or every year.
            + #"|\b(always|usually|normally|generally|typically|traditionally|often|regularly)( been)? (in (very |such )?(high |great |strong |huge )?demand|sells? (out )?(fast|quickly))\b"#
            + #"|\bdemand\b[^.!?]{0,40}\b(as (it|they) (is|are|do|does) )?(every|each) (year|season|spring|summer|autumn|winter)\b"#
            // A load by the hour ("Parking is in high demand between 13:30 and 15:30") and a
            // network's load ("At times of high demand on the local grid"): a habit or a utility's
            // peak, not goods wanted now. dev.tsv's demand claims give no hours and no grid.
            + #"|\bdemand\b[^.!?]{0,16}\b(between \d{1,2}([:.]\d{2})?\s?(am|pm)?\s?(and|–|-|to)\s?\d|from \d{1,2}([:.]\d{2})?\s?(am|pm)? (to|until|till) \d)"#
            + #"|\b(times|periods|hours|moments|spells) of (high|peak|heavy|strong|great) demand\b|\bpeak demand\b|\bdemand (on|for|across) (the )?((local|national|regional|electricity|power|energy|water|gas|heat) )*(grid|network|supply|system|mains)\b"#
            // Markets: "Halden Foods IPO priced at 265p, shares in high demand". What investors
            // want is a market report; dev.tsv's demand claims are all about goods in a shop.
            // People wanted: "Volunteer lifeguards are in demand" recruits; dev.tsv's claims are goods'.
            + #"|\b(volunteers?|lifeguards?|staff|workers|nurses|carers|drivers|tutors|teachers|coaches|stewards|marshals|helpers|recruits|skills?|people|roles|jobs)\s+(are|is|remain|were) (always |still |very |much )?in (high |great |strong )?demand\b"#
            + #"|\b(shares|bonds|gilts|treasuries|equities|securities|ipos?|flotation|share offer|listing)\b[^.!?]{0,40}\bdemand\b|\bdemand (for|from investors for) (the )?(shares|bonds|gilts|ipo|listing)\b"#
            + #"|"# + CommonPatterns.reportedOrSourced.source)

    /// A season or a month, as a demand report names it ("in summer", "during the school
    /// holidays", "every March").
    private static let season = #"(summer|winter|spring|autumn|peak season|high season|school holidays|holidays|"# + CommonPatterns.monthName + ")"

    /// Scarcity claims are short messages: of the 215 real low-stock and high-demand texts in
    /// dev.tsv the longest is 115 characters and only one is over 90. A longer sentence around
    /// the words is prose that reports ("Bottled water has been in high demand in town: Skiddaw
    /// Stores said it sold about 4,300 litres on Thursday, …").
    static let maxClaimSentenceLength = 120

    /// Messages to the shopper, not figures in a table (a trade stock list or a room-capacity table
    /// states facts, it does not press).
    static func lowStock(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .lowStock, severity: .medium, confidence: 0.8, pattern: fewLeft, cue: stockCue, skipsTables: true, needsOfferNearby: stockGoods,
                    unless: notScarcity, unlessInWidget: merchantInventory,
                    pressing: pressingFew, sellerSpeaks: sellerVoice, unlessPlain: plainFigures,
                    unlessInSentence: CommonPatterns.firstPersonSingular, maxClaimSentenceLength: maxClaimSentenceLength,
                    describe: { "low-stock message \"\($0)\"" }).findings(on: page)
    }

    static func highDemand(_ page: AuditedPage) -> [Finding] {
        WordingRule(type: .highDemand, severity: .low, confidence: 0.75, pattern: demand, cue: demandCue, skipsTables: true, needsOfferNearby: WordingRule.goods, unless: demandReport, unlessInWidget: merchantInventory,
                    unlessInSentence: CommonPatterns.firstPersonSingular, maxClaimSentenceLength: maxClaimSentenceLength, describe: { "high-demand claim \"\($0)\"" }).findings(on: page)
    }
}
