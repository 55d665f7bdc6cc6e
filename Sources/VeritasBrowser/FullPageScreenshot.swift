import Foundation

/// A screenshot of a whole page, from the top, cut off at ``BrowserOptions/fullPageMaxHeight``.
public struct FullPageScreenshot: Sendable, Equatable {
    /// The PNG image.
    public let png: Data
    /// Width of the image in pixels (the viewport width).
    public let width: Int
    /// Height of the image in pixels: the page height, but at least the viewport height and at
    /// most `fullPageMaxHeight`.
    public let capturedHeight: Int
    /// The page's full height in CSS pixels, measured as the larger of the `scrollHeight` of
    /// `<html>` and `<body>`. Larger than ``capturedHeight`` when the image was cut off.
    public let pageHeight: Int

    /// Whether the page is taller than what was captured.
    public var isTruncated: Bool { pageHeight > capturedHeight }

    /// Creates a value; normally produced by ``BrowserPage/fullPageScreenshot()``.
    public init(png: Data, width: Int, capturedHeight: Int, pageHeight: Int) {
        self.png = png
        self.width = width
        self.capturedHeight = capturedHeight
        self.pageHeight = pageHeight
    }
}
