import Foundation

/// Crude text and link extraction from HTML, enough for the first engine's phrase matching.
///
/// Not a parser: comments, `<script>` and `<style>` bodies are dropped, tags are removed, a few
/// entities decoded and whitespace collapsed. A later engine replaces this with a real HTML parser.
struct PageText {
    /// The visible text, whitespace collapsed.
    let text: String
    /// The lowercased text, for case-insensitive matching (same length in scalars as ``text`` is
    /// not guaranteed, so evidence is cut from this one).
    let lowercased: String
    /// Every `href` value, lowercased.
    let links: [String]
    /// The lowercased raw HTML.
    let html: String

    init(html raw: String) {
        let html = raw.lowercased()
        self.html = html
        var text = Self.removeBlocks(raw, named: ["script", "style", "noscript", "template"])
        text = Self.removeComments(text)
        text = Self.removeTags(text)
        text = Self.decodeEntities(text)
        self.text = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        self.lowercased = self.text.lowercased()
        self.links = Self.attributeValues(named: "href", in: html)
    }

    /// Text around `range` in ``lowercased``, for a finding's evidence.
    func excerpt(around range: Range<String.Index>, radius: Int = 80) -> String {
        let start = lowercased.index(range.lowerBound, offsetBy: -radius, limitedBy: lowercased.startIndex) ?? lowercased.startIndex
        let end = lowercased.index(range.upperBound, offsetBy: radius, limitedBy: lowercased.endIndex) ?? lowercased.endIndex
        return String(lowercased[start..<end]).trimmingCharacters(in: .whitespaces)
    }

    private static func removeBlocks(_ html: String, named names: [String]) -> String {
        var result = html
        for name in names {
            var output = ""
            var rest = Substring(result)
            while let open = rest.range(of: "<\(name)", options: .caseInsensitive) {
                output += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].range(of: "</\(name)>", options: .caseInsensitive) else {
                    rest = ""
                    break
                }
                output += " "
                rest = rest[close.upperBound...]
            }
            output += rest
            result = output
        }
        return result
    }

    private static func removeComments(_ html: String) -> String {
        var output = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<!--") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "-->") else { return output }
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    private static func removeTags(_ html: String) -> String {
        var output = String.UnicodeScalarView()
        var inTag = false
        for scalar in html.unicodeScalars {
            if inTag {
                if scalar == ">" { inTag = false; output.append(" ") }
            } else if scalar == "<" {
                inTag = true
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    private static func decodeEntities(_ text: String) -> String {
        [("&nbsp;", " "), ("&#39;", "'"), ("&apos;", "'"), ("&rsquo;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
            .reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// Values of `name="..."` / `name='...'` attributes in lowercased HTML.
    static func attributeValues(named name: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = Substring(html)
        while let found = rest.range(of: "\(name)=") {
            rest = rest[found.upperBound...]
            guard let quote = rest.first, quote == "\"" || quote == "'" else { continue }
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else { break }
            values.append(String(body[..<end]))
            rest = body[end...]
        }
        return values
    }
}
