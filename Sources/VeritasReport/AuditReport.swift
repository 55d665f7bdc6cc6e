import Foundation
import VeritasProtocol

/// Everything one audit's report shows: the audit (request, lifecycle and verdict), its findings
/// and its screenshots' images.
///
/// Built from a writer's replies (`veritas report`, the console) or from an audit made in process
/// (`veritas analyze --html`); ``HTMLReport`` turns it into one self-contained page.
public struct AuditReport: Sendable {
    /// One screenshot with its image.
    public struct Screenshot: Sendable {
        public var index: Int
        public var label: String
        public var contentType: ImageContentType
        public var image: Data

        public init(index: Int, label: String, contentType: ImageContentType, image: Data) {
            self.index = index
            self.label = label
            self.contentType = contentType
            self.image = image
        }
    }

    public var audit: Audit
    public var findings: [Finding]
    public var screenshots: [Screenshot]
    /// Where the report's data came from, shown in its footer ("writer tcp://127.0.0.1:5557",
    /// "veritas analyze, in process").
    public var origin: String
    public var generatedAt: Timestamp

    public init(audit: Audit, findings: [Finding], screenshots: [Screenshot], origin: String, generatedAt: Timestamp = .now) {
        self.audit = audit
        self.findings = findings
        self.screenshots = screenshots.sorted { $0.index < $1.index }
        self.origin = origin
        self.generatedAt = generatedAt
    }

    /// A report of an audit made in this process (no writer: no queue, no runner), from its
    /// `audit.completed` payload.
    public init(
        analysedURL url: String, tier: Tier, verdictMode: VerdictMode, payload: CompletedEventPayload, screenshots: [Screenshot],
        startedAt: Timestamp, completedAt: Timestamp, origin: String
    ) {
        let audit = Audit(
            id: .generate(), url: url, tier: tier, verdictMode: verdictMode, status: .completed, trustScore: payload.trustScore,
            riskLevel: payload.riskLevel, narrative: payload.narrative, signalScores: payload.signalScores, siteType: payload.siteType,
            securityResults: payload.securityResults, attempts: 1, createdAt: startedAt, startedAt: startedAt, completedAt: completedAt)
        self.init(audit: audit, findings: payload.darkPatternSummary.findings, screenshots: screenshots, origin: origin, generatedAt: completedAt)
    }
}
