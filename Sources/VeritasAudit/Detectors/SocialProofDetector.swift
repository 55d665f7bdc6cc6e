import Foundation
import VeritasProtocol

/// Social proof: activity notifications and testimonials of uncertain origin.
enum SocialProofDetector {
    static func findings(on page: AuditedPage) -> [Finding] {
        activityNotifications(page) + testimonials(page)
    }

    // MARK: Activity notification

    /// Other people's activity, live: "14 people are looking at this", "80 customers are
    /// considering this product right now", "Jane from Ohio just
    /// bought", "Booked 23 times in the last 24 hours", "210+ bought", "1k+ sold in the past month",
    /// "7 customers have this in their basket".
    private static let activity = TextPattern(
        #"\b\d+ (other )?(people|persons|shoppers|customers|users|travell?ers|visitors|buyers|guests|others)( are| is)?( currently| now| right now)? (looking at|viewing|watching|browsing|checking out)\b|\b(just|recently) (bought|purchased|ordered|booked|signed up|subscribed|donated|reserved)\b|\bbooked \d+ times\b|\b\d+ (people )?(bought|purchased|ordered|booked|reserved) (this|it)?\s?(in the (last|past)|today|this (hour|morning))\b|\bsomeone (in|from) [^.!?]{1,60}? (just )?(bought|purchased|booked|ordered|started buying|is buying)\b|^\W*someone (just )?(bought|purchased|ordered|booked)\b|\b\d+ ((other|more) )?((people|customers|shoppers|users|buyers|others) )?(other than you )?(have|has|added|put)( added)? (this|it|these)( item| product)? (in|to|into) (their|the) (shopping )?(carts?|baskets?|bags?)\b|\bsomeone added\b[^.]{0,120}\bto (their|the) (shopping )?(carts?|baskets?|bags?)\b|(?<![\d.,])\d[\d,.]*\s?k?\+ (bought|sold|purchased|ordered|booked)\b|\b\d[\d,.]*\s?k?\+? (bought|sold|purchased|ordered|booked) (in|over|during) the (past|last) (\d+ )?(hours?|days?|weeks?|months?|24 hours|few days)\b"#
            // "64 others checked this out in the last few hours", "45 added to bag in the past 24 hours".
            + #"|\b\d[\d,.]*\s?k?\+? (other )?(people|persons|shoppers|customers|users|travell?ers|visitors|buyers|guests|others) (have )?(checked (this|it) out|looked at (this|it)|viewed (this|it)|visited (this|it)|saved (this|it))\b[^.]{0,40}\b(in|over|during|today|recently|this (hour|morning|week))\b"#
            // "22 people have looked at this part recently", "Viewed 1040 times in the last 7 days",
            // "Added to basket 38 times today", "IN 43 PEOPLE'S SHOPPING BAG": dev.tsv's wordings.
            + #"|\b\d[\d,.]*\s?k?\+? (other )?(people|shoppers|customers|users|visitors|buyers|others) (have )?(looked at|viewed|checked out) (this|it)( \w+)? (recently|today|(in|over|during) the (last|past))\b"#
            + #"|\b(viewed|bought|ordered|purchased|booked|added to (carts?|bags?|baskets?)|add to (cart|bag|basket)) \d[\d,.]* times (today|this (hour|morning|week)|(in|over|during) the (last|past))\b"#
            + #"|\bin \d[\d,.]* (other )?(people|shoppers|customers|users)['’]s? (shopping )?(bags?|carts?|baskets?)\b"#
            // A product card's order count, as marketplaces print it under the stars ("404
            // Orders") or as a badge that says nothing else ("3642 BOUGHT"), and a like count on
            // the product ("77 PEOPLE LIKE THIS"): dev.tsv's wordings.
            + #"|^\W*\d[\d,.]*\s?k?\+? (bought|sold|purchased)\W*$|\b\d[\d,.]*\s?k?\+? orders\W*$|\b\d[\d,.]*\s?k?\+? (other )?(people|shoppers|customers|others) (like|love) (this|it)\b"#
            // "In other users' carts 59", "308 viewed per day": dev.tsv's wordings.
            + #"|\bin other (people|shoppers|customers|users)['’]s?['’]? (shopping )?(bags?|carts?|baskets?)\W*\d"#
            + #"|\b\d[\d,.]*\s?k?\+? (viewed|sold|bought|ordered|booked) (per|a|each) (day|hour|week)\b"#
            + #"|\b\d[\d,.]*\s?k?\+? ((people|shoppers|customers|others|times) )?(added|put) (this |it )?(to|in|into) (their |the )?(shopping )?(carts?|baskets?|bags?)\b"#
            // "339 users are currently active on our website", "52 people are shopping right now":
            // visitors now, not a product's user base ("10,000 active users").
            // Whatever people are doing to it, live: "80 Customers are considering this product
            // right now", "9 shoppers are eyeing this now". The verb varies from shop to shop; the
            // shape (a count of people, a verb in -ing on this, now) does not.
            + #"|\b\d[\d,.]*\s?k?\+? (other )?(people|persons|shoppers|customers|users|travell?ers|visitors|buyers|guests|others) (are|is) (currently |now |right now )?\w+ing (this|it|these)( \w+){0,2} (right now|now|at the moment|as we speak)\b"#
            // A count in words ("One customer bought this article in the last 53 min.") and the
            // time of the latest sale ("Last purchased at 11:19am today.").
            + #"|\b(one|two|three|four|five|six|seven|eight|nine|ten) (other )?(customers?|people|persons?|shoppers?|buyers?|visitors?) (has |have )?(just )?(bought|purchased|ordered|booked) (this|it)\b[^.]{0,30}\b(in the (last|past)|today|ago)\b|\blast (purchased|bought|ordered|booked|sold) (at |on )?[^.]{0,20}\b(today|ago)\b"#
            // "Add to Wish List(13 People Have Added)": a count of people who added the item, on
            // its wish-list or basket button (dev.tsv's wording).
            + #"|\b\d[\d,.]*\s?k?\+? (people|shoppers|customers|others|users) (have|has) added( (this|it)( item| product)?)?( to ((their|a|the) )?(wish ?lists?|favou?rites|carts?|bags?|baskets?))?\s*(\)|$)"#
            // A named buyer's toast with the time last: "Sandeep in Hawthorne, California bought
            // Sadie Ponte Pants - Black Just Now" (dev.tsv's wording; "just bought" is above).
            + #"|^\W*[\w'’.-]+( [\w'’.-]+)? (in|from) [^.!?]{1,60}? (bought|purchased|ordered|booked)\b[^!?]{0,100}\b(just now|right now|\d+ (seconds?|minutes?|mins?|hours?|hrs?) ago)\b"#
            // A named buyer from a named place, with its region, as purchase toasts print it
            // ("Samuel in Minneapolis, United States purchased a …", with no time): 41 of dev.tsv's
            // activity texts have this shape and none of its ordinary texts does.
            + #"|^\W*(?-i:[A-Z][\w'’.-]+)( (?-i:[A-Z][\w'’.-]*))? (in|from) (?-i:[A-Z])[^.!?]{1,40}?, (?-i:[A-Z])[^.!?]{1,30}? (just )?(purchased|bought|ordered)\b"#
            // "2 people are looking right now": looking, viewing or browsing, live, with no object.
            + #"|\b\d[\d,.]*\s?k?\+? (other )?(people|persons|shoppers|customers|users|travell?ers|visitors|buyers|guests|others) (are|is) (currently |now )?(looking|viewing|browsing|watching) (right now|now|at the moment)\b"#
            + #"|\b\d[\d,.]*\s?k?\+? (other )?(people|persons|shoppers|customers|users|visitors|buyers|guests|others) (are|is) (currently|now|right now) (active|online|shopping|browsing|here)\b|\b\d[\d,.]*\s?k?\+? (other )?(people|shoppers|customers|users|visitors|buyers|guests|others) (are |is )?(currently |now )?(active|online|shopping) (on|in) (our|this|the) (site|website|store|shop|page|app)\b"#)

    /// What an activity notification is about: someone doing something, now.
    private static let activityCue = TextPattern(
        #"^(?=.*\b(bought|buying|purchased|purchasing|ordered|booked|viewing|considering|viewed|looking at|looked at|watching|currently active|active on|shopping (now|right now)|shopping (bags?|carts?|baskets?)|checked (this|it) out|(in|to) (their|the) (shopping )?(carts?|baskets?|bags?)|added to (the |their )?(carts?|baskets?|bags?)|signed up|joined|subscribed|donated|claimed|sold)\b)(?=.*(\d[\d,.]*\s?k?\+?\s+(\w+\s+){0,2}(people|persons|shoppers|customers|users|buyers|guests|visitors|travell?ers|others|times|bought|sold|purchased|ordered|booked|viewing|watching|added|have|are|in (their|the))\b|\b(someone|just|ago|right now|currently)\b))"#)

    /// A date, a shipping cut-off ("ships today if ordered by 3 p.m."), the visitor's own
    /// purchases, a year's aggregate ("In 2025–26 our shops sold 41,200 items") or who sells an
    /// item ("Sold and shipped by ..."): not other people, now.
    static let notActivity = TextPattern(
        CommonPatterns.specificDate.source + #"|\b(if|when) (you )?order(ed)? (by|before|within)\b|\border (by|before|within) \d"#
            // The visitor's own history ("You bought this rose from us in March", "Your account: 12
            // orders"), and a payment card's or an account's own feed ("Jamie purchased in store ·
            // card ending 9902"): not other people.
            + #"|\byou(['’]ve| have)? (already )?(bought|ordered|purchased|booked)\b|\b(card|account) ending( in)?[\s•·*x]*\d{4}\b|\b(you|your|my)\b[^.]{0,24}\b\d+ orders\b"#
            + #"|\b(in|during|since|for) (the )?((19|20)\d{2}|last year|the year)\b|\b(19|20)\d{2}\s?[–/-]\s?(\d{2}|(19|20)\d{2})\b|\bsold (and shipped |and fulfilled )?by\b"#
            // The visitor shopping for another person: "Buying for someone else?".
            + #"|\b(buying|shopping|ordering) for (someone|a friend|friends|family|others)\b"#
            // A state, not someone acting: "Sessions that are fully booked online keep 20 places".
            + #"|\b(fully|already|completely) booked\b"#
            // A session's capacity worked out: "12 seats round the bench; 9 booked, so 3 left".
            + #"|\b\d+ (booked|taken|sold|reserved),? so \d+ (left|remain\w*|free|available)\b|\b\d+ (seats|places|spaces|spots|slots)\b[^.!?]{0,30}\b\d+ (booked|taken|reserved)\b"#
            // A slot's state in a booking grid: "3:30 pm Booked", "Sat 10:00 · Taken".
            + #"|^\W*(\w{3}\W+)?\d{1,2}([:.]\d{2})?\s?(am|pm)?\W*(fully )?(booked|taken|reserved|full|sold out|unavailable)\W*$"#
            // A seller's order record, with its payment or fulfilment state ("Ingrid Solberg in Two
            // Harbors, United States purchased a pendant · Online · paid"): the shop's own feed,
            // not a toast. No activity text of dev.tsv states one.
            + #"|\b(paid|unpaid|refunded|fulfilled|unfulfilled|awaiting (payment|dispatch|shipment))\b"#
            // A case, not a report: "If someone bought you a gift card, ...".
            + #"|\b(if|when|whenever|once) (someone|somebody|anyone|a friend)\b"#
            // A condition on a count ("If fewer than 3 people have booked, we refund in full"):
            // a term of the booking, not a report of what others did.
            + #"|\b(if|unless|when|once)\b[^.,;!?]{0,40}\b(fewer|less|more) than \d+\b"#)

    static func activityNotifications(_ page: AuditedPage) -> [Finding] {
        // Sales counts on the seller's own stock screen ("48 sold in 7 days" beside a reorder
        // point) are the seller's figures, as for low stock.
        WordingRule(type: .activityNotification, severity: .low, confidence: 0.8, pattern: activity, cue: activityCue, unless: notActivity,
                    unlessInWidget: ScarcityDetector.merchantInventory, readsCaption: true,
                    describe: { "other people's activity: \"\($0)\"" }).findings(on: page)
    }

    // MARK: Testimonials of uncertain origin

    private static let openingQuote: Set<Character> = ["“", "\"", "„", "«", "‘"]
    private static let closingQuote: Set<Character> = ["”", "\"", "»", "’", "“"]
    private static let dashes: Set<Character> = ["—", "–", "-", "―"]
    /// Words that describe someone without naming them.
    private static let genericWords: Set<String> = [
        "verified", "buyer", "happy", "customer", "customers", "satisfied", "real", "loyal", "proud", "former",
        "busy", "member", "client", "user", "student", "parent", "subscriber", "reader", "investor", "shopper",
        "owner", "mom", "mum", "dad", "graduate", "fan", "traveler", "traveller", "guest", "anonymous", "a",
        "the", "our", "an", "regular", "long-time", "longtime", "new", "frequent", "purchase", "purchaser",
    ]

    /// Glowing quotes whose attribution names nobody: initials only ("J."), or a description
    /// ("Verified Buyer", "Happy subscriber", "Former student"), and no link to a source. A quote
    /// attributed to a full name ("Priya Raman", "Laura K.") or linked to a case study is not
    /// reported.
    ///
    /// The first such quote under a heading that introduces praise ("What people are saying about
    /// us...", "Testimonials") is quoted with the heading: the section is what presents them.
    ///
    /// Quotations marked up as such (`<q>`, `<blockquote>`) with no attribution at all, under such
    /// a heading, are the section's praise with nobody behind it: reported once per heading. So
    /// are list items that hold a review alone (``praiseOfUnattributedReviewItem(_:on:)``).
    static func testimonials(_ page: AuditedPage) -> [Finding] {
        var findings: [Finding] = []
        var introduced: Set<Int> = []
        for block in page.blocks {
            // A heading that quotes is a title ("“São Paulo em 100 capas” – livro, 240 páginas").
            guard !block.isHeading else { continue }
            guard let (quote, attribution) = quoteAndAttribution(block, page: page) else {
                if let praise = isUnattributedQuotation(block, on: page) ? Substring(block.text) : praiseOfUnattributedReviewItem(block, on: page),
                   let heading = praiseHeading(above: block, on: page),
                   introduced.insert(heading.position).inserted {
                    findings.append(Finding(
                        patternType: .testimonialsOfUncertainOrigin, severity: .low, confidence: 0.7,
                        evidence: presented(String(praise), under: heading),
                        location: block.location("quotation with no attribution under \"\(heading.text.clipped(to: 60))\"")))
                }
                continue
            }
            guard isAnonymous(attribution), !citesSource.occurs(in: attribution), !writersOwn.occurs(in: attribution) else { continue }
            let linked = page.document.links.contains { link in
                !link.text.isEmpty && (attribution.contains(link.text) || block.text.contains(link.text))
            }
            guard !linked else { continue }
            var evidence = quote
            if let heading = praiseHeading(above: block, on: page), introduced.insert(heading.position).inserted {
                evidence = presented(quote, under: heading)
            }
            findings.append(Finding(
                patternType: .testimonialsOfUncertainOrigin, severity: .low, confidence: 0.75, evidence: evidence,
                location: block.location("testimonial attributed only to \"\(attribution.clipped(to: 60))\"")))
        }
        return findings
    }

    /// A quote as its section presents it: the praise heading, then the quote in quotation marks.
    private static func presented(_ quote: String, under heading: TextBlock) -> String {
        String("\(heading.text) “\(quote)”".prefix(ProtocolLimits.maxEvidenceLength))
    }

    /// The heading of the section a testimonial sits in, when it introduces praise: the nearest
    /// heading above within ``praiseSectionLength`` blocks, short, in words such as "saying",
    /// "testimonials" or "what our customers think".
    private static func praiseHeading(above block: TextBlock, on page: AuditedPage) -> TextBlock? {
        let above = page.blocks[max(0, block.position - praiseSectionLength)..<block.position]
        guard let heading = above.last(where: \.isHeading), heading.text.count <= 80, praiseWords.occurs(in: heading.text) else { return nil }
        return heading
    }

    /// Blocks searched above a testimonial for its section's heading.
    static let praiseSectionLength = 8
    private static let praiseWords = TextPattern(
        #"\b(say|says|saying|said|testimonials?|reviews?|love|loved|praise|think|thinks|feedback|stories|words|kind words|raves?)\b"#)

    /// An attribution to the writer's own people or things ("the note taped inside the lid of
    /// our Adana, in my teacher's handwriting", "my grandmother"): a memory the writer passes on,
    /// whose source the writer knows, not a customer's praise with nobody behind it.
    private static let writersOwn = TextPattern(#"\bmy\b"#)

    /// An attribution that cites where the words were published or said ("a sound designer quoted
    /// in a 1993 games magazine", "a nurse, speaking to the BBC", "from an interview in 2019", "a
    /// statement from one of the retailers, provided by the office"): a
    /// quotation with its source, not a customer's praise with nobody behind it.
    private static let citesSource = TextPattern(
        #"\b(quoted (in|by)|interview(ed)?|(a |the |in a )?statement (from|by|issued|released)|provided by|press release|spokes(person|man|woman)|told (the|a|an|reporters)|speaking (to|at|in|on)|writing in|wrote in|said in|in (a|an|the|his|her|their) ((\d{4}|[\w'’-]+) ){0,3}(magazine|newspaper|paper|journal|book|memoir|podcast|documentary|broadcast|article|column|essay|speech|talk|lecture|report|letter))\b"#)

    /// A quoted block and its attribution: the text after a dash in the same block, or the next
    /// block when it starts with a dash.
    private static func quoteAndAttribution(_ block: TextBlock, page: AuditedPage) -> (String, String)? {
        let text = block.text
        // A review card marked up as a quotation: `<blockquote><p>…</p><cite>Happy member</cite>`,
        // with no quotation marks; the `<cite>` is its attribution, a name or a short description
        // (a longer one says where the words come from: "Scam text received on 30 November,
        // shared by a reader").
        // Or a `<figure>` whose `<figcaption>` is the attribution.
        let cards = (["blockquote", "figure"] as [Substring]).filter(block.tags.contains)
        if !cards.isEmpty, !block.tags.contains("cite"), !block.tags.contains("figcaption"), page.blocks.indices.contains(block.position + 1) {
            let next = page.blocks[block.position + 1]
            // The caption's text may sit in an element of its own ("<figcaption><span>★★★★★</span>
            // Happy customer"): the stars are a rating, not part of who said it.
            if cards.contains(where: next.tags.contains), next.tags.contains(where: { $0 == "cite" || $0 == "figcaption" }), next.text.count <= maxCiteLength, text.count >= 12 {
                return (text.trimmingCharacters(in: CharacterSet(charactersIn: "“”\"‘’ ")), next.text.trimmingCharacters(in: CharacterSet(charactersIn: "—–-―★☆ ")))
            }
        }
        guard let first = text.first, openingQuote.contains(first) else { return nil }
        // The quote ends at the last closing mark that is followed by nothing or by a dash.
        if let close = text.dropFirst().lastIndex(where: { closingQuote.contains($0) }) {
            let quote = String(text[text.index(after: text.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
            let rest = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces)
            if let dash = rest.first, dashes.contains(dash) {
                let byline = rest.dropFirst().trimmingCharacters(in: .whitespaces)
                // "“…” – <a href=…>Lisa Farrow, forum post</a>": the linked byline is a block of
                // its own, the next one; the dash says it is the quote's attribution.
                if byline.isEmpty, page.blocks.indices.contains(block.position + 1) {
                    let next = page.blocks[block.position + 1].text
                    if next.count <= 160 { return (quote, next) }
                }
                return (quote, byline)
            }
            if rest.isEmpty, page.blocks.indices.contains(block.position + 1) {
                let next = page.blocks[block.position + 1].text
                if let dash = next.first, dashes.contains(dash), next.count <= 160 {
                    return (quote, next.dropFirst().trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return nil
    }

    /// A quotation marked up as one (`<q>`, `<blockquote>`) that names nobody: no `<cite>`,
    /// caption, link or trailing dash in it, no other line in its own card (a review card's
    /// "Priya Shah, Bath · verified purchase", a figure's caption), and no short line after it
    /// that could be its attribution ("Priya Raman, Leeds", "— Happy customer", "★★★★★").
    private static func isUnattributedQuotation(_ block: TextBlock, on page: AuditedPage) -> Bool {
        guard block.isQuotation, block.text.count >= 12, block.text.count <= 600,
              let quotation = block.nearestElement(tagged: quotationTags),
              namesNobodyWithin(block) else { return false }
        guard page.blocks.indices.contains(block.position + 1) else { return true }
        let next = page.blocks[block.position + 1]
        // The quotation's card: a `<figure>`, a list item or an article around it, else the
        // quoting element itself. Another line in it is the card's caption or byline.
        let card = block.nearestElement(tagged: cardTags) ?? quotation
        if next.first.ancestorIndices.contains(card) { return false }
        if next.isHeading || next.isQuotation { return true }
        return next.text.count > maxBylineLength && !(next.text.first.map(dashes.contains) ?? false)
    }
    /// A list item that is a review and nothing else: a star rating or quotation marks around
    /// praise that ends as a sentence ends ("★★★★★"Amazing quality, fast shipping!"", "★★★★★Best
    /// archery shop I've ever used."), with no other line in the item, no link, no `<cite>` and no
    /// name after it ("… Greg W., Dayton OH" ends in a name, not a full stop). A list of such
    /// items under a praise heading is praise with nobody behind it. Returns the praise, without
    /// its stars and quotation marks, or `nil` when the block is not such an item.
    private static func praiseOfUnattributedReviewItem(_ block: TextBlock, on page: AuditedPage) -> Substring? {
        guard let item = block.nearestElement(tagged: ["li"]) else { return nil }
        let text = block.text
        let praise = text.drop { ratingMarks.contains($0) || $0.isWhitespace }
        // A rating is a run of stars ("★★★★☆"); one star is a bullet ("★ Free delivery").
        let rated = text.prefix(text.count - praise.count).filter(ratingMarks.contains).count >= 3
        let quoted = praise.first.map(openingQuote.contains) ?? false
        guard rated || quoted, praise.count >= 12, praise.count <= 600,
              let last = praise.last, closingQuote.contains(last) || ".!?".contains(last),
              namesNobodyWithin(block) else { return nil }
        // Another line in the same item is its byline or its reviewer's details.
        let neighbours = [block.position - 1, block.position + 1].filter(page.blocks.indices.contains).map { page.blocks[$0] }
        guard !neighbours.contains(where: { $0.first.ancestorIndices.contains(item) }) else { return nil }
        guard quoted else { return praise }
        return closingQuote.contains(last) ? praise.dropFirst().dropLast() : praise.dropFirst()
    }
    private static let ratingMarks: Set<Character> = ["★", "☆", "⭐"]

    /// Nothing inside the block says whose words they are: no link, no `<cite>`, caption or
    /// footer, no closing "— Jane".
    private static func namesNobodyWithin(_ block: TextBlock) -> Bool {
        !block.segments.contains { $0.role == .link }
            && block.segments.allSatisfy { Set($0.path.split(separator: ">")).isDisjoint(with: attributionTags) }
            && !trailingAttribution.occurs(in: block.text)
    }

    /// Longest line after an unattributed quotation that may still be its byline ("Priya Raman,
    /// Leeds"); a longer one is the page going on.
    static let maxBylineLength = 60
    private static let quotationTags: Set<Substring> = ["q", "blockquote"]
    private static let cardTags: Set<Substring> = ["figure", "li", "article"]
    private static let attributionTags: Set<Substring> = ["cite", "figcaption", "footer"]
    /// "… — Jane", "… - a happy customer": a dash and a few words closing the quotation.
    private static let trailingAttribution = TextPattern(#"\s[—–―-]\s*\S[^—–―]{0,60}$"#)

    /// Longest `<cite>` read as a review card's attribution.
    static let maxCiteLength = 40

    /// No name: not two capitalised non-generic words in a row, nor a name and an initial, nor a
    /// first name alone or before a comma ("Brayden, verified purchase, 14 October 2026"). A
    /// capitalised word before a description ("Growfolio member") is a brand, not a name.
    private static func isAnonymous(_ attribution: String) -> Bool {
        let leading = attribution.prefix { $0 != "," && $0 != "·" }.trimmingCharacters(in: .whitespaces)
        if !leading.contains(" "), isNameWord(leading) { return false }
        let words = attribution.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "·" }).map(String.init)
        for (index, word) in words.enumerated() where index + 1 < words.count {
            let next = words[index + 1]
            guard isNameWord(word) else { continue }
            if isNameWord(next) { return false }
            // "Laura K."
            if next.count == 2, next.first!.isUppercase, next.last == "." { return false }
        }
        return true
    }

    /// A capitalised word that may be a name: "Priya", and surnames with a capital inside
    /// ("MacLeod", "McKenzie", "O'Neill", "DeSouza"), but not an acronym ("VIP").
    private static func isNameWord(_ word: String) -> Bool {
        guard let first = word.first, first.isUppercase, word.count >= 2,
              word.dropFirst().allSatisfy({ $0.isLetter || $0 == "-" || $0 == "'" || $0 == "’" }),
              zip(word.dropFirst(), word.dropFirst(2) + " ").allSatisfy({ !$0.0.isUppercase || $0.1.isLowercase }),
              word.dropFirst().contains(where: \.isLowercase) else { return false }
        return !genericWords.contains(word.lowercased())
    }
}
