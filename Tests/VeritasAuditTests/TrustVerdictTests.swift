import Foundation
import Testing
import VeritasAudit
import VeritasHTML
import VeritasProtocol
import VeritasSecurity

@Suite("verdict: scores, risk, narrative")
struct TrustVerdictTests {
    static func page(_ body: String, head: String = "<title>T</title>") throws -> AuditedPage {
        AuditedPage(url: nil, document: try HTMLDocument(parsing: "<html lang=\"en\"><head>\(head)</head><body>\(body)</body></html>"), isRendered: true)
    }

    static let strongSecurity = ObservatoryReport(tests: [], penalties: 0, bonuses: 0, bonusesApplied: true, score: 100, grade: "A+")
    static let noSecurity = ObservatoryReport(tests: [], penalties: -100, bonuses: 0, bonusesApplied: false, score: 0, grade: "F")

    static func hygiene(_ page: AuditedPage, https: Bool = true) -> HygieneSignals {
        HygieneSignals(page: page, finalURL: URL(string: https ? "https://shop.example/" : "http://shop.example/")!, redirects: 0, pageBytes: 10_000)
    }

    static let sneak = Finding(patternType: .sneakIntoBasket, severity: .high, confidence: 0.9, evidence: "Add protection ($4.99)", location: "cart")
    static let stock = Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: "Only 2 left in stock", location: "p")

    @Test("the formula: 0.40 dark patterns + 0.30 security + 0.20 transparency + 0.10 hygiene")
    func formula() throws {
        let page = try Self.page("<p>x</p>")
        let transparency = TransparencySignals(privacyPolicy: true, terms: true, contact: false, companyDetails: false)
        let verdict = TrustVerdict(security: Self.strongSecurity, findings: [Self.stock], transparency: transparency,
                                   hygiene: Self.hygiene(page), siteType: .shop)
        #expect(verdict.darkPatternScore == 86)   // 100 − 18 × 0.8 = 85.6
        let expected = (0.40 * 86 + 0.30 * 100 + 0.20 * 50 + 0.10 * Double(verdict.hygiene.score)).rounded()
        #expect(verdict.trustScore == Int(expected))
        #expect(verdict.signalScores.keys.sorted() == ["dark_patterns", "hygiene", "security", "transparency"])
    }

    @Test("risk: low only without findings; a sure high-severity finding makes it high; very low trust is critical")
    func risk() throws {
        let page = try Self.page("<p>x</p>")
        let full = TransparencySignals(privacyPolicy: true, terms: true, contact: true, companyDetails: true)
        let clean = TrustVerdict(security: Self.strongSecurity, findings: [], transparency: full, hygiene: Self.hygiene(page), siteType: .shop)
        #expect(clean.riskLevel == .low)
        let mild = TrustVerdict(security: Self.strongSecurity, findings: [Self.stock], transparency: full, hygiene: Self.hygiene(page), siteType: .shop)
        #expect(mild.riskLevel == .medium)
        let sneaky = TrustVerdict(security: Self.strongSecurity, findings: [Self.sneak], transparency: full, hygiene: Self.hygiene(page), siteType: .shop)
        #expect(sneaky.trustScore >= 75)
        #expect(sneaky.riskLevel == .high)
        let none = TransparencySignals(privacyPolicy: false, terms: false, contact: false, companyDetails: false)
        let awful = TrustVerdict(security: Self.noSecurity, findings: Array(repeating: Self.sneak, count: 4), transparency: none,
                                 hygiene: Self.hygiene(page, https: false), siteType: .shop)
        #expect(awful.riskLevel == .critical)
        // A clean page served over plain http with no headers is not high risk.
        let plain = TrustVerdict(security: Self.noSecurity, findings: [], transparency: full, hygiene: Self.hygiene(page, https: false), siteType: .blog)
        #expect(plain.riskLevel == .medium)
    }

    @Test("narratives: simple is a few sentences; expert shows the formula and cites every finding")
    func narratives() throws {
        let page = try Self.page("<p>x</p>")
        let transparency = TransparencySignals(privacyPolicy: true, terms: false, contact: true, companyDetails: true)
        let verdict = TrustVerdict(security: Self.noSecurity, findings: [Self.sneak, Self.stock], transparency: transparency,
                                   hygiene: Self.hygiene(page), siteType: .shop)
        let simple = verdict.narrative(mode: .simple, url: "https://shop.example/")
        #expect(simple.contains("Trust score \(verdict.trustScore)/100"))
        #expect(simple.contains("terms and conditions"))
        #expect(!simple.contains("\n"))
        let expert = verdict.narrative(mode: .expert, url: "https://shop.example/")
        #expect(expert.contains("trust = 0.4 × dark patterns \(verdict.darkPatternScore)"))
        #expect(expert.contains(Self.sneak.evidence) && expert.contains(Self.stock.evidence))
        #expect(expert.contains("terms missing"))
    }

    @Test("transparency and site type read from the page")
    func transparencyAndSiteType() throws {
        let page = try Self.page(#"""
            <h1>Your cart</h1><button>Checkout</button><p>Free shipping on orders over $50. Add to cart.</p>
            <footer><a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a> © 2026 Lamp Co. Ltd</footer>
            """#)
        let transparency = TransparencySignals(page)
        #expect(transparency.privacyPolicy && transparency.contact && transparency.companyDetails)
        #expect(!transparency.terms)
        #expect(SiteClassifier.classify(page).type == .shop)
        #expect(SiteClassifier.classify(try Self.page("<p>hello</p>")).type == .other)
    }

    @Test("a product page is a shop by its cart link and its add button, in any language")
    func shopByItsControls() throws {
        let nav = #"<header><a href="/">Keeb</a><nav><a href="/fabric">Fabric</a><a href="/classes">Classes</a></nav></header>"#
        // One "Add to cart" alone is not enough; with the header's cart link it is a shop.
        #expect(SiteClassifier.classify(try Self.page(nav + "<h1>Winter Sateen bundle</h1><button>Add to cart</button>")).type == .other)
        #expect(SiteClassifier.classify(try Self.page(nav + #"<a href="/cart">Cart (0)</a><h1>Winter Sateen bundle</h1><button>Add to cart</button>"#)).type == .shop)
        #expect(SiteClassifier.classify(try Self.page(nav + #"<a href="/basket">Basket</a><h1>Wedding suite</h1><button>Add to basket – £289</button>"#)).type == .shop)
        #expect(SiteClassifier.classify(try Self.page(nav + "<h1>Kolejka drewniana</h1><p>189,00 zł</p><button>Do koszyka</button><button>Dodaj</button>")).type == .shop)
        #expect(SiteClassifier.classify(try Self.page(nav + #"<a href="/carrito">Carrito</a><h1>Mochila Paine</h1><p>$89.990</p><button>Agregar</button>"#)).type == .shop)
        // "Add a comment" is no add button; a bag of flour in a recipe is no cart.
        #expect(SiteClassifier.classify(try Self.page(nav + "<h1>Soda bread</h1><p>Tip a bag of flour into a bowl.</p><button>Add a comment</button>")).type != .shop)
    }
}
