import CLibXML2

/// One pass over libxml2's tree that copies out everything `HTMLDocument` needs as Swift values.
///
/// The walk is iterative (libxml2 trees can be deep), visits every node once and never keeps a
/// node pointer past `walk(_:)`. What can only be decided once the whole document is known (which
/// control a `<label for>` names, the style rules of a later `<style>`, a `<base href>`) is recorded
/// as indices and resolved afterwards by `HTMLDocument.init(assembling:baseURL:)`.
struct TreeWalker {
    /// The interactive meaning of an element, before labels are tied to their controls.
    enum RawRole {
        case button
        case link
        case label(Int)
        case checkbox(Bool)
        case radio(Bool)
        case option(Bool)
        case heading(Int)
    }

    struct RawSegment {
        var text: String
        var element: Int
        var roleElement: Int?
        var isInModal: Bool
        var continuesPrevious: Bool
        /// A synthetic caption (an input button's value), whose role is always `.button`.
        var isControlCaption: Bool
    }

    struct LinkRecord { var href: String; var rel: [String]; var collector: Int }
    struct ButtonRecord {
        var caption: String?
        var collector: Int?
        var type: String
        var classes: [String]
        var id: String?
        var isDisabled: Bool
        var form: Int?
    }
    struct InputRecord {
        var type: String
        var attributes: [String: String]
        var form: Int?
        /// The `<textarea>` text.
        var collector: Int?
    }
    struct LabelRecord { var forID: String?; var wrappedInput: Int?; var collector: Int }
    struct OptionRecord { var select: Int?; var value: String?; var isSelected: Bool; var collector: Int }
    struct FormRecord { var action: String?; var method: String; var id: String? }
    struct GaugeRecord { var element: Int; var value: Double?; var maximum: Double? }

    private struct Frame {
        var element: Int
        var roleElement: Int?
        var isInModal: Bool
        var form: Int?
        var label: Int?
        var select: Int?
        var suppressesSegments: Bool
        var isBlock: Bool
        var collectorsPushed = 0
    }

    // MARK: Output
    private(set) var facts: [ElementFacts] = []
    private(set) var sheet = StyleSheet()
    private(set) var segments: [RawSegment] = []
    private(set) var roles: [Int: RawRole] = [:]
    private(set) var collectors: [String] = []
    private(set) var titleCollector: Int?
    private(set) var lang: String?
    private(set) var metaDescription: String?
    private(set) var baseHref: String?
    private(set) var links: [LinkRecord] = []
    private(set) var scripts: [(attributes: [String: String], inlineLength: Int)] = []
    private(set) var forms: [FormRecord] = []
    private(set) var inputs: [InputRecord] = []
    private(set) var buttons: [ButtonRecord] = []
    private(set) var labels: [LabelRecord] = []
    private(set) var options: [OptionRecord] = []
    private(set) var gauges: [GaugeRecord] = []

    // MARK: Walk state
    private var stack: [Frame] = []
    private var activeCollectors: [Int] = []
    /// Whitespace or a block boundary since the last segment.
    private var separated = true

    /// Walks the whole document. `document` must stay alive for the duration of the call only.
    mutating func walk(_ document: UnsafeMutablePointer<xmlDoc>) {
        var node: UnsafeMutablePointer<xmlNode>? = document.pointee.children
        var depth = 0
        while let current = node {
            let isElement = current.pointee.type == XML_ELEMENT_NODE
            var descend = false
            if isElement {
                descend = enter(current)
            } else if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE {
                text(current.pointee.content)
            }
            if descend, let child = current.pointee.children {
                node = child
                depth += 1
                continue
            }
            if isElement { exit() }
            var cursor = current
            node = nil
            while true {
                if let next = cursor.pointee.next {
                    node = next
                    break
                }
                // Depth 0 is the document's own children: their parent is the document node.
                guard depth > 0, let parent = cursor.pointee.parent else { break }
                depth -= 1
                cursor = parent
                exit()
            }
        }
    }

    // MARK: Elements

    /// Whether an element's accessible name says it is a picture of something rather than the
    /// thing ("Recreation of a retailer's banner", "Mock-up of the checkout", "Screenshot: …"): a
    /// news story's or a guide's reconstruction, shown as `role="img"` shows one.
    static func labelsADepiction(_ label: String?) -> Bool {
        guard let first = label?.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "-" }).first else { return false }
        return depictionWords.contains(String(first))
    }

    private static let depictionWords: Set<String> = [
        "recreation", "reconstruction", "mock-up", "mockup", "screenshot", "replica", "simulation", "illustration", "depiction", "example",
    ]

    /// Records an element; returns whether its children should be visited.
    private mutating func enter(_ node: UnsafeMutablePointer<xmlNode>) -> Bool {
        let tag = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
        let attributes = Self.attributes(of: node)
        let parent = stack.last
        let index = facts.count
        let classes = attributes["class"].map { $0.split(whereSeparator: \.isWhitespace).map(String.init) } ?? []
        facts.append(ElementFacts(
            tag: tag,
            id: attributes["id"].flatMap { $0.isEmpty ? nil : $0 },
            classes: classes,
            attributes: attributes,
            parent: parent?.element,
            inlineDeclarations: attributes["style"].map(CSSDeclaration.parseBlock) ?? [],
            userAgentDeclarations: Self.userAgentDeclarations(tag: tag, attributes: attributes),
            isAriaHidden: attributes["aria-hidden"]?.lowercased() == "true",
            isImageRole: attributes["role"]?.lowercased().split(separator: " ").first == "img" || Self.labelsADepiction(attributes["aria-label"])
        ))
        var frame = Frame(
            element: index,
            roleElement: parent?.roleElement,
            isInModal: (parent?.isInModal ?? false) || Self.isModal(tag: tag, classes: classes, attributes: attributes),
            form: parent?.form,
            label: parent?.label,
            select: parent?.select,
            suppressesSegments: parent?.suppressesSegments ?? false,
            isBlock: Self.blockTags.contains(tag)
        )
        var descend = true
        // Before this element's own collectors start: the boundary belongs to the text around it.
        if frame.isBlock { markBoundary() }

        switch tag {
        case "html":
            if lang == nil { lang = attributes["lang"] }
        case "head":
            frame.suppressesSegments = true
        case "title":
            if titleCollector == nil { titleCollector = startCollector(&frame) }
        case "meta":
            if metaDescription == nil, attributes["name"]?.lowercased() == "description" {
                metaDescription = attributes["content"]
            }
        case "base":
            if baseHref == nil, let href = attributes["href"] { baseHref = href }
        case "style":
            sheet.append(css: Self.childText(of: node))
            descend = false
        case "script":
            scripts.append((attributes, Self.childText(of: node).utf8.count))
            descend = false
        case "noscript", "template":
            // Scripting is assumed on (noscript) and template content is inert.
            descend = false
        case "a":
            if let href = attributes["href"] {
                let rel = attributes["rel"]?.lowercased().split(whereSeparator: \.isWhitespace).map(String.init) ?? []
                links.append(LinkRecord(href: href, rel: rel, collector: startCollector(&frame)))
                roles[index] = .link
            }
        case "button":
            buttons.append(ButtonRecord(
                caption: nil, collector: startCollector(&frame), type: attributes["type"]?.lowercased() ?? "submit",
                classes: classes, id: attributes["id"], isDisabled: attributes["disabled"] != nil, form: frame.form))
            roles[index] = .button
        case "summary":
            roles[index] = .button
        case "input":
            let type = attributes["type"]?.lowercased() ?? "text"
            addInput(InputRecord(type: type, attributes: attributes, form: frame.form), frame: frame)
            if ["submit", "button", "reset", "image"].contains(type) {
                let caption = attributes["value"] ?? (type == "submit" ? "Submit" : type == "reset" ? "Reset" : "")
                buttons.append(ButtonRecord(
                    caption: caption, collector: nil, type: type, classes: classes, id: attributes["id"],
                    isDisabled: attributes["disabled"] != nil, form: frame.form))
                roles[index] = .button
                frame.roleElement = index
                if !frame.suppressesSegments { addSegment(caption, frame: frame, isControlCaption: true) }
            }
        case "select":
            frame.select = addInput(InputRecord(type: "select", attributes: attributes, form: frame.form), frame: frame)
        case "textarea":
            var record = InputRecord(type: "textarea", attributes: attributes, form: frame.form)
            record.collector = startCollector(&frame)
            addInput(record, frame: frame)
            // The text is the control's value, reported there rather than as page text.
            frame.suppressesSegments = true
        case "option":
            options.append(OptionRecord(
                select: frame.select, value: attributes["value"], isSelected: attributes["selected"] != nil,
                collector: startCollector(&frame)))
            roles[index] = .option(attributes["selected"] != nil)
        case "label":
            labels.append(LabelRecord(forID: attributes["for"], wrappedInput: nil, collector: startCollector(&frame)))
            frame.label = labels.count - 1
            roles[index] = .label(labels.count - 1)
        case "form":
            forms.append(FormRecord(
                action: attributes["action"], method: attributes["method"]?.lowercased() ?? "get", id: attributes["id"]))
            frame.form = forms.count - 1
        case "h1", "h2", "h3", "h4", "h5", "h6":
            roles[index] = .heading(Int(String(tag.dropFirst())) ?? 1)
        default:
            break
        }

        let role = attributes["role"]?.lowercased().split(separator: " ").first
        if let role {
            applyARIARole(String(role), tag: tag, attributes: attributes, classes: classes, index: index, frame: &frame)
        }
        if tag == "progress" || tag == "meter" || role == "progressbar" || role == "meter" {
            func number(_ names: String...) -> Double? {
                names.lazy.compactMap { attributes[$0].flatMap { Double(String($0.filter { !$0.isWhitespace })) } }.first
            }
            gauges.append(GaugeRecord(element: index, value: number("value", "aria-valuenow"), maximum: number("max", "aria-valuemax")))
        }
        if roles[index] != nil { frame.roleElement = index }
        stack.append(frame)
        return descend
    }

    private mutating func exit() {
        guard let frame = stack.popLast() else { return }
        activeCollectors.removeLast(min(frame.collectorsPushed, activeCollectors.count))
        if frame.isBlock { markBoundary() }
    }

    private mutating func applyARIARole(
        _ role: String, tag: String, attributes: [String: String], classes: [String], index: Int, frame: inout Frame
    ) {
        let checked = attributes["aria-checked"]?.lowercased() == "true"
        switch role {
        case "button":
            if tag != "button", tag != "input" {
                buttons.append(ButtonRecord(
                    caption: nil, collector: startCollector(&frame), type: "button", classes: classes,
                    id: attributes["id"], isDisabled: attributes["aria-disabled"]?.lowercased() == "true",
                    form: frame.form))
            }
            roles[index] = .button
        case "link": roles[index] = .link
        case "checkbox", "switch": roles[index] = .checkbox(checked)
        case "radio": roles[index] = .radio(checked)
        case "option": roles[index] = .option(attributes["aria-selected"]?.lowercased() == "true")
        case "heading": roles[index] = .heading(attributes["aria-level"].flatMap { Int($0) } ?? 2)
        default: break
        }
    }

    @discardableResult
    private mutating func addInput(_ record: InputRecord, frame: Frame) -> Int {
        inputs.append(record)
        let position = inputs.count - 1
        // A label wraps the first labelable control inside it (hidden inputs are not labelable).
        if let label = frame.label, labels[label].wrappedInput == nil, record.type != "hidden" {
            labels[label].wrappedInput = position
        }
        return position
    }

    // MARK: Text

    private mutating func text(_ content: UnsafeMutablePointer<xmlChar>?) {
        guard let content, let frame = stack.last else { return }
        let raw = String(cString: content)
        for collector in activeCollectors { collectors[collector] += raw }
        guard !frame.suppressesSegments else { return }
        let collapsed = raw.collapsingWhitespace
        if collapsed.isEmpty {
            if !raw.isEmpty { separated = true }
            return
        }
        if raw.startsWithWhitespace { separated = true }
        addSegment(collapsed, frame: frame, isControlCaption: false)
        separated = raw.endsWithWhitespace
    }

    private mutating func addSegment(_ text: String, frame: Frame, isControlCaption: Bool) {
        let collapsed = text.collapsingWhitespace
        guard !collapsed.isEmpty else { return }
        segments.append(RawSegment(
            text: collapsed, element: frame.element, roleElement: isControlCaption ? frame.element : frame.roleElement,
            isInModal: frame.isInModal, continuesPrevious: !separated && !segments.isEmpty && !isControlCaption,
            isControlCaption: isControlCaption))
        // A form control is its own box.
        if isControlCaption { separated = true }
    }

    private mutating func startCollector(_ frame: inout Frame) -> Int {
        collectors.append("")
        activeCollectors.append(collectors.count - 1)
        frame.collectorsPushed += 1
        return collectors.count - 1
    }

    /// A block boundary or line break separates text both on screen and in collected captions.
    private mutating func markBoundary() {
        separated = true
        for collector in activeCollectors { collectors[collector] += " " }
    }

    // MARK: libxml2 helpers

    /// Attribute names lower-cased; on duplicates the first wins, as in browsers. A boolean
    /// attribute without a value (`checked`) maps to `""`.
    private static func attributes(of node: UnsafeMutablePointer<xmlNode>) -> [String: String] {
        var result: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name {
                let key = String(cString: name).lowercased()
                if result[key] == nil {
                    var value = ""
                    var child = current.pointee.children
                    while let piece = child {
                        if let content = piece.pointee.content { value += String(cString: content) }
                        child = piece.pointee.next
                    }
                    result[key] = value
                }
            }
            attribute = current.pointee.next
        }
        return result
    }

    /// The raw text of a `<script>` or `<style>` (libxml2 keeps it as text or CDATA children).
    private static func childText(of node: UnsafeMutablePointer<xmlNode>) -> String {
        var text = ""
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
               let content = current.pointee.content {
                text += String(cString: content)
            }
            child = current.pointee.next
        }
        return text
    }

    // MARK: Element classification

    private static func isModal(tag: String, classes: [String], attributes: [String: String]) -> Bool {
        if tag == "dialog" { return true }
        if let role = attributes["role"]?.lowercased(), role == "dialog" || role == "alertdialog" { return true }
        if attributes["aria-modal"]?.lowercased() == "true" { return true }
        return classes.contains { name in
            let lowered = name.lowercased()
            return ["modal", "popup", "overlay", "lightbox"].contains { lowered.contains($0) }
        }
    }

    private static func userAgentDeclarations(tag: String, attributes: [String: String]) -> [CSSDeclaration] {
        var declarations: [CSSDeclaration] = []
        if attributes["hidden"] != nil || (tag == "dialog" && attributes["open"] == nil) {
            declarations.append(CSSDeclaration(property: "display", value: "none", isImportant: false))
        }
        if tag == "a", attributes["href"] != nil {
            declarations.append(CSSDeclaration(property: "color", value: "#0000ee", isImportant: false))
        }
        if tag == "small" || tag == "sub" || tag == "sup" {
            declarations.append(CSSDeclaration(property: "font-size", value: "smaller", isImportant: false))
        }
        if tag == "input", attributes["type"]?.lowercased() == "hidden" {
            declarations.append(CSSDeclaration(property: "display", value: "none", isImportant: false))
        }
        return declarations
    }

    /// Elements that start a new line box (plus replaced elements and controls, which are their
    /// own boxes): text on either side of them is not joined.
    static let blockTags: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "br", "button", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "html", "img", "input", "legend", "li", "main", "menu", "nav", "ol",
        "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td", "textarea", "tfoot", "th",
        "thead", "tr", "ul", "svg", "video", "iframe",
    ]
}
