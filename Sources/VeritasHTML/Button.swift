extension HTMLDocument {
    /// Something the page presents as a button: `<button>`, `<input type="submit|button|reset|image">`
    /// or an element with `role="button"`.
    public struct Button: Sendable, Hashable {
        /// The visible caption, whitespace collapsed: the element's text, or an input's `value`.
        public var text: String
        /// `type` lower-cased: `"submit"` (the default for `<button>`), `"button"`, `"reset"`,
        /// `"image"`; `"button"` for `role="button"` elements.
        public var type: String
        /// The `class` tokens.
        public var classes: [String]
        /// The `id` attribute, if any.
        public var id: String?
        /// The `disabled` attribute is present.
        public var isDisabled: Bool
        /// Index in `HTMLDocument.forms` of the enclosing form, if any.
        public var formIndex: Int?

        /// Creates a button value.
        public init(text: String, type: String, classes: [String], id: String?, isDisabled: Bool, formIndex: Int?) {
            self.text = text
            self.type = type
            self.classes = classes
            self.id = id
            self.isDisabled = isDisabled
            self.formIndex = formIndex
        }
    }
}
