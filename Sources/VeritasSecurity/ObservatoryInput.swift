import Foundation

/// A `<script>` element found on the graded page, reduced to the attributes the
/// Subresource Integrity test looks at.
public struct ScriptTag: Sendable, Hashable, Codable {
    /// The raw `src` attribute, or `nil` for an inline script.
    public var src: String?
    /// The raw `integrity` attribute, if any.
    public var integrity: String?
    /// The raw `crossorigin` attribute, if any.
    public var crossorigin: String?

    /// Creates a script tag description.
    public init(src: String? = nil, integrity: String? = nil, crossorigin: String? = nil) {
        self.src = src
        self.integrity = integrity
        self.crossorigin = crossorigin
    }

    /// Extracts the `<script>` elements of an HTML fragment with a small tolerant scanner
    /// (attributes may be double-quoted, single-quoted or bare). Good enough for grading;
    /// not a full HTML parser.
    public static func parse(html: String) -> [ScriptTag] {
        var tags: [ScriptTag] = []
        let lower = html.lowercased()
        var searchStart = lower.startIndex
        while let open = lower.range(of: "<script", range: searchStart..<lower.endIndex) {
            // Require a tag-name boundary ("<scripts" is not a script element).
            if open.upperBound < lower.endIndex {
                let next = lower[open.upperBound]
                if !(next == ">" || next == "/" || next.isWhitespace) {
                    searchStart = open.upperBound
                    continue
                }
            }
            guard let close = html[open.upperBound...].firstIndex(of: ">") else { break }
            let attrText = String(html[open.upperBound..<close])
            let attrs = parseAttributes(attrText)
            tags.append(ScriptTag(src: attrs["src"], integrity: attrs["integrity"], crossorigin: attrs["crossorigin"]))
            let after = lower.index(after: close)
            if let end = lower.range(of: "</script", range: after..<lower.endIndex) {
                searchStart = end.upperBound
            } else {
                searchStart = after
            }
        }
        return tags
    }

    private static func parseAttributes(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        let chars = Array(text)
        var i = 0
        func skipSpace() { while i < chars.count, chars[i].isWhitespace || chars[i] == "/" { i += 1 } }
        while i < chars.count {
            skipSpace()
            var name = ""
            while i < chars.count, !chars[i].isWhitespace, chars[i] != "=", chars[i] != "/" {
                name.append(chars[i]); i += 1
            }
            if name.isEmpty { i += 1; continue }
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            var value = ""
            if i < chars.count, chars[i] == "=" {
                i += 1
                while i < chars.count, chars[i].isWhitespace { i += 1 }
                if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]; i += 1
                    while i < chars.count, chars[i] != quote { value.append(chars[i]); i += 1 }
                    i += 1
                } else {
                    while i < chars.count, !chars[i].isWhitespace { value.append(chars[i]); i += 1 }
                }
            }
            let key = name.lowercased()
            if result[key] == nil { result[key] = value }
        }
        return result
    }
}

/// Response headers with case-insensitive name lookup.
public struct HTTPHeaders: Sendable, Hashable {
    private var storage: [String: String]

    /// Creates a header set; names are folded to lower case (later duplicates win).
    public init(_ headers: [String: String] = [:]) {
        var s: [String: String] = [:]
        for (k, v) in headers { s[k.lowercased()] = v }
        storage = s
    }

    /// The value of the header `name` (any case), or `nil` if absent.
    public subscript(_ name: String) -> String? { storage[name.lowercased()] }

    /// All headers with lower-cased names.
    public var all: [String: String] { storage }
}

/// The facts about a page that the HTTP Observatory grader needs.
public struct ObservatoryInput: Sendable, Hashable {
    /// Host name of the graded site, e.g. `shop.example.com`.
    public var host: String
    /// Scheme of the final page: `"https"`, or `"http"` when the site has no working https endpoint.
    public var scheme: String
    /// Whether anything answers on plain http (port 80).
    public var httpAvailable: Bool
    /// URLs visited when starting from `http://host/` (first element is that URL; one element
    /// means no redirect); `nil` when nothing listens on http.
    public var redirectChain: [String]?
    /// Response headers of the final 2xx page (case-insensitive lookup).
    public var headers: HTTPHeaders
    /// Raw `Set-Cookie` values set by the site.
    public var cookies: [String]
    /// The page's `<script>` elements.
    public var scripts: [ScriptTag]
    /// The Origin sent by the CORS probe, when the server echoed it.
    public var corsProbeOrigin: String?

    /// Creates grader input.
    public init(
        host: String,
        scheme: String = "https",
        httpAvailable: Bool = true,
        redirectChain: [String]? = nil,
        headers: [String: String] = [:],
        cookies: [String] = [],
        scripts: [ScriptTag] = [],
        corsProbeOrigin: String? = nil
    ) {
        self.host = host
        self.scheme = scheme.lowercased()
        self.httpAvailable = httpAvailable
        self.redirectChain = redirectChain
        self.headers = HTTPHeaders(headers)
        self.cookies = cookies
        self.scripts = scripts
        self.corsProbeOrigin = corsProbeOrigin
    }

    /// Whether the final page was served over https.
    public var isHTTPS: Bool { scheme == "https" }
}
