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
