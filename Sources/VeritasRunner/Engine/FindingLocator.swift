import VeritasBrowser
import VeritasProtocol

/// Puts each finding on the full-page screenshot: the smallest laid-out element whose text holds
/// the finding's evidence gives its box.
///
/// The detectors read the serialised DOM, not the layout, so the evidence is matched back to the
/// elements measured in the browser by their text, spacing ignored. A long evidence is also
/// looked for by its start (a block the detectors joined from two elements is found by the first).
struct FindingLocator: Sendable {
    let boxes: [ElementBox]
    /// The full-page screenshot's index among the audit's screenshots.
    let screenshotIndex: Int
    /// Image pixels per CSS pixel (1 unless the browser renders at another device scale).
    let scale: Double
    let imageWidth: Double
    let imageHeight: Double

    /// Evidence longer than this is also looked for by its first this-many characters.
    static let probeLength = 48

    init(boxes: [ElementBox], screenshotIndex: Int, screenshot: FullPageScreenshot, viewportWidth: Int) {
        self.boxes = boxes
        self.screenshotIndex = screenshotIndex
        self.scale = viewportWidth > 0 ? Double(screenshot.width) / Double(viewportWidth) : 1
        self.imageWidth = Double(screenshot.width)
        self.imageHeight = Double(screenshot.capturedHeight)
    }

    /// `findings` with a box where their evidence was laid out inside the captured image.
    func locate(_ findings: [Finding]) -> [Finding] {
        findings.map { finding in
            var finding = finding
            finding.box = box(for: finding.evidence)
            return finding
        }
    }

    func box(for evidence: String) -> FindingBox? {
        let wanted = ElementBox.compact(evidence)
        guard !wanted.isEmpty else { return nil }
        var probes = [wanted]
        if wanted.count > Self.probeLength { probes.append(String(wanted.prefix(Self.probeLength))) }
        for probe in probes {
            let holding = boxes.filter { $0.compactText.contains(probe) }
            // The tightest element: the least text around the evidence, then the smallest area.
            if let element = holding.min(by: { ($0.compactText.count, $0.width * $0.height) < ($1.compactText.count, $1.width * $1.height) }) {
                return clipped(element)
            }
        }
        return nil
    }

    /// The element's box in image pixels, cut to the image; `nil` when it lies outside it (below a
    /// cut-off full page, or scrolled sideways out of view).
    private func clipped(_ element: ElementBox) -> FindingBox? {
        let left = max(0, element.x * scale), top = max(0, element.y * scale)
        let right = min(imageWidth, (element.x + element.width) * scale)
        let bottom = min(imageHeight, (element.y + element.height) * scale)
        guard right - left >= 1, bottom - top >= 1 else { return nil }
        return FindingBox(screenshotIndex: screenshotIndex, x: rounded(left), y: rounded(top), width: rounded(right - left), height: rounded(bottom - top))
    }

    private func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
