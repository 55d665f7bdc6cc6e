import Foundation
import Testing
import VeritasBrowser
import VeritasProtocol
@testable import VeritasRunner

@Suite("FindingLocator: each finding on the full-page screenshot")
struct FindingLocatorTests {
    static let screenshot = FullPageScreenshot(png: Data(), width: 1280, capturedHeight: 2000, pageHeight: 5000)

    static func box(_ text: String, _ x: Double, _ y: Double, _ width: Double, _ height: Double) -> ElementBox {
        ElementBox(compactText: ElementBox.compact(text), x: x, y: y, width: width, height: height)
    }

    static let boxes = [
        box("Lamps Only 2 left in stock Add to basket", 0, 0, 1280, 900),
        box("Only 2 left in stock", 100, 300, 400, 40),
        box("Only 2 left in stock Add to basket", 90, 290, 420, 120),
        box("Offer ends in 09:59", 0, 2500, 600, 30),
        box("Terms apply. Cancel by phone only.", 10, 1990, 500, 40),
        box("Order within the next 3 hours for delivery tomorrow, before the price goes up", 40, 1200, 700, 24),
    ]

    @Test("the tightest element holding the evidence gives the box, spacing and case ignored")
    func tightest() {
        let locator = FindingLocator(boxes: Self.boxes, screenshotIndex: 1, screenshot: Self.screenshot, viewportWidth: 1280)
        #expect(locator.box(for: "ONLY 2  left\nin stock") == FindingBox(screenshotIndex: 1, x: 100, y: 300, width: 400, height: 40))
        #expect(locator.box(for: "Lamps Only 2 left") == FindingBox(screenshotIndex: 1, x: 0, y: 0, width: 1280, height: 900))
    }

    @Test("a long evidence joined from elements is found by its start; text on no element has no box")
    func probes() {
        let locator = FindingLocator(boxes: Self.boxes, screenshotIndex: 1, screenshot: Self.screenshot, viewportWidth: 1280)
        let joined = "Order within the next 3 hours for delivery tomorrow, before the price goes up Add to basket"
        #expect(locator.box(for: joined)?.y == 1200)
        #expect(locator.box(for: "Nowhere on this page") == nil)
        #expect(locator.box(for: "   ") == nil)
    }

    @Test("boxes are cut to the captured image, and one below a cut-off page has none")
    func clipping() {
        let locator = FindingLocator(boxes: Self.boxes, screenshotIndex: 1, screenshot: Self.screenshot, viewportWidth: 1280)
        #expect(locator.box(for: "Offer ends in 09:59") == nil, "below the first 2000 px captured")
        #expect(locator.box(for: "Cancel by phone only.") == FindingBox(screenshotIndex: 1, x: 10, y: 1990, width: 500, height: 10))
    }

    @Test("a screenshot at another device scale gets boxes in its own pixels")
    func scale() {
        let doubled = FullPageScreenshot(png: Data(), width: 2560, capturedHeight: 4000, pageHeight: 2000)
        let locator = FindingLocator(boxes: Self.boxes, screenshotIndex: 0, screenshot: doubled, viewportWidth: 1280)
        #expect(locator.box(for: "Only 2 left in stock") == FindingBox(screenshotIndex: 0, x: 200, y: 600, width: 800, height: 80))
        let located = locator.locate([Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: "Only 2 left in stock")])
        #expect(located.first?.box?.width == 800)
    }
}
