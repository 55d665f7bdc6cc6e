import Foundation

extension HTMLDocument {
    /// A progress bar or meter the page draws (`<progress>`, `<meter>`, `role="progressbar"` or
    /// `role="meter"`): a figure shown as a bar, such as a stock meter under a product ("LIVE
    /// REMAINING STOCK" over a bar) that carries no figure in its text.
    public struct Gauge: Sendable, Hashable {
        /// The element, as its position in document order (see ``TextSegment/elementIndex``).
        public var elementIndex: Int
        /// `elementIndex` of the element and its ancestors, nearest first (the last is the root):
        /// tells which text sits in the same box as the bar.
        public var ancestorIndices: [Int]
        /// `value` (or `aria-valuenow`), when it is a number.
        public var value: Double?
        /// `max` (or `aria-valuemax`), when it is a number.
        public var maximum: Double?

        /// Creates a gauge value.
        public init(elementIndex: Int, ancestorIndices: [Int], value: Double?, maximum: Double?) {
            self.elementIndex = elementIndex
            self.ancestorIndices = ancestorIndices
            self.value = value
            self.maximum = maximum
        }
    }
}
