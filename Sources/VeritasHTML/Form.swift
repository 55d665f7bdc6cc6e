extension HTMLDocument {
    /// A `<form>` and the controls inside it.
    ///
    /// Forms never nest. Unlike browsers (which ignore an inner `<form>` tag), libxml2 closes the
    /// outer form when an inner one opens, so controls after the inner form's end belong to no
    /// form. The `form="id"` attribute on controls is not followed.
    public struct Form: Sendable, Hashable {
        /// The `action` attribute as written.
        public var action: String?
        /// The `method` attribute, lower-cased; `"get"` when absent.
        public var method: String
        /// The `id` attribute, if any.
        public var id: String?
        /// `<input>`, `<select>` and `<textarea>` elements inside the form, in document order.
        public var inputs: [Input]

        /// Creates a form value.
        public init(action: String?, method: String, id: String?, inputs: [Input]) {
            self.action = action
            self.method = method
            self.id = id
            self.inputs = inputs
        }
    }
}
