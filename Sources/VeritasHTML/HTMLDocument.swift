import Foundation

/// A parsed HTML page, reduced to the facts the dark-pattern detectors reason about: metadata,
/// links, scripts, forms and their controls, buttons, and the visible text as `TextSegment`s with
/// their structure and presentation.
///
/// ```swift
/// let page = try HTMLDocument(parsing: html, baseURL: URL(string: "https://shop.example/cart"))
/// for input in page.inputs where input.type == "checkbox" && input.isChecked {
///     print("pre-checked:", input.label ?? "(no label)")
/// }
/// let finePrint = page.segments.filter { !$0.presentation.isHidden && $0.presentation.isTiny }
/// ```
///
/// ## Design
///
/// - **Parsing** is libxml2's forgiving HTML parser (`htmlReadMemory` with `RECOVER | NOERROR |
///   NOWARNING | NONET | COMPACT`, plus `HUGE` so that nesting deeper than 256 elements does not
///   empty the document): unclosed tags, stray end tags and bad entities are repaired, never
///   reported. It is an HTML 4 parser: HTML5 elements (`<main>`, `<dialog>`, ...) are kept as
///   generic elements, and its implied-end-tag rules differ from the HTML5 algorithm in corner
///   cases (a `<form>` opened inside a `<form>` closes the outer one). Scripts are neither run nor
///   fetched, so text that scripts create is absent.
/// - **One walk, then plain Swift.** `LibXML2Parser` is the only code that touches C: it parses,
///   lets `TreeWalker` copy the tree out in a single iterative pass, and frees the document before
///   returning. Every stored value is a Swift value type; no libxml2 pointer outlives the parse.
///   Facts that need the whole document (the target of `<label for>`, `<style>` rules that come
///   later, `<base href>`) are recorded as indices and resolved afterwards.
/// - **Encoding.** `init(parsing: String)` hands libxml2 UTF-8 and tells it to ignore
///   `<meta charset>` (the string is already decoded). `init(parsing: Data)` uses the caller's
///   hint if given, otherwise the document's `<meta charset>` / `http-equiv` declaration, otherwise
///   UTF-8 (libxml2 switches to Latin-1 if the bytes are not valid UTF-8).
/// - **Styles: a deliberately small CSS subset.** Inline `style` attributes and `<style>` rules
///   whose selectors are compounds of `tag`, `*`, `.class` and `#id` (e.g. `p`, `.fine`,
///   `button.reject`, `#promo`), joined by descendant or child (`>`) combinators, in comma lists.
///   Attribute selectors, pseudo-classes and pseudo-elements, sibling combinators, `@media` and
///   other at-rules, `var()`, `calc()` and external style sheets are ignored. The cascade honours
///   `!important`, then origin (inline over `<style>` over browser defaults), then specificity, then
///   order. Only `display`, `visibility`, `opacity`, `font-size`/`font`, `color` and
///   `background-color`/`background` are interpreted. Layout is not modelled: text moved off
///   screen, clipped or covered by another element is not flagged hidden, and a positioned overlay
///   is assumed to sit on its DOM ancestors' background.
/// - **Flags** (see `TextSegment.Presentation`): hidden, tiny (≤ 10px or a declared relative size
///   ≤ 0.7), low contrast (WCAG ratio < 2.5 against the nearest background, white by default).
/// - **Limits.** Input above `sizeLimit` bytes (5 MiB by default) is refused before parsing.
public struct HTMLDocument: Sendable {
    /// The default `sizeLimit`: 5 MiB.
    public static let defaultSizeLimit = 5 * 1024 * 1024

    /// The first `<title>`'s text, whitespace collapsed; `nil` without a title element.
    public let title: String?
    /// The root element's `lang` attribute.
    public let lang: String?
    /// The `content` of the first `<meta name="description">`.
    public let metaDescription: String?
    /// The URL relative references are resolved against: the document's `<base href>` resolved
    /// against the URL given to the parser, or that URL.
    public let baseURL: URL?
    /// Every `<a href>`, in document order.
    public let links: [Link]
    /// Every `<script>`, in document order.
    public let scripts: [Script]
    /// Every `<form>`, in document order, with its controls.
    public let forms: [Form]
    /// Every form control in document order, including those outside any form.
    public let inputs: [Input]
    /// Every button-like element, in document order, inside forms or not.
    public let buttons: [Button]
    /// The text of the page outside `<head>`, in reading (document) order, hidden text included
    /// and flagged.
    public let segments: [TextSegment]
    /// Every progress bar and meter that is not hidden, in document order.
    public let gauges: [Gauge]

    /// The text of the segments that are not hidden, joined the way it reads on screen: a space
    /// between segments unless `continuesPreviousSegment` says they touch.
    public var visibleText: String {
        var text = ""
        for segment in segments where !segment.presentation.isHidden {
            if !text.isEmpty, !segment.continuesPreviousSegment { text += " " }
            text += segment.text
        }
        return text
    }

    /// Parses a page that is already decoded.
    ///
    /// - Parameters:
    ///   - html: The page source. Its `<meta charset>`, if any, is ignored.
    ///   - baseURL: The page's URL, used to resolve relative links and script sources.
    ///   - sizeLimit: The largest accepted input, in UTF-8 bytes.
    /// - Throws: `HTMLParseError` with `.documentTooLarge`, or `.noDocument` when libxml2 returns
    ///   nothing (empty input).
    public init(parsing html: String, baseURL: URL? = nil, sizeLimit: Int = HTMLDocument.defaultSizeLimit) throws {
        var source = html
        let walker = try source.withUTF8 { bytes in
            try Self.checkSize(bytes.count, limit: sizeLimit)
            return try LibXML2Parser.walk(UnsafeRawBufferPointer(bytes), encoding: "UTF-8", ignoreDeclaredEncoding: true)
        }
        self.init(assembling: walker, baseURL: baseURL)
    }

    /// Parses a page as bytes off the wire.
    ///
    /// - Parameters:
    ///   - data: The response body.
    ///   - encoding: An IANA character set name (`"utf-8"`, `"windows-1252"`, `"shift_jis"`), for
    ///     example from the `Content-Type` header; it overrides the document's own declaration.
    ///     `nil` follows `<meta charset>`, then UTF-8.
    ///   - baseURL: The page's URL, used to resolve relative links and script sources.
    ///   - sizeLimit: The largest accepted input, in bytes.
    /// - Throws: `HTMLParseError` with `.documentTooLarge`, `.unsupportedEncoding`, or
    ///   `.noDocument` when libxml2 returns nothing.
    public init(
        parsing data: Data, encoding: String? = nil, baseURL: URL? = nil,
        sizeLimit: Int = HTMLDocument.defaultSizeLimit
    ) throws {
        try Self.checkSize(data.count, limit: sizeLimit)
        let walker = try data.withUnsafeBytes { bytes in
            try LibXML2Parser.walk(bytes, encoding: encoding, ignoreDeclaredEncoding: false)
        }
        self.init(assembling: walker, baseURL: baseURL)
    }

    private static func checkSize(_ count: Int, limit: Int) throws {
        // libxml2 takes an int length.
        let effectiveLimit = min(limit, Int(Int32.max))
        guard count <= effectiveLimit else {
            throw HTMLParseError(.documentTooLarge, "the document is \(count) bytes, over the limit of \(effectiveLimit)")
        }
    }

    init(
        title: String?, lang: String?, metaDescription: String?, baseURL: URL?, links: [Link], scripts: [Script],
        forms: [Form], inputs: [Input], buttons: [Button], segments: [TextSegment], gauges: [Gauge] = []
    ) {
        self.gauges = gauges
        self.title = title
        self.lang = lang
        self.metaDescription = metaDescription
        self.baseURL = baseURL
        self.links = links
        self.scripts = scripts
        self.forms = forms
        self.inputs = inputs
        self.buttons = buttons
        self.segments = segments
    }
}
