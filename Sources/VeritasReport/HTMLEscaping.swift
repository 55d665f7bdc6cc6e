/// Text made safe for HTML. Everything a report shows that did not come from this module (page
/// texts, URLs, labels, narratives, reasons) is hostile until escaped: a page under audit can put
/// markup and script in its own words, and they reach the report as evidence.
public enum HTMLEscaping {
    /// `text` as element content or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
    /// character references, and control characters other than tab and newline are dropped.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.properties.generalCategory == .control { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// A URL to show as text and to link to, only when it is http(s): any other scheme
    /// (`javascript:`, `data:`) is shown but never made a link.
    public static func linkableURL(_ url: String) -> String? {
        let lowered = url.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") ? url : nil
    }
}
