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
        (.shop, TextPattern(
            #"\b(add (\S+ ){0,4}to (cart|basket|bag|trolley)|your (cart|basket|bag|trolley)|checkout|check out|in stock|free shipping|shipping|returns|buy now|order summary|shop|store|sizes?|quantity|subtotal)\b"#
                // The cart link in a shop's header: "Cart (0)", "Basket (2)", "Cart · CA$0.00".
                + #"|\b(cart|basket|bag|trolley)(?=\s*[(·:]\s*(\d|[$€£]))"#
                // The cart in the languages shops around the corpus write it ("Do koszyka",
                // "Agregar al carrito", "In den Warenkorb", "Sepete ekle"): a buy control
                // is the shop's mark whatever the page's language.
                + #"|\b(warenkorb|panier|carrito|carrello|koszyk\w*|winkelwagen|sepet\w*|carrinho|varukorg\w*|kundvagn\w*|handlekurv\w*|indkøbskurv\w*|ostoskori\w*|košík\w*|kosár\w*|keranjang|troli)\b|корзин\w*|カート|购物车|장바구니"#)),
        (.saas, TextPattern(#"\b(pricing|plans?|free trial|start (your |my )?(free )?trial|sign up|workspace|per (user|seat|agent)|integrations?|api|dashboard|teams?|onboarding|software|platform|app|upgrade)\b"#)),
        (.news, TextPattern(#"\b(news|breaking|reporter|correspondent|editor|edition|politics|world|opinion|journalism|newsroom|headlines?|subscribe to the|digital subscription|magazine|issues?)\b"#)),
        (.blog, TextPattern(#"\b(blog|posted|post|posts|recipe|recipes|author|comments?|read more|archive|essay|my (kitchen|travels|garden)|diary|written by)\b"#)),
        (.finance, TextPattern(#"\b(bank|banking|savings?|interest( rate)?|aer|apr|invest\w*|loan|mortgage|overdraft|current account|brokerage|portfolio|fdic|fca|sec|deposit|credit card|finance)\b"#)),
        (.charity, TextPattern(#"\b(donat\w*|charity|charitable|registered charity|non-?profit|501\(c\)\(3\)|appeal|volunteer|gift aid|fundrais\w*)\b"#)),
    ]

    /// A control that is nothing but the cart, with its count or total.
    static let cartLink = TextPattern(#"^\W*((my|your|shopping) )?(cart|basket|bag|trolley)\b[\s\d()·:.,$€£]*$"#)
    /// A button that is nothing but "add", in the languages of the corpus's shops, with its price.
    static let addButton = TextPattern(
        #"^\W*(add|agregar|añadir|ajouter|hinzufügen|dodaj|aggiungi|adicionar|toevoegen|lägg till|ekle|tambah)\b[^a-z]*$"#)

    /// The site type, and the scores that decided it (for the expert narrative).
    public static func classify(_ page: AuditedPage) -> (type: SiteType, scores: [SiteType: Double]) {
        let document = page.document
        var headingText = document.title ?? ""
        var controlText = ""
        var bodyText = ""
        var controlLines: [String] = []
        for block in page.blocks {
            switch block.role {
            case .heading: headingText += " " + block.text
            case .button, .link:
                controlText += " " + block.text
                controlLines.append(block.text)
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
        // A shop's controls, read whole: a header link that is only the cart ("Basket",
        // "Bag", "Basket 0"), and buttons that only add ("Add", "Agregar", "+ Add £4.50").
        if controlLines.contains(where: { cartLink.occurs(in: $0) }) { scores[.shop, default: 0] += 2 }
        if controlLines.contains(where: { addButton.occurs(in: $0) }) { scores[.shop, default: 0] += 2 }
        // Ties go to the type listed first in `vocabulary` (a shop that blogs is a shop).
        var best: (type: SiteType, score: Double)?
        for (type, _) in vocabulary where scores[type, default: 0] > (best?.score ?? -1) {
            best = (type, scores[type, default: 0])
        }
        guard let best, best.score >= minimumScore else { return (.other, scores) }
        return (best.type, scores)
    }
}
