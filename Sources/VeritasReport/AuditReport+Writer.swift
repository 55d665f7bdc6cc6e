import Crypto
import Foundation
import VeritasClient
import VeritasProtocol

extension AuditReport {
    /// Everything one audit's report shows, read from one writer (`status`, `findings`,
    /// `screenshots`, then each `screenshot`); every image is checked against the SHA-256 the
    /// writer stored for it, and a mismatch is a ``ClientError/Code/badReply``.
    public static func fetch(_ auditID: AuditID, from client: WriterClient, origin: String) async throws(ClientError) -> AuditReport {
        let audit = try await client.status(auditID)
        let findings = try await client.findings(auditID).findings
        var screenshots: [Screenshot] = []
        for listed in try await client.screenshots(auditID).screenshots {
            let (info, image) = try await client.screenshot(auditID, index: listed.index)
            let digest = SHA256.hash(data: image).map { String(format: "%02x", $0) }.joined()
            guard digest == info.sha256 else {
                throw ClientError(.badReply, "screenshot \(info.index): sha256 \(digest) does not match the writer's \(info.sha256)", endpoint: client.endpoint)
            }
            screenshots.append(Screenshot(index: info.index, label: info.label, contentType: info.contentType, image: image))
        }
        return AuditReport(audit: audit, findings: findings, screenshots: screenshots, origin: origin)
    }
}
