extension HTMLDocument {
    /// A form control: `<input>`, `<select>` or `<textarea>`.
    public struct Input: Sendable, Hashable {
        /// The `type` attribute, lower-cased (`"text"` when absent); `"select"` or `"textarea"`
        /// for those elements.
        public var type: String
        /// The `name` attribute, if any.
        public var name: String?
        /// The `value` attribute; for a `<select>`, the value of its selected option (or its first
        /// option); for a `<textarea>`, its text.
        public var value: String?
        /// The `checked` attribute is present (checkboxes and radio buttons as served, before scripts).
        public var isChecked: Bool
        /// The `disabled` attribute is present.
        public var isDisabled: Bool
        /// The `required` attribute is present.
        public var isRequired: Bool
        /// The `id` attribute, if any.
        public var id: String?
        /// Text of the `<label>` elements tied to the control, by `for` or by wrapping it, joined by
        /// a space and whitespace collapsed; `nil` when no label refers to it.
        public var label: String?
        /// Index in `HTMLDocument.forms` of the form holding the control, if any.
        public var formIndex: Int?

        /// Creates a control value.
        public init(
            type: String, name: String?, value: String?, isChecked: Bool, isDisabled: Bool, isRequired: Bool,
            id: String?, label: String?, formIndex: Int?
        ) {
            self.type = type
            self.name = name
            self.value = value
            self.isChecked = isChecked
            self.isDisabled = isDisabled
            self.isRequired = isRequired
            self.id = id
            self.label = label
            self.formIndex = formIndex
        }
    }
}
