import Foundation
import Testing
import VeritasProtocol
@testable import VeritasReport

@Suite("HTML report: content and escaping")
struct HTMLReportTests {
    @Test("a completed audit: verdict, every signal, every security test, each finding whole, outlines on their screenshot")
    func completedAudit() throws {
        let longEvidence = "Hurry! " + String(repeating: "This deal is going fast and will not come back. ", count: 6) + "END-OF-EVIDENCE"
        let findings = [
            Finding(patternType: .countdownTimer, severity: .high, confidence: 0.91, evidence: "Offer ends in 09:59", location: "div.timer",
                    box: FindingBox(screenshotIndex: 1, x: 40, y: 120.5, width: 300, height: 48)),
            Finding(patternType: .limitedTimeMessage, severity: .medium, confidence: 0.6, evidence: longEvidence),
        ]
        let shots = [
            AuditReport.Screenshot(index: 0, label: "viewport", contentType: .png, image: ReportSamples.pngHeader(width: 1280, height: 800)),
            AuditReport.Screenshot(index: 1, label: "full page", contentType: .png, image: ReportSamples.pngHeader(width: 1280, height: 2400)),
        ]
        let html = HTMLReport.render(AuditReport(audit: ReportSamples.completedAudit(), findings: findings, screenshots: shots, origin: "writer tcp://127.0.0.1:5557"))

        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<span class=\"trust\">26</span>"))
        #expect(html.contains("critical risk"))
        #expect(html.contains("<p>Several pressure tactics.</p>") && html.contains("<p>The timer restarts on every visit.</p>"), "each narrative line a paragraph")
        for signal in ["dark patterns", "security", "transparency", "hygiene"] { #expect(html.contains(">\(signal)</th>"), "\(signal)") }
        #expect(html.contains("value=\"10\""))
        #expect(html.contains("Grade <strong class=\"grade\">C</strong>, score 50"))
        #expect(html.contains("2 of 3 tests failed"))
        for test in ["content security policy", "strict transport security", "x frame options"] { #expect(html.contains(">\(test)</th>"), "\(test)") }
        #expect(html.contains(">-25</td>") && html.contains(">-20</td>") && html.contains(">0</td>"), "each test's modifier")
        #expect(html.contains("Final URL</dt><dd>https://shop.example/sale"))
        #expect(html.contains(longEvidence), "evidence is never clipped")
        #expect(html.contains("Where: div.timer"))
        #expect(html.contains("<rect class=\"outline\" x=\"40.0\" y=\"120.5\" width=\"300.0\" height=\"48.0\"/>"))
        #expect(html.contains("viewBox=\"0 0 1280 2400\""), "outlines are drawn in the image's own pixels")
        #expect(html.contains("Outlined as <a href=\"#shot-1\">1 on the full page screenshot</a>"))
        #expect(html.contains("Not on a screenshot: its element could not be measured"))
        #expect(html.components(separatedBy: "<rect class=\"outline\"").count - 1 == 1, "one outline: one finding has a box")
        #expect(html.contains("data:image/png;base64,"))
        #expect(!html.contains("http://") && !html.contains("src=\"https:") && !html.contains("href=\"//"), "nothing is loaded from the network")
        #expect(html.contains("writer tcp://127.0.0.1:5557"))
    }

    @Test("findings on the same element share one outline tagged with all their numbers")
    func sharedOutline() {
        let box = FindingBox(screenshotIndex: 0, x: 10, y: 50, width: 200, height: 40)
        let findings = [
            Finding(patternType: .hardToCancel, severity: .high, confidence: 0.8, evidence: "Cancel by phone.", box: box),
            Finding(patternType: .lowStock, severity: .medium, confidence: 0.8, evidence: "Only 2 left", box: FindingBox(screenshotIndex: 0, x: 10, y: 150, width: 90, height: 20)),
            Finding(patternType: .forcedEnrollment, severity: .medium, confidence: 0.7, evidence: "Cancel by phone. Create an account.", box: box),
        ]
        let shot = AuditReport.Screenshot(index: 0, label: "full page", contentType: .png, image: ReportSamples.pngHeader(width: 400, height: 300))
        let html = HTMLReport.render(AuditReport(audit: ReportSamples.completedAudit(), findings: findings, screenshots: [shot], origin: "test"))
        #expect(html.components(separatedBy: "<rect class=\"outline\"").count - 1 == 2)
        #expect(html.contains(">1,3</text>"), "one tag names both findings")
        #expect(html.contains("class=\"mark severity-high\""), "the shared outline takes the worse severity")
    }

    @Test("the policy allows exactly the report's style sheet and inlined images, and no script")
    func contentSecurityPolicy() {
        let policy = HTMLReport.contentSecurityPolicy
        #expect(policy.hasPrefix("default-src 'none'"))
        #expect(policy.contains("img-src data:"))
        #expect(!policy.contains("script-src") && !policy.contains("unsafe"))
        #expect(policy.contains("style-src 'sha256-"))
        let html = HTMLReport.render(AuditReport(audit: ReportSamples.completedAudit(), findings: [], screenshots: [], origin: "test"))
        #expect(html.contains("<style>\(ReportStyle.css)</style>"), "the hashed sheet is the one in the page, byte for byte")
        #expect(!html.contains("<script"))
        #expect(html.contains("No dark patterns were found."))
    }

    @Test("hostile texts are escaped everywhere, and a javascript: URL is shown but never linked")
    func hostileTexts() {
        let attack = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">'\"&"
        let audit = ReportSamples.completedAudit(url: "javascript:alert(1)//" + attack, narrative: "Narrative " + attack)
        let finding = Finding(patternType: .confirmshaming, severity: .medium, confidence: 0.8, evidence: attack, location: "a.decline " + attack,
                              box: FindingBox(screenshotIndex: 0, x: 1, y: 2, width: 3, height: 4))
        let shot = AuditReport.Screenshot(index: 0, label: "\"><script>alert(1)</script>", contentType: .png, image: ReportSamples.pngHeader(width: 10, height: 10))
        let html = HTMLReport.render(AuditReport(audit: audit, findings: [finding], screenshots: [shot], origin: attack))
        #expect(!html.contains("<script"), "no script element survives")
        #expect(!html.contains("<img src=x"), "no element from the page's text")
        #expect(!html.contains("onerror=\""), "no attribute from the page's text")
        #expect(!html.contains("href=\"javascript:"), "a javascript: URL is never a link")
        #expect(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;&#39;&quot;&amp;"))
        #expect(HTMLEscaping.escape("a\u{0}b\u{7}c\td\ne") == "abc\td\ne", "control characters are dropped")
    }

    @Test("an audit without a verdict says so; a report with no screenshots says why a finding is not outlined")
    func pendingAndBoxless() {
        var audit = ReportSamples.completedAudit()
        audit.status = .error
        audit.trustScore = nil
        audit.riskLevel = nil
        audit.errorMessage = "fetch failed: connection refused"
        let html = HTMLReport.render(AuditReport(
            audit: audit, findings: [Finding(patternType: .lowStock, severity: .low, confidence: 0.5, evidence: "Only 2 left")], screenshots: [], origin: "test"))
        #expect(html.contains("No verdict: the audit is error. fetch failed: connection refused"))
        #expect(html.contains("Not on a screenshot: this audit has none."))
        #expect(!html.contains("id=\"screenshots\""))
    }

    @Test("image sizes come from PNG and JPEG headers; a damaged or unknown header gives none")
    func imageSizes() {
        #expect(ImageSize(ReportSamples.pngHeader(width: 1280, height: 6000), contentType: .png) == ImageSize(width: 1280, height: 6000))
        #expect(ImageSize(ReportSamples.pngHeader(width: 0, height: 10), contentType: .png) == nil)
        #expect(ImageSize(Data("not a png at all, not at all".utf8), contentType: .png) == nil)
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 600 and width 800.
        var jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array(repeating: 0, count: 14)
        jpeg += [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03] + Array(repeating: 0, count: 12)
        #expect(ImageSize(Data(jpeg), contentType: .jpeg) == ImageSize(width: 800, height: 600))
        #expect(ImageSize(Data([0xFF, 0xD8, 0xFF]), contentType: .jpeg) == nil)
        #expect(ImageSize(ReportSamples.pngHeader(width: 5, height: 5), contentType: .webp) == nil)
    }
}
