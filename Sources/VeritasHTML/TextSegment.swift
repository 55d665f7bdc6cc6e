/// A run of visible text, in reading order, with the structure and presentation around it.
///
/// One segment is one text node of the document (or the caption of an `<input type="submit">`),
/// whitespace collapsed. Segments are produced for everything outside `<head>`, `<script>`,
/// `<style>`, `<noscript>`, `<template>` and `<textarea>`, including text the page hides: check
/// `presentation.isHidden` before treating a segment as seen.
///
/// ```swift
/// let document = try HTMLDocument(parsing: html)
/// let preChecked = document.segments.filter { $0.role == .checkbox(checked: true) }
/// let finePrint = document.segments.filter { $0.presentation.isTiny || $0.presentation.isLowContrast }
/// ```
public struct TextSegment: Sendable, Hashable {
    /// The text with runs of whitespace (including no-break spaces) collapsed to one space and
    /// trimmed; entities are decoded. Never empty.
    public var text: String
    /// Tag names from the root to the element holding the text, joined by `>`,
    /// e.g. `html>body>div>form>label`.
    public var path: String
    /// The role of the nearest interactive ancestor (or the element itself).
    public var role: Role
    /// The `id` of the nearest ancestor-or-self that has one.
    public var nearestID: String?
    /// The classes of the nearest ancestor-or-self that has a non-empty `class`.
    public var nearestClasses: [String]
    /// Every class on the element and its ancestors, nearest first, without repeats; lets a
    /// detector ask "is this inside `.cookie-banner`?".
    public var ancestorClasses: [String]
    /// Inside a `<dialog>`, an element with `role="dialog"`/`"alertdialog"` or `aria-modal="true"`,
    /// or an element whose class contains `modal`, `popup`, `overlay` or `lightbox`.
    public var isInModal: Bool
    /// Inside an element with `role="img"`: text drawn as part of an image (a mock-up of another
    /// page in an article, a diagram), which the page shows rather than says.
    public var isInIllustration: Bool
    /// How the text is shown, as far as the CSS subset can tell.
    public var presentation: Presentation
    /// `true` when nothing separates this segment from the previous one on screen (no
    /// whitespace, no block boundary), as in `fee<sup>*</sup>`; `HTMLDocument.visibleText` then
    /// joins them without a space.
    public var continuesPreviousSegment: Bool
    /// The element holding the text, as its position in document order (0 is `<html>`); two
    /// segments with the same `elementIndex` are text of the same element.
    public var elementIndex: Int
    /// `elementIndex` of the element and its ancestors, nearest first (the last is the root).
    /// Lets a detector find the smallest container two segments share, e.g. the box a decline link
    /// and its prominent alternative sit in.
    public var ancestorIndices: [Int]
    /// `elementIndex` of the nearest block-level ancestor-or-self (`p`, `div`, `li`, `td`, a control,
    /// ...): segments with the same block read as one line or paragraph, as in
    /// `<p>Only <b>2</b> left</p>`.
    public var blockIndex: Int
    /// `elementIndex` of the interactive element that gives the segment its ``role`` (a label,
    /// link, button, option), or `nil` for plain text: tells two adjacent labels apart even when
    /// they share a block.
    public var roleElementIndex: Int?

    /// Creates a segment; the parser makes these, tests and detectors may build their own.
    public init(
        text: String, path: String, role: Role = .none, nearestID: String? = nil, nearestClasses: [String] = [],
        ancestorClasses: [String] = [], isInModal: Bool = false, isInIllustration: Bool = false, presentation: Presentation = Presentation(),
        continuesPreviousSegment: Bool = false, elementIndex: Int = 0, ancestorIndices: [Int] = [],
        blockIndex: Int = 0, roleElementIndex: Int? = nil
    ) {
        self.text = text
        self.path = path
        self.role = role
        self.nearestID = nearestID
        self.nearestClasses = nearestClasses
        self.ancestorClasses = ancestorClasses
        self.isInModal = isInModal
        self.isInIllustration = isInIllustration
        self.presentation = presentation
        self.continuesPreviousSegment = continuesPreviousSegment
        self.elementIndex = elementIndex
        self.ancestorIndices = ancestorIndices.isEmpty ? [elementIndex] : ancestorIndices
        self.blockIndex = blockIndex
        self.roleElementIndex = roleElementIndex
    }

    /// The interactive element a segment belongs to: the nearest ancestor-or-self that is one.
    public enum Role: Sendable, Hashable {
        /// A `<button>`, `<input type="submit|button|reset|image">`, `<summary>` or `role="button"`.
        case button
        /// An `<a href>` or `role="link"`.
        case link
        /// A `<label>` whose control is not a checkbox or radio button (or has no control).
        case label
        /// A label of a checkbox (via `for` or by wrapping it), or `role="checkbox"` with `aria-checked`.
        case checkbox(checked: Bool)
        /// A label of a radio button, or `role="radio"` with `aria-checked`.
        case radio(checked: Bool)
        /// An `<option>` (or `role="option"`); `selected` from its `selected` attribute or `aria-selected`.
        case option(selected: Bool)
        /// `<h1>`…`<h6>`, or `role="heading"` with `aria-level` (2 when absent, as ARIA says).
        case heading(level: Int)
        /// Plain text.
        case none
    }

    /// Presentation flags computed from inline `style` attributes and `<style>` rules (see
    /// `HTMLDocument` for the CSS subset).
    public struct Presentation: Sendable, Hashable {
        /// `display: none`, `visibility: hidden`/`collapse`, the `hidden` attribute,
        /// `aria-hidden="true"`, a closed `<dialog>`, or an opacity of 0 on the element or an ancestor.
        public var isHidden: Bool
        /// Font size of at most 10 CSS pixels, or a nearest declared relative size
        /// (`em`, `rem`, `%`) of at most 0.7.
        public var isTiny: Bool
        /// WCAG contrast ratio between text and background below 2.5.
        public var isLowContrast: Bool
        /// The computed font size in CSS pixels (16 when nothing sets one).
        public var fontSize: Double
        /// WCAG 2.x contrast ratio (1…21) of the text colour, with opacity applied, against the
        /// background of the nearest ancestor that sets one (white when none does).
        public var contrastRatio: Double

        /// Creates presentation flags; the default is ordinary, visible 16px black-on-white text.
        public init(
            isHidden: Bool = false, isTiny: Bool = false, isLowContrast: Bool = false, fontSize: Double = 16,
            contrastRatio: Double = 21
        ) {
            self.isHidden = isHidden
            self.isTiny = isTiny
            self.isLowContrast = isLowContrast
            self.fontSize = fontSize
            self.contrastRatio = contrastRatio
        }

        /// Contrast ratios below this are low contrast.
        public static let lowContrastThreshold = 2.5
        /// Font sizes at or below this many CSS pixels are tiny.
        public static let tinyFontSize = 10.0
        /// Relative font sizes (`em`, `rem`, `%`) at or below this factor are tiny.
        public static let tinyRelativeFactor = 0.7
    }
}
