import Foundation

/// One rendered element's text and where it is laid out, in CSS pixels from the top-left of the
/// document (not of the viewport), as ``BrowserPage/elementBoxes(maxTextLength:maxTotalText:)``
/// measures it.
public struct ElementBox: Sendable, Equatable {
    /// The element's text with all whitespace removed and lowercased, so it can be compared with
    /// text extracted from the same DOM by other means whatever their spacing.
    public let compactText: String
    public let x: Double
    public let y: Double
    public let width: Double
    public let height: Double

    public init(compactText: String, x: Double, y: Double, width: Double, height: Double) {
        self.compactText = compactText
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `text` in the form of ``compactText``.
    public static func compact(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
    }
}

extension BrowserPage {
    /// The laid-out elements of the page's body that carry text, with their boxes: elements
    /// without a box (hidden) are left out, and so are elements whose text is longer than
    /// `maxTextLength` characters (a container of the whole page tells nothing about where a line
    /// is). Measuring stops once `maxTotalText` characters were collected, which bounds the reply
    /// on huge pages.
    public func elementBoxes(maxTextLength: Int = 2_400, maxTotalText: Int = 2_000_000) async throws -> [ElementBox] {
        let reply = try await evaluate("""
            (() => {
              const out = [];
              let total = 0;
              const skipped = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
              const all = document.body ? document.body.querySelectorAll('*') : [];
              for (const element of all) {
                if (skipped.has(element.tagName)) continue;
                const text = (element.textContent || '').replace(/\\s+/g, '').toLowerCase();
                if (!text || text.length > \(maxTextLength)) continue;
                const box = element.getBoundingClientRect();
                if (box.width < 1 || box.height < 1) continue;
                total += text.length;
                if (total > \(maxTotalText)) break;
                out.push([text, box.left + window.scrollX, box.top + window.scrollY, box.width, box.height]);
              }
              return JSON.stringify(out);
            })()
            """)
        guard let json = reply.stringValue else {
            throw BrowserError.invalidResponse(method: "Runtime.evaluate", reason: "element boxes are not a string")
        }
        let rows = try DevToolsValue(parsing: Data(json.utf8)).arrayValue ?? []
        return rows.compactMap { row in
            guard let text = row[0]?.stringValue, let x = row[1]?.doubleValue, let y = row[2]?.doubleValue,
                  let width = row[3]?.doubleValue, let height = row[4]?.doubleValue else { return nil }
            return ElementBox(compactText: text, x: x, y: y, width: width, height: height)
        }
    }
}
