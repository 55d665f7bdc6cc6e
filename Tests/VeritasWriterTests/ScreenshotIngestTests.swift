import Crypto
import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// `audit.screenshot`: the image is checked, saved atomically under
/// `<data>/screenshots/<audit_id>/`, recorded with its size and sha256, and never written
/// anywhere else whatever the ids and labels say.
@Suite("Screenshot ingest", .timeLimit(.minutes(1)))
struct ScreenshotIngestTests {
    private static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    private static func png(filler size: Int, seed: UInt64) -> Data {
        Samples.png(filler: size, seed: seed)
    }

    /// The files in `<data>/screenshots/<id>/`.
    private static func files(of id: String, in writer: WriterHarness) -> [String] {
        fileTree(writer.dataDirectory.appendingPathComponent("screenshots/\(id)", isDirectory: true))
    }

    /// A writer with a runner working on a fresh audit (started and acknowledged).
    private static func withRunningAudit(
        _ body: (TestBed, WriterHarness, QueryClient, FakeRunner, AuditJob) async throws -> Void
    ) async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-shots")
            _ = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])
            try await body(bed, writer, client, runner, job)
        }
    }

    @Test("the file lands under screenshots/<audit_id>/ with the recorded size and sha256")
    func savedWithSizeAndDigest() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            let image = Self.png(filler: 20_000, seed: 7)
            let event = runner.event(job.auditID, seq: 2, .screenshot(index: 3, label: "full page", contentType: .png, image: image, sha256: Self.sha256(image)))
            try await runner.sendAndAwaitAcks([event])

            let list = try await client.screenshots(job.auditID)
            let info = try #require(list.screenshots.first)
            #expect(list.screenshots.count == 1)
            #expect(info.index == 3)
            #expect(info.label == "full page")
            #expect(info.contentType == .png)
            #expect(info.fileSizeBytes == image.count)
            #expect(info.sha256 == Self.sha256(image))
            #expect(info.filePath.hasPrefix("screenshots/\(job.auditID)/"))
            #expect(info.filePath.hasSuffix("-3.png"))

            let names = Self.files(of: job.auditID.rawValue, in: writer)
            #expect(names.count == 1)
            let name = try #require(names.first)
            #expect(name.hasSuffix(".png"))
            #expect(info.filePath == "screenshots/\(job.auditID)/\(name)")
            let file = writer.dataDirectory.appendingPathComponent(info.filePath)
            let stored = try Data(contentsOf: file)
            #expect(stored.count == image.count)
            #expect(Self.sha256(stored) == info.sha256)
            #expect(stored == image)

            // The database row says the same.
            let path = writer.databasePath
            #expect(try DatabaseProbe.text(path, "SELECT sha256 FROM audit_screenshots WHERE audit_id = ?", [job.auditID.rawValue]) == info.sha256)
            #expect(try DatabaseProbe.text(path, "SELECT CAST(file_size_bytes AS TEXT) FROM audit_screenshots WHERE audit_id = ?", [job.auditID.rawValue]) == "\(image.count)")
            #expect(try DatabaseProbe.text(path, "SELECT file_path FROM audit_screenshots WHERE audit_id = ?", [job.auditID.rawValue]) == info.filePath)

            // And the screenshot query returns the bytes.
            let (reply, bytes) = try await client.request(#"{"op":"screenshot","audit_id":"\#(job.auditID)","index":3}"#)
            guard case .screenshot = reply.reply else { Issue.record("screenshot failed: \(reply)"); return }
            #expect(bytes == image)
        }
    }

    @Test("a corrupt image behind a PNG signature is rejected and no file is written")
    func corruptPNGRejected() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            var generator = SeededGenerator(seed: 42)
            var garbage = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            garbage += Data((0..<500).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let event = runner.event(job.auditID, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: garbage))
            try await runner.send(.event(event))
            let error = try await runner.awaitReject(of: event.eventID)
            #expect(error.code == .badRequest)
            #expect(runner.ackCount(event.eventID) == 0)
            #expect(Self.files(of: job.auditID.rawValue, in: writer).isEmpty)
            #expect(try await client.screenshots(job.auditID).screenshots.isEmpty)
            #expect(try DatabaseProbe.count(writer.databasePath, "audit_screenshots") == 0)
        }
    }

    @Test("JPEG bytes declared as PNG are rejected; a wrong declared sha256 too")
    func contentTypeMismatchRejected() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            let mismatch = runner.event(job.auditID, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.jpeg))
            try await runner.send(.event(mismatch))
            let error = try await runner.awaitReject(of: mismatch.eventID)
            #expect(error.code == .badRequest)
            #expect(error.message.contains("image/jpeg"))

            let wrongDigest = runner.event(job.auditID, seq: 3, .screenshot(
                index: 1, label: "viewport", contentType: .png, image: Samples.png, sha256: String(repeating: "0", count: 64)))
            try await runner.send(.event(wrongDigest))
            #expect(try await runner.awaitReject(of: wrongDigest.eventID).code == .badRequest)

            #expect(Self.files(of: job.auditID.rawValue, in: writer).isEmpty)
            #expect(try await client.screenshots(job.auditID).screenshots.isEmpty)

            // The same JPEG declared honestly is fine.
            try await runner.sendAndAwaitAcks([runner.event(job.auditID, seq: 4, .screenshot(index: 0, label: "viewport", contentType: .jpeg, image: Samples.jpeg))])
            let names = Self.files(of: job.auditID.rawValue, in: writer)
            #expect(names.count == 1 && names[0].hasSuffix(".jpg"), "files: \(names)")
        }
    }

    @Test("a hostile audit id or label never writes outside <data>/screenshots")
    func hostileIDsStayInside() async throws {
        try await TestBed.run { bed in
            // Nest the data folder so that "../../etc" from screenshots/ would still land in the bed.
            let data = bed.root.appendingPathComponent("a/b/data", isDirectory: true)
            let writer = try await bed.startWriter(dataDirectory: data)
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-hostile")
            try await runner.connect()
            let before = fileTree(bed.root)

            let template = runner.event(AuditID.generate(), seq: 1, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png))
            for hostile in ["../../etc", "../../../../../../tmp/pwned", "/etc/passwd", "..%2F..%2Fetc", "0192f7a4-3b1c-7d2e-8f00-0123456789ab/../../x", ".", ""] {
                let eventID = EventID.generate()
                var header = template.headerJSON
                header["event_id"] = .string(eventID.rawValue)
                header["audit_id"] = .string(hostile)
                try await runner.sendRaw([JSONValue.frame(header), Samples.png])
                let error = try await runner.awaitReject(of: eventID)
                #expect(error.code == .badRequest, "audit_id \(hostile)")
                #expect(runner.ackCount(eventID) == 0)
            }
            #expect(fileTree(bed.root) == before, "files appeared outside the screenshot folder")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))

            // A hostile label is just text: the file goes under screenshots/<id>/ all the same.
            let id = try await seedHandedOutAudit(databasePath: writer.databasePath)
            let labelled = runner.event(id, seq: 1, .screenshot(index: 0, label: "../../../../etc/passwd", contentType: .png, image: Samples.png))
            try await runner.sendAndAwaitAcks([labelled])
            let added = Set(fileTree(bed.root)).subtracting(before)
            #expect(added.count == 1)
            #expect(added.allSatisfy { $0.hasPrefix("a/b/data/screenshots/\(id)/") && !$0.contains("passwd") }, "added: \(added)")
            let info = try #require(try await client.screenshots(id).screenshots.first)
            #expect(info.label == "../../../../etc/passwd")
            #expect(info.filePath.hasPrefix("screenshots/\(id)/"))
        }
    }

    @Test("a duplicate event id with different image bytes does not change the stored screenshot")
    func duplicateWithDifferentBytes() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            let timestamp = Timestamp.now
            let original = Self.png(filler: 100, seed: 1)
            let event = AuditEvent(eventID: .generate(), auditID: job.auditID, seq: 2, timestamp: timestamp, runnerID: runner.runnerID,
                                   payload: .screenshot(index: 0, label: "viewport", contentType: .png, image: original))
            try await runner.sendAndAwaitAcks([event])
            let info = try #require(try await client.screenshots(job.auditID).screenshots.first)

            // A buggy runner resends the event id with other bytes (a re-rendered screenshot).
            var tampered = event
            tampered.payload = .screenshot(index: 0, label: "viewport", contentType: .png, image: Self.png(filler: 200, seed: 2))
            try await runner.send(.event(tampered))
            try await runner.awaitAcks([event.eventID], times: 2)

            #expect(try await client.screenshots(job.auditID).screenshots.first == info, "a duplicate must change nothing")
            let frames = try await client.roundTrip([Data(#"{"op":"screenshot","audit_id":"\#(job.auditID)","index":0}"#.utf8)])
            #expect(frames.count == 2)
            #expect(frames.last == original, "the acknowledged screenshot was overwritten by a duplicate")
            let stored = try Data(contentsOf: writer.dataDirectory.appendingPathComponent(info.filePath))
            #expect(Self.sha256(stored) == info.sha256, "the file no longer matches its recorded sha256")
        }
    }

    @Test("a later screenshot with the same index replaces the earlier one: one row and one file")
    func sameIndexReplaces() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            let first = runner.event(job.auditID, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Self.png(filler: 10, seed: 3)),
                                     timestamp: Timestamp.now.adding(milliseconds: -1_000))
            try await runner.sendAndAwaitAcks([first])
            // e.g. a second attempt of the audit on another runner.
            let second = runner.event(job.auditID, seq: 1, .screenshot(index: 0, label: "viewport", contentType: .png, image: Self.png(filler: 20, seed: 4)))
            try await runner.sendAndAwaitAcks([second])

            let list = try await client.screenshots(job.auditID).screenshots
            #expect(list.count == 1)
            #expect(list.first?.fileSizeBytes == Self.png(filler: 20, seed: 4).count)
            #expect(try DatabaseProbe.count(writer.databasePath, "audit_screenshots", where: "audit_id = ?", [job.auditID.rawValue]) == 1)
            let files = Self.files(of: job.auditID.rawValue, in: writer)
            #expect(files.count == 1, "the replaced screenshot's file is left behind: \(files)")
        }
    }

    @Test("a screenshot whose file was removed answers not_found; the rest still answers")
    func missingFile() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            try await runner.sendAndAwaitAcks([runner.event(job.auditID, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png))])
            let info = try #require(try await client.screenshots(job.auditID).screenshots.first)
            try FileManager.default.removeItem(at: writer.dataDirectory.appendingPathComponent(info.filePath))
            let error = try await client.error(for: #"{"op":"screenshot","audit_id":"\#(job.auditID)","index":0}"#)
            #expect(error.code == .notFound)
            #expect(try await client.screenshots(job.auditID).screenshots.count == 1)
            #expect(try await client.health().status == .ok)
        }
    }

    @Test("a resent screenshot event rewrites the same file: one file, one row")
    func resendRewritesSameFile() async throws {
        try await Self.withRunningAudit { _, writer, client, runner, job in
            let event = runner.event(job.auditID, seq: 2, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png))
            try await runner.sendAndAwaitAcks([event])
            let first = Self.files(of: job.auditID.rawValue, in: writer)
            #expect(first.count == 1)

            try await runner.send(.event(event))
            try await runner.awaitAcks([event.eventID], times: 2)
            try await runner.send(.event(event))
            try await runner.awaitAcks([event.eventID], times: 3)

            let after = Self.files(of: job.auditID.rawValue, in: writer)
            #expect(after == first, "no second file and no leftover temporary")
            // fileTree lists hidden temporaries too.
            #expect(!after.contains { $0.hasSuffix(".tmp") })
            #expect(try DatabaseProbe.count(writer.databasePath, "audit_screenshots", where: "audit_id = ?", [job.auditID.rawValue]) == 1)
            #expect(try await client.screenshots(job.auditID).screenshots.count == 1)
        }
    }
}
