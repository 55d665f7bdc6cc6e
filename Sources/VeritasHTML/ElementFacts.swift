/// What the style pass needs to know about one element, recorded by `TreeWalker` in document order
/// (so an element's parent always has a smaller index).
struct ElementFacts: Sendable {
    /// Lower-cased tag name.
    var tag: String
    var id: String?
    var classes: [String]
    /// Every attribute, by lower-cased name, for attribute selectors (`[open]`).
    var attributes: [String: String]
    var parent: Int?
    /// The `style` attribute, parsed.
    var inlineDeclarations: [CSSDeclaration]
    /// Browser defaults that matter for the flags: `hidden` and a closed `<dialog>` are
    /// `display: none`, links are blue, `<small>`/`<sub>`/`<sup>` are `smaller`.
    var userAgentDeclarations: [CSSDeclaration]
    /// `aria-hidden="true"`: hidden from assistive technology. Treated as hidden text on small
    /// elements (an icon's glyph, a marquee's copy), but not on a page region (see
    /// ``ComputedStyle``): a dialog's script hides the page behind it from screen readers, and a
    /// person still sees it.
    var isAriaHidden: Bool
    /// `role="img"`, or an `aria-label` that names a depiction ("Recreation of …"): its content is
    /// one image (a mock-up, a reconstruction, an illustration).
    var isImageRole: Bool = false
}
