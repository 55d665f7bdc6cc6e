import Foundation

/// What a visitor can find out about who runs the site: a privacy policy, terms, a way to make
/// contact, and the company's identity (registered name, number or address).
public struct TransparencySignals: Sendable, Equatable {
    /// A link to a privacy or data-protection policy.
    public var privacyPolicy: Bool
    /// A link to terms or conditions.
    public var terms: Bool
    /// A contact link: contact, support, help centre, `mailto:`, `tel:`.
    public var contact: Bool
    /// The company's identity in the visible text: a legal form, a company, VAT or charity number,
    /// a registered office, a `© year name` line, or a street address or postcode.
    public var companyDetails: Bool

    /// 25 points for each of the four.
    public var score: Int { [privacyPolicy, terms, contact, companyDetails].filter { $0 }.count * 25 }

    /// The signals that are missing, in words.
    public var missing: [String] {
        [(privacyPolicy, "a privacy policy"), (terms, "terms and conditions"), (contact, "contact details"),
         (companyDetails, "company details")].filter { !$0.0 }.map(\.1)
    }

    private static let privacy = TextPattern(#"privacy|datenschutz|data protection"#)
    private static let termsWords = TextPattern(#"\bterms\b|conditions|/tos\b|legal|agb\b"#)
    private static let contactWords = TextPattern(#"contact|mailto:|tel:|impressum|support|help ?cent(er|re)|customer (care|service)"#)
    /// A company's legal identity: a legal form, a registration or VAT number, a registered office.
    private static let company = TextPattern(
        #"\b(ltd|limited|llc|inc|gmbh|s\.?a\.?r\.?l|b\.?v|plc|co\.|corp(oration)?|company (no|number)|registered (in|office|charity)|vat (no|number|id)|ein\b|abn\b|charity (no|number))\b|©\s?\d{4}"#)
    private static let address = TextPattern(#"\b\d{1,5}\s+[a-z]+(\s[a-z]+)*\s(street|st|road|rd|avenue|ave|lane|boulevard|blvd|way|drive|square|place)\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\b\d{5}(-\d{4})?\b"#)

    /// Reads the signals from the page's links (their text and address) and visible text.
    public init(_ page: AuditedPage) {
        let links = page.document.links.map { "\($0.text) \($0.href)" }
        func linked(_ pattern: TextPattern) -> Bool { links.contains { pattern.occurs(in: $0) } }
        privacyPolicy = linked(Self.privacy)
        terms = linked(Self.termsWords)
        contact = linked(Self.contactWords) || page.lowercasedText.contains("@") && page.lowercasedText.contains("contact")
        companyDetails = Self.company.occurs(in: page.visibleText) || Self.address.occurs(in: page.visibleText)
    }

    /// Signals given directly (tests, or a caller with its own sources).
    public init(privacyPolicy: Bool, terms: Bool, contact: Bool, companyDetails: Bool) {
        self.privacyPolicy = privacyPolicy
        self.terms = terms
        self.contact = contact
        self.companyDetails = companyDetails
    }
}
