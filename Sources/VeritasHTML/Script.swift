import Foundation

extension HTMLDocument {
    /// A `<script>` element, external or inline. The parser never runs or fetches scripts.
    public struct Script: Sendable, Hashable {
        /// The `src` attribute as written; `nil` for an inline script.
        public var src: String?
        /// `src` resolved like `Link.url`.
        public var url: URL?
        /// The `integrity` attribute (Subresource Integrity metadata), if any.
        public var integrity: String?
        /// The `crossorigin` attribute; `""` when present without a value (meaning `anonymous`).
        public var crossOrigin: String?
        /// The `type` attribute, if any (`module`, `application/ld+json`, ...).
        public var type: String?
        /// UTF-8 byte count of the inline source; 0 for an empty or external script.
        public var inlineTextLength: Int

        /// Creates a script value.
        public init(
            src: String?, url: URL?, integrity: String?, crossOrigin: String?, type: String?, inlineTextLength: Int
        ) {
            self.src = src
            self.url = url
            self.integrity = integrity
            self.crossOrigin = crossOrigin
            self.type = type
            self.inlineTextLength = inlineTextLength
        }
    }
}
