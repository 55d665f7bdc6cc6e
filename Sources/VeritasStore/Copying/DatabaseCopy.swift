import Crypto
import Foundation
import VeritasProtocol

/// Copies a writer's audits from one database to the other and compares the two: the backfill and
/// the verification of a live migration between SQLite and PostgreSQL (DEPLOYMENT.md, "Moving from
/// SQLite to PostgreSQL").
///
/// - **Backfill** (``backfill(pageSize:limit:progress:)``) copies every audit whole (row,
///   findings, screenshot rows and images, applied event ids, job) in id order, a page at a time,
///   recording the last copied id in a checkpoint file after each page: stopped at any moment, it
///   resumes where it was. Copying an audit replaces whatever the destination held for it, so
///   running it again changes nothing that was right and repairs what was not. It runs while
///   writers mirror new events (``MirroredStore``).
/// - **Verification** (``verify()``) compares row counts and, audit by audit, a fingerprint of
///   everything stored (screenshot images by their sha256; their names differ by design).
///   ``repair(_:)`` copies the audits it found different again.
public struct DatabaseCopy: Sendable {
    public let source: any AuditCopying
    public let sourceImages: any ScreenshotStore
    public let destination: any AuditCopying
    public let destinationImages: any ScreenshotStore
    /// Where the backfill records the last audit it copied.
    public let checkpoint: URL

    public init(
        source: any AuditCopying, sourceImages: any ScreenshotStore, destination: any AuditCopying, destinationImages: any ScreenshotStore,
        checkpoint: URL
    ) {
        self.source = source
        self.sourceImages = sourceImages
        self.destination = destination
        self.destinationImages = destinationImages
        self.checkpoint = checkpoint
    }

    /// What a backfill did.
    public struct BackfillReport: Sendable, Equatable {
        /// Audits copied by this run.
        public var copied = 0
        /// Screenshot images copied by this run.
        public var images = 0
        /// Audits that could not be copied, with why (an image missing from the source, say).
        public var failed: [AuditID: String] = [:]
        /// Whether every audit after the checkpoint was reached (false when `limit` stopped it).
        public var finished = false
    }

    /// Copies the audits after the checkpoint, at most `limit` of them (all when `nil`).
    public func backfill(pageSize: Int = 100, limit: Int? = nil, progress: (BackfillReport) -> Void = { _ in }) async throws -> BackfillReport {
        var report = BackfillReport()
        var after = try readCheckpoint()
        while true {
            let room = limit.map { $0 - report.copied - report.failed.count } ?? pageSize
            guard room > 0 else { return report }
            let page = try await source.auditIDs(after: after, limit: min(pageSize, room))
            if page.isEmpty {
                report.finished = true
                return report
            }
            for id in page {
                do {
                    report.images += try await copy(id)
                    report.copied += 1
                } catch {
                    report.failed[id] = "\(error)"
                }
            }
            after = page.last
            try writeCheckpoint(after)
            progress(report)
        }
    }

    /// Copies one audit whole; returns how many images it copied. An audit the source no longer
    /// holds is left alone.
    @discardableResult
    public func copy(_ id: AuditID) async throws -> Int {
        guard var record = try await source.record(of: id) else { return 0 }
        var screenshots: [ScreenshotInfo] = []
        for info in record.snapshot.screenshots {
            let bytes = try await sourceImages.read(info)
            screenshots.append(try await destinationImages.adopt(info, bytes: bytes))
        }
        record.snapshot.screenshots = screenshots
        try await destination.replace(with: record)
        return screenshots.count
    }

    /// How the two databases compare.
    public struct VerificationReport: Sendable, Equatable {
        public var sourceCounts: TableCounts
        public var destinationCounts: TableCounts
        /// Audits the destination lacks.
        public var missing: [AuditID] = []
        /// Audits the destination holds differently (fields, findings, screenshots, event ids, job).
        public var different: [AuditID] = []
        /// Audits only the destination holds.
        public var extra: [AuditID] = []
        /// Audits compared.
        public var compared = 0

        /// Whether the destination holds exactly what the source holds.
        public var identical: Bool { missing.isEmpty && different.isEmpty && extra.isEmpty && sourceCounts == destinationCounts }
    }

    /// Compares every audit of both databases.
    public func verify(pageSize: Int = 200) async throws -> VerificationReport {
        var report = VerificationReport(sourceCounts: try await source.tableCounts(), destinationCounts: try await destination.tableCounts())
        var after: AuditID?
        var seen = Set<AuditID>()
        while true {
            let page = try await source.auditIDs(after: after, limit: pageSize)
            guard let last = page.last else { break }
            for id in page {
                seen.insert(id)
                report.compared += 1
                let here = try await source.record(of: id)
                guard let there = try await destination.record(of: id) else {
                    if here != nil { report.missing.append(id) }
                    continue
                }
                if here.map(Self.fingerprint) != Self.fingerprint(there) { report.different.append(id) }
            }
            after = last
        }
        after = nil
        while true {
            let page = try await destination.auditIDs(after: after, limit: pageSize)
            guard let last = page.last else { break }
            report.extra += page.filter { !seen.contains($0) }
            after = last
        }
        return report
    }

    /// Copies again every audit the report found missing or different; returns how many.
    public func repair(_ report: VerificationReport) async throws -> Int {
        for id in report.missing + report.different { try await copy(id) }
        return report.missing.count + report.different.count
    }

    /// A digest of everything stored about an audit, except the screenshots' `file_path` (each
    /// database names images its own way; the sha256 says they are the same image), when each
    /// database applied an event (`applied_at`: a mirror applies it a moment later) and a claimed
    /// job's `lease_until` (renewed every quarter second while its runner lives, a moment apart in
    /// the two databases).
    static func fingerprint(_ record: AuditRecord) -> String {
        var lines: [String] = []
        let id = record.snapshot.audit.id
        lines.append(AuditRow.values(record.snapshot.audit).map(\.canonical).joined(separator: "|"))
        for (ordinal, finding) in record.snapshot.findings.enumerated() {
            lines.append("f|" + FindingRow.values(finding, of: id, ordinal: ordinal).map(\.canonical).joined(separator: "|"))
        }
        for info in record.snapshot.screenshots {
            var named = info
            named.filePath = ""
            lines.append("s|" + ScreenshotRow.values(named, of: id).map(\.canonical).joined(separator: "|"))
        }
        for var event in record.events.sorted(by: { $0.eventID < $1.eventID }) {
            event.appliedAt = ""
            lines.append("e|" + ProcessedEventRow.values(event, of: id).map(\.canonical).joined(separator: "|"))
        }
        if var job = record.job {
            job.leaseUntil = nil
            lines.append("j|" + JobRow.values(job, of: id).map(\.canonical).joined(separator: "|"))
        }
        return SHA256.hash(data: Data(lines.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func readCheckpoint() throws -> AuditID? {
        guard let text = try? String(contentsOf: checkpoint, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : try AuditID(trimmed)
    }

    private func writeCheckpoint(_ id: AuditID?) throws {
        try FileManager.default.createDirectory(at: checkpoint.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((id?.rawValue ?? "").utf8).write(to: checkpoint, options: .atomic)
    }
}

extension ColumnValue {
    /// The value as text that tells kinds apart (`NULL` is not the text "NULL"); numbers as the
    /// databases return them (a REAL column gives back the double it was given).
    var canonical: String {
        switch self {
        case .text(let text): "t:" + text
        case .integer(let number): "i:\(number)"
        case .real(let number): "r:\(number)"
        case .null: "null"
        }
    }
}
