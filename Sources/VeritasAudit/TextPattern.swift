import Foundation

/// A case-insensitive regular expression over visible text, compiled once.
///
/// `NSRegularExpression` is immutable after creation and documented as safe to use from several
/// threads at once, which is what makes the `@unchecked Sendable` honest.
struct TextPattern: @unchecked Sendable {
    private let expression: NSRegularExpression
    /// The pattern as written, so patterns can be combined.
    let source: String

    /// `pattern` is ICU syntax; it is matched case-insensitively. A pattern that does not compile is
    /// a programming error, caught by the detector tests.
    init(_ pattern: String) {
        source = pattern
        do {
            expression = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            preconditionFailure("bad detector pattern \(pattern): \(error)")
        }
    }

    /// Typographic apostrophes become plain ones, so `don't` matches `don’t` (same length in
    /// UTF-16, so ranges stay valid).
    private static func normalized(_ text: String) -> String {
        text.contains("’") ? text.replacingOccurrences(of: "’", with: "'") : text
    }

    /// Whether the pattern occurs anywhere in `text`.
    func occurs(in text: String) -> Bool {
        let text = Self.normalized(text)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The first match, as text.
    func firstMatch(in text: String) -> String? {
        let text = Self.normalized(text)
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range, in: text) else { return nil }
        return String(text[range])
    }

    /// How many non-overlapping matches `text` has.
    func count(in text: String) -> Int {
        let text = Self.normalized(text)
        return expression.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    /// `text` with every match replaced by `replacement` (taken literally).
    func replacingMatches(in text: String, with replacement: String) -> String {
        expression.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
    }

    /// Every match, as text.
    func matches(in text: String) -> [String] {
        let text = Self.normalized(text)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { String(text[$0]) }
        }
    }
}

/// Patterns several detectors share.
enum CommonPatterns {
    private static let currencySymbol = "[$€£¥₹₩₽₺₱฿₫₪₦₴₸₼₾₡₲]"
    /// ISO 4217 codes shops print beside amounts. `PHP`, `TRY`, `COP` and `PEN` are left out:
    /// "PHP 8.3", "try 3 times" and "pen 2" are not prices.
    private static let currencyCode =
        "usd|eur|gbp|chf|sek|nok|dkk|aud|cad|nzd|inr|jpy|zar|mxn|brl|clp|ars|hkd|sgd|cny|rmb|krw|idr|myr|thb|twd|vnd|pln|czk|huf|ron|uah|isk|ils|aed|sar|ngn|kes|egp"
    /// A price: `$4.99`, `€ 12`, `£1,200.00`, `+$2.99`, `12.50 USD`, and as shops outside the
    /// dollar, euro and pound write them: `3,70€`, `2.796 kr.`, `CHF 49`, `₹1,299`, `R649`,
    /// `Rp 12.500.000`, `RM 89`, `120 lei`, `KSh 3,200`.
    static let price = TextPattern(
        currencySymbol + #"\s?\d[\d,]*(\.\d{1,2})?|\b\d[\d,]*(\.\d{2})?\s?("# + currencyCode + #"|dollars|euros)\b"#
            // The symbol after the amount ("3,70€", "12 €"), as much of Europe writes it.
            + #"|(?<![\w.,])\d[\d.,]*\s?"# + currencySymbol
            // Codes and Nordic, Polish and Czech units before or after the amount, and East
            // African shillings as printed ("KSh 3,200", "USh 45,000").
            + #"|\b("# + currencyCode + #"|rs\.?|kr\.?|kshs?\.?|ush|tsh)\s?\d[\d.,]*|\b\d[\d.,]*\s?(kr\.?|zł|kč|lei)(?!\w)"#
            // Indonesian rupiah and Malaysian ringgit, capitalised as printed ("Rp 12.500.000", "RM89").
            + #"|(?-i:\b(Rp\.?|RM) ?\d[\d.,]*)"#
            // South African rand: a capital R and at least two digits ("R649", "R 1 299"), so that
            // "R2" in a product name is not a price.
            + #"|(?-i:\bR ?\d{2,}([.,]\d{2})?\b)"#)
    /// The writer speaking of themselves: "I", "I'm", "my", "me". None of dev.tsv's real
    /// low-stock, high-demand or limited-time texts is in the first person singular (shops say
    /// "we" and "you"); a diary's "Only 3 miles left when I woke up" is the writer's own account.
    /// Unlike ``firstPerson`` (a decline's own voice, where casual copy writes "i"), a lone "I"
    /// counts only as a capital here: in running text a lower-case "i" is a list marker or a typo.
    static let firstPersonSingular = TextPattern(#"(?-i:\bI\b)|\b(I'(m|ve|d|ll)|my|me|myself)\b"#)
    /// A month's English name, in full or as printed short: "January", "Jan", "Sept". Whole words
    /// only, so that "3 markers" or "4 juniors" is not read as a day and a month. The source of
    /// every month name the detectors read.
    static let monthName = #"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\b"#
    /// A day and month in words, with the year when given: "16 February 2027", "Nov 30, 2026".
    static let calendarDate = TextPattern(
        #"\b\d{1,2}(st|nd|rd|th)?\s+"# + monthName + #"\.?(\s+\d{4})?\b"#
            + #"|\b"# + monthName + #"\.?\s+\d{1,2}(st|nd|rd|th)?\b(,? \d{4}\b)?"#)
    /// A specific calendar date or deadline: "30 November 2026", "Nov 30", "31/03/2026",
    /// "2026-04-30", "until Sunday".
    static let specificDate = TextPattern(
        calendarDate.source
            + #"|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"#
            + #"|\b(until|till|through|ends?|closes?|on)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"#)
    /// Clock-like text: `14:59`, `02:14:55`, `1h 05m 12s`.
    static let clock = TextPattern(#"(?<!\d)\d{1,2}(:\d{2}){1,2}(?!\d)|\b\d+\s?h(ours?)?\s+\d+\s?m(in(utes?)?)?(\s+\d+\s?s(ec(onds?)?)?)?\b"#)
    /// A control that spends money: buy, add to cart, book, order, check out, subscribe, donate.
    static let purchaseAction = TextPattern(
        #"\b(buy|add to (cart|bag|basket|order|trolley)|book (now|it|today|your|a|this)|reserve (now|your|a|this)|order now|place (my |your )?order|check ?out|subscribe|donate|upgrade|get (it|the deal|deal|offer|started)|shop now|claim|start (my |your )?(free )?trial|pay now|join now)\b"#)
    /// Stock told as a share already gone or as a rationed run: "90% offers claimed. Hurry up!",
    /// "made in limited quantities and we rarely restock" (dev.tsv's shops; its rows are low
    /// stock). Low stock for the scarcity detector; not a deadline for the urgency one.
    static let claimedOrRationed = TextPattern(
        #"\d{1,3}\s?% (of )?(the |our )?(offers?|deals?|coupons?|vouchers?|stock|items|units|tickets|spots|places) (are |have been |has been )?(claimed|sold|gone|taken|redeemed)\b|\b(made|available|produced|released|sold) in (very )?limited quantities\b"#)
    /// A claim the page reports rather than makes: attributed to someone ("…, Cumberland Council
    /// said", "according to the operator") or read off a named source ("from our call-centre
    /// system", "from our online shop's order records"). dev.tsv's real pressure lines never cite
    /// anyone: a shop's "Selling fast" or "Only 2 left" stands alone.
    static let reportedOrSourced = TextPattern(
        #"\b(said|says|told (us|reporters|the \w+)|according to)\b|\b(from|in) (our|the|its|their) ([\w’'-]+ ){0,3}(records?|system|database|data|figures|logs?|register|till|order book|survey|statistics|census|count)\b"#
            // "the PTA’s order sheet showed 212 of 300 packs sold": a record read out.
            + #"|\b(records?|sheets?|logs?|figures|data|systems?|registers?|books?|stats|statistics|counts?|surveys?|census) (show|shows|showed|shown|found|finds)\b"#
            // "only 41 squirrels left, down from 63 in 2021": a figure compared with a past one.
            + #"|\b(down|up) from \d"#
            // A source in brackets: "Only 22 new graves left in section C (burial register, 1
            // December 2026)", "only 2 places left (booking system, 08:40 today)".
            + #"|\((\w+ ){0,3}(registers?|records?|counts?|census|surveys?|figures|data|statistics|returns|systems?|sheets?|diar(y|ies)|ledgers?|logs?)\b[^)]{0,30}\)"#)
    /// A price's period when it recurs: "every 30 days", "per month", "/mo", "monthly",
    /// "auto-renews", "renews automatically". The pressured-selling and hidden-subscription
    /// rules each add their own words around it ("per day" is a rental's price, not a charge
    /// that renews; "until you cancel" is a charge's fine print, not a plan's name).
    static let recurringPeriod = TextPattern(
        #"/\s?(mo|month|wk|week|yr|year)\b|\bper (week|month|year|delivery|box)\b|\bevery (\d+ )?(days?|weeks?|months?|years?)\b|\b(monthly|weekly|yearly|annually)\b|\bauto(matically)?[- ]?renew\w*|\brenew\w* automatically\b"#)
    /// First-person words.
    static let firstPerson = TextPattern(#"\b(i|i'm|i’m|i'll|i’ll|i'd|i’d|i've|i’ve|me|my|myself)\b"#)
}

extension String {
    /// The text cut to `limit` characters at a word boundary, with an ellipsis when cut.
    func clipped(to limit: Int) -> String {
        guard count > limit else { return self }
        let cut = prefix(limit - 1)
        let end = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return end + "…"
    }

    /// The first of ``sentences`` in which `words` occur, or the whole text when they only match
    /// across a sentence break.
    func sentence(holding words: TextPattern) -> String {
        sentences.first { words.occurs(in: $0) } ?? self
    }

    /// The sentences of a line of text (split after `.`, `!` or `?` followed by a space).
    var sentences: [String] {
        var result: [String] = []
        var current = ""
        var previous: Character?
        for character in self {
            if character == " ", let previous, ".!?".contains(previous), !current.isEmpty {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
