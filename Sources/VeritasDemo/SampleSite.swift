import Foundation

/// One bundled sample site.
public struct SampleSite: Sendable, Hashable {
    /// The folder under `Sites/`, also the URL path: `/<folder>/`.
    public let folder: String
    /// What it is, for people.
    public let summary: String
    /// Extra response headers the sample server sends with its pages.
    public let headers: [(String, String)]

    public static func == (lhs: SampleSite, rhs: SampleSite) -> Bool { lhs.folder == rhs.folder }
    public func hash(into hasher: inout Hasher) { hasher.combine(folder) }

    /// A clean small shop: clear prices and delivery costs, an unchecked opt-in, policies linked,
    /// and the security headers a careful shop sends.
    public static let honestShop = SampleSite(
        folder: "honest-shop",
        summary: "an honest shop",
        headers: [
            ("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ])

    /// A shop full of dark patterns: countdown, low stock, activity notifications,
    /// confirmshaming, pre-checked add-ons, hidden costs and a hidden subscription.
    public static let pressureShop = SampleSite(folder: "pressure-shop", summary: "a shop full of dark patterns", headers: [])

    /// Every bundled site, in the order the demo audits them.
    public static let all: [SampleSite] = [.honestShop, .pressureShop]

    /// The bundled `Sites` folder.
    public static var bundledRoot: URL {
        Bundle.module.url(forResource: "Sites", withExtension: nil)
            ?? Bundle.module.bundleURL.appendingPathComponent("Sites", isDirectory: true)
    }
}

/// A failure of the demo itself, already explained for people.
public struct DemoError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
