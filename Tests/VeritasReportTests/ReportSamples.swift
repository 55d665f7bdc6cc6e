import Foundation
import VeritasProtocol
import VeritasReport

/// Audits and images the report tests render.
enum ReportSamples {
    /// The header of a PNG of `width`×`height` (signature and IHDR): enough for ``ImageSize``;
    /// not an image a browser can draw.
    static func pngHeader(width: Int, height: Int) -> Data {
        func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8) + bigEndian(width) + bigEndian(height) + [8, 6, 0, 0, 0] + [0, 0, 0, 0]
        return Data(bytes)
    }

    static let securityResults: JSONValue = .object([
        "grade": "C", "score": 50, "penalties": 55, "bonuses": 5, "bonuses_applied": false,
        "final_url": "https://shop.example/sale",
        "rendered": true,
        "tests": .object([
            "content-security-policy": .object(["result": "csp-not-implemented", "pass": false, "modifier": -25, "reason": "no CSP header"]),
            "strict-transport-security": .object(["result": "hsts-implemented-max-age-at-least-six-months", "pass": true, "modifier": 0, "reason": "max-age 31536000"]),
            "x-frame-options": .object(["result": "x-frame-options-not-implemented", "pass": false, "modifier": -20, "reason": "no X-Frame-Options"]),
        ]),
    ])

    static func completedAudit(url: String = "https://shop.example/", narrative: String = "Several pressure tactics.\nThe timer restarts on every visit.") -> Audit {
        Audit(
            id: AuditID.generate(), url: url, tier: .standard, verdictMode: .expert, status: .completed, trustScore: 26, riskLevel: .critical,
            narrative: narrative, signalScores: ["dark_patterns": 10, "security": 50, "transparency": 70, "hygiene": 90], siteType: .shop,
            securityResults: securityResults, attempts: 1, createdAt: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000),
            startedAt: Timestamp(millisecondsSinceEpoch: 1_790_000_001_000), completedAt: Timestamp(millisecondsSinceEpoch: 1_790_000_009_000))
    }
}
