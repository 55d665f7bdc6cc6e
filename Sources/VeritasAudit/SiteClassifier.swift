import Foundation
import VeritasProtocol

/// Guesses what kind of site a page belongs to (shop, SaaS, news, blog, finance, charity, other)
/// from the words a visitor sees, weighted by where they appear: the title and headings count
/// most, then buttons and links, then the body text. The type with the highest score wins when it
/// reaches ``minimumScore``; otherwise the site is `other`.
public enum SiteClassifier {
    /// Below this score no type is claimed.
    public static let minimumScore = 4.0

    /// Signal words per type. A word found in the title or a heading scores 3, in a button or link
    /// 2, in the body text 1 (each word at most once per place).
    static let vocabulary: [(SiteType, TextPattern)] = [
        (.shop, TextPattern(#"\b(add to (cart|basket|bag)|your (cart|basket|bag)|checkout|check out|in stock|free shipping|shipping|returns|buy now|order summary|shop|store|sizes?|quantity|subtotal)\b"#)),
        (.saas, TextPattern(#"\b(pricing|plans?|free trial|start (your |my )?(free )?trial|sign up|workspace|per (user|seat|agent)|integrations?|api|dashboard|teams?|onboarding|software|platform|app|upgrade)\b"#)),
        (.news, TextPattern(#"\b(news|breaking|reporter|correspondent|editor|edition|politics|world|opinion|journalism|newsroom|headlines?|subscribe to the|digital subscription|magazine|issues?)\b"#)),
        (.blog, TextPattern(#"\b(blog|posted|post|posts|recipe|recipes|author|comments?|read more|archive|essay|my (kitchen|travels|garden)|diary|written by)\b"#)),
        (.finance, TextPattern(#"\b(bank|banking|savings?|interest( rate)?|aer|apr|invest\w*|loan|mortgage|overdraft|current account|brokerage|portfolio|fdic|fca|sec|deposit|credit card|finance)\b"#)),
        (.charity, TextPattern(#"\b(donat\w*|charity|charitable|registered charity|non-?profit|501\(c\)\(3\)|appeal|volunteer|gift aid|fundrais\w*)\b"#)),
    ]

    /// The site type, and the scores that decided it (for the expert narrative).
    public static func classify(_ page: AuditedPage) -> (type: SiteType, scores: [SiteType: Double]) {
        let document = page.document
        var headingText = document.title ?? ""
        var controlText = ""
        var bodyText = ""
        for block in page.blocks {
            switch block.role {
            case .heading: headingText += " " + block.text
            case .button, .link: controlText += " " + block.text
            default: bodyText += " " + block.text
            }
        }
        var scores: [SiteType: Double] = [:]
        for (type, pattern) in vocabulary {
            let heading = Set(pattern.matches(in: headingText).map { $0.lowercased() }).count
            let controls = Set(pattern.matches(in: controlText).map { $0.lowercased() }).count
            let body = Set(pattern.matches(in: bodyText).map { $0.lowercased() }).count
            scores[type] = 3 * Double(heading) + 2 * Double(controls) + Double(body)
        }
        // Ties go to the type listed first in `vocabulary` (a shop that blogs is a shop).
        var best: (type: SiteType, score: Double)?
        for (type, _) in vocabulary where scores[type, default: 0] > (best?.score ?? -1) {
            best = (type, scores[type, default: 0])
        }
        guard let best, best.score >= minimumScore else { return (.other, scores) }
        return (best.type, scores)
    }
}
