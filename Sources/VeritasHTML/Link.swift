import Foundation

extension HTMLDocument {
    /// An `<a href>` element.
    public struct Link: Sendable, Hashable {
        /// The `href` attribute as written, leading and trailing whitespace removed.
        public var href: String
        /// `href` resolved against the document's `<base href>` and the base URL given to the
        /// parser; `nil` when Foundation cannot parse it. Relative when no base is known.
        public var url: URL?
        /// The link's text, whitespace collapsed (hidden descendants included).
        public var text: String
        /// The `rel` tokens, lower-cased (`nofollow`, `sponsored`, `noopener`, ...).
        public var rel: [String]

        /// Creates a link value.
        public init(href: String, url: URL?, text: String, rel: [String]) {
            self.href = href
            self.url = url
            self.text = text
            self.rel = rel
        }
    }
}
