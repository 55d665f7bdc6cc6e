import Foundation

extension HTMLDocument {
    /// Resolves what the walk recorded as indices (labels, roles, styles, URLs) into public values.
    init(assembling walk: TreeWalker, baseURL givenBase: URL?) {
        let collected = walk.collectors.map(\.collapsingWhitespace)
        func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

        // URLs
        var base = givenBase
        if let href = walk.baseHref?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty {
            base = URL(string: href, relativeTo: givenBase)?.absoluteURL ?? givenBase
        }
        func resolve(_ reference: String) -> URL? {
            guard let base else { return URL(string: reference) }
            return URL(string: reference, relativeTo: base)?.absoluteURL
        }

        // Controls and their labels. `for` wins over wrapping, as in HTML; the first id wins.
        var inputByID: [String: Int] = [:]
        for (position, input) in walk.inputs.enumerated() {
            if let id = input.attributes["id"], !id.isEmpty, inputByID[id] == nil { inputByID[id] = position }
        }
        let labelTargets: [Int?] = walk.labels.map { label in
            if let target = label.forID { return inputByID[target] }
            return label.wrappedInput
        }
        var labelTexts: [Int: [String]] = [:]
        for (position, target) in labelTargets.enumerated() {
            guard let target else { continue }
            let text = collected[walk.labels[position].collector]
            if !text.isEmpty { labelTexts[target, default: []].append(text) }
        }
        var optionsBySelect: [Int: [TreeWalker.OptionRecord]] = [:]
        for option in walk.options {
            if let select = option.select { optionsBySelect[select, default: []].append(option) }
        }
        let inputs: [Input] = walk.inputs.enumerated().map { position, record in
            let attributes = record.attributes
            var value = attributes["value"]
            if record.type == "select" {
                let options = optionsBySelect[position] ?? []
                if let chosen = options.first(where: \.isSelected) ?? options.first {
                    value = chosen.value ?? collected[chosen.collector]
                }
            } else if let collector = record.collector {
                value = walk.collectors[collector]
            }
            return Input(
                type: record.type, name: attributes["name"], value: value, isChecked: attributes["checked"] != nil,
                isDisabled: attributes["disabled"] != nil, isRequired: attributes["required"] != nil,
                id: nonEmpty(attributes["id"]), label: labelTexts[position].map { $0.joined(separator: " ") },
                formIndex: record.form)
        }
        let forms: [Form] = walk.forms.enumerated().map { position, record in
            Form(action: record.action, method: record.method, id: record.id,
                 inputs: inputs.filter { $0.formIndex == position })
        }
        let buttons = walk.buttons.map { record in
            Button(
                text: record.caption?.collapsingWhitespace ?? record.collector.map { collected[$0] } ?? "",
                type: record.type, classes: record.classes, id: nonEmpty(record.id), isDisabled: record.isDisabled,
                formIndex: record.form)
        }
        let links = walk.links.map { record in
            let href = record.href.trimmingCharacters(in: .whitespacesAndNewlines)
            return Link(href: href, url: resolve(href), text: collected[record.collector], rel: record.rel)
        }
        let scripts = walk.scripts.map { script in
            let src = script.attributes["src"]?.trimmingCharacters(in: .whitespacesAndNewlines)
            return Script(
                src: src, url: src.flatMap(resolve), integrity: script.attributes["integrity"],
                crossOrigin: script.attributes["crossorigin"], type: script.attributes["type"],
                inlineTextLength: script.inlineLength)
        }

        // Segments
        let facts = walk.facts
        let styles = ComputedStyle.resolve(facts, sheet: walk.sheet)
        // Iterative and cached per text-holding element only: pages can nest very deeply.
        var paths: [Int: String] = [:]
        func path(of element: Int) -> String {
            if let known = paths[element] { return known }
            var tags: [String] = []
            var cursor: Int? = element
            while let current = cursor {
                tags.append(facts[current].tag)
                cursor = facts[current].parent
            }
            let full = tags.reversed().joined(separator: ">")
            paths[element] = full
            return full
        }
        func role(of element: Int?) -> TextSegment.Role {
            guard let element, let raw = walk.roles[element] else { return .none }
            switch raw {
            case .button: return .button
            case .link: return .link
            case .checkbox(let checked): return .checkbox(checked: checked)
            case .radio(let checked): return .radio(checked: checked)
            case .option(let selected): return .option(selected: selected)
            case .heading(let level): return .heading(level: level)
            case .label(let label):
                guard let target = labelTargets[label] else { return .label }
                switch inputs[target].type {
                case "checkbox": return .checkbox(checked: inputs[target].isChecked)
                case "radio": return .radio(checked: inputs[target].isChecked)
                default: return .label
                }
            }
        }
        let segments = walk.segments.map { raw in
            var nearestID: String?
            var nearestClasses: [String]?
            var ancestorClasses: [String] = []
            var seen: Set<String> = []
            var ancestors: [Int] = []
            var block: Int?
            var inIllustration = false
            var cursor: Int? = raw.element
            while let element = cursor {
                let fact = facts[element]
                ancestors.append(element)
                if block == nil, TreeWalker.blockTags.contains(fact.tag) { block = element }
                if fact.isImageRole { inIllustration = true }
                if nearestID == nil { nearestID = fact.id }
                if nearestClasses == nil, !fact.classes.isEmpty { nearestClasses = fact.classes }
                for name in fact.classes where seen.insert(name).inserted { ancestorClasses.append(name) }
                cursor = fact.parent
            }
            return TextSegment(
                text: raw.text, path: path(of: raw.element), role: role(of: raw.roleElement), nearestID: nearestID,
                nearestClasses: nearestClasses ?? [], ancestorClasses: ancestorClasses, isInModal: raw.isInModal,
                isInIllustration: inIllustration, presentation: Self.presentation(styles[raw.element]), continuesPreviousSegment: raw.continuesPrevious,
                elementIndex: raw.element, ancestorIndices: ancestors, blockIndex: block ?? raw.element,
                roleElementIndex: role(of: raw.roleElement) == .none ? nil : raw.roleElement)
        }

        self.init(
            title: walk.titleCollector.map { collected[$0] }, lang: nonEmpty(walk.lang),
            metaDescription: walk.metaDescription, baseURL: base, links: links, scripts: scripts, forms: forms,
            inputs: inputs, buttons: buttons, segments: segments,
            gauges: walk.gauges.compactMap { record in
                guard !Self.presentation(styles[record.element]).isHidden else { return nil }
                var ancestors: [Int] = []
                var cursor: Int? = record.element
                while let element = cursor {
                    ancestors.append(element)
                    cursor = facts[element].parent
                }
                return Gauge(elementIndex: record.element, ancestorIndices: ancestors, value: record.value, maximum: record.maximum)
            })
    }

    private static func presentation(_ style: ComputedStyle) -> TextSegment.Presentation {
        let opacity = style.opacity
        var text = style.color.composited(over: style.background)
        if opacity < 1 {
            // Opacity fades the text towards what is behind it; the element's own background is
            // faded too, so this slightly overstates contrast when that background differs.
            text = CSSColor(red: text.red, green: text.green, blue: text.blue, alpha: opacity)
                .composited(over: style.background)
        }
        let ratio = CSSColor.contrastRatio(text, style.background)
        return TextSegment.Presentation(
            isHidden: style.isRemoved || style.isVisibilityHidden || opacity <= 0.001,
            isTiny: style.fontSize <= TextSegment.Presentation.tinyFontSize + 1e-9 || style.hasSmallRelativeFontSize,
            isLowContrast: ratio < TextSegment.Presentation.lowContrastThreshold,
            fontSize: style.fontSize,
            contrastRatio: ratio)
    }
}
