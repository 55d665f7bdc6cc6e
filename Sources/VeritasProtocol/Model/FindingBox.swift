/// Where a finding is drawn on one of its audit's screenshots: a rectangle in that image's pixels,
/// from its top-left corner.
///
/// The runner measures the element that carries the evidence while the page is rendered, at the
/// moment the full-page screenshot is taken, so the box and the image show the same layout. A
/// finding whose element has no box (hidden, from another page of the site, read from raw HTML
/// without a browser) has none.
public struct FindingBox: Sendable, Equatable, Hashable {
    /// The ``ScreenshotInfo/index`` of the screenshot the box is drawn on.
    public var screenshotIndex: Int
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    /// Values are not re-validated here; they are checked when decoded from the wire.
    public init(screenshotIndex: Int, x: Double, y: Double, width: Double, height: Double) {
        self.screenshotIndex = screenshotIndex
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The wire object: `screenshot_index`, `x`, `y`, `width`, `height`.
    public var jsonValue: JSONValue {
        .object([
            "screenshot_index": .int(screenshotIndex),
            "x": .number(x),
            "y": .number(y),
            "width": .number(width),
            "height": .number(height),
        ])
    }

    init(reading reader: FieldReader) throws(ProtocolError) {
        let coordinates = 0...ProtocolLimits.maxBoxCoordinate
        screenshotIndex = try reader.int("screenshot_index", in: 0...ProtocolLimits.maxScreenshotIndex)
        x = try reader.double("x", in: coordinates)
        y = try reader.double("y", in: coordinates)
        width = try reader.double("width", in: coordinates)
        height = try reader.double("height", in: coordinates)
    }
}
