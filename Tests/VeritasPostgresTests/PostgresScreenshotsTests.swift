import Foundation
import Testing
import VeritasPostgres
import VeritasProtocol
import VeritasStore
import VeritasTestSupport

@Suite("PostgreSQL: screenshot images", .timeLimit(.minutes(2)))
struct PostgresScreenshotsTests {
    @Test("an image is kept once by its sha256, read back whole, and removed only when no screenshot shows it")
    func contentAddressed() async throws {
        try await withImages { store, images, database in
            let png = SampleImages.minimalPNG
            let payload = ScreenshotEventPayload(index: 0, label: "viewport", contentType: .png, byteCount: png.count)
            let audits = [AuditID.generate(), AuditID.generate()]
            var infos: [ScreenshotInfo] = []
            for id in audits {
                try await store.enqueue(Audit(id: id, url: "https://example.com/", tier: .standard, verdictMode: .simple, createdAt: .now))
                let info = try await images.save(auditID: id, payload: payload, bytes: png, timestamp: .now)
                #expect(info.sha256 == ScreenshotCheck.sha256(png))
                #expect(info.filePath == "screenshot_images/\(info.sha256).png")
                #expect(info.fileSizeBytes == png.count)
                _ = try await store.apply([StoredEvent(id: .generate(), auditID: id, seq: 1, timestamp: .now, runnerID: try RunnerID("r"), change: .screenshot(info))])
                infos.append(info)
            }
            #expect(try database.psql("SELECT count(*) FROM screenshot_images").trimmingCharacters(in: .whitespacesAndNewlines) == "1",
                    "the same image twice is stored once")
            #expect(try await images.read(infos[1]) == png)

            // The first audit's row is replaced by another image: the shared one stays for the second.
            await images.remove(infos[0])
            #expect(try await images.read(infos[1]) == png, "still shown by the second audit's screenshot")
            _ = try await store.apply([StoredEvent(id: .generate(), auditID: audits[1], seq: 2, timestamp: .now, runnerID: try RunnerID("r"),
                                                   change: .screenshot(ScreenshotInfo(auditID: audits[1], index: 0, label: "viewport", contentType: .png,
                                                                                      fileSizeBytes: 1, sha256: String(repeating: "a", count: 64),
                                                                                      filePath: "screenshot_images/\(String(repeating: "a", count: 64)).png", createdAt: .now)))])
            _ = try await store.apply([StoredEvent(id: .generate(), auditID: audits[0], seq: 2, timestamp: .now, runnerID: try RunnerID("r"),
                                                   change: .screenshot(ScreenshotInfo(auditID: audits[0], index: 0, label: "viewport", contentType: .png,
                                                                                      fileSizeBytes: 1, sha256: String(repeating: "b", count: 64),
                                                                                      filePath: "screenshot_images/\(String(repeating: "b", count: 64)).png", createdAt: .now)))])
            await images.remove(infos[1])
            let missing = await #expect(throws: ScreenshotFailure.self) { try await images.read(infos[1]) }
            #expect(missing?.error.code == .notFound)
        }
    }

    @Test("bad images are refused before anything is stored, as the file store refuses them")
    func refusesBadImages() async throws {
        try await withImages { _, images, database in
            let png = SampleImages.minimalPNG
            let id = AuditID.generate()
            let cases: [(ScreenshotEventPayload, Data, ErrorCode)] = [
                (ScreenshotEventPayload(index: 0, label: "x", contentType: .png, byteCount: 0), Data(), .badRequest),
                (ScreenshotEventPayload(index: 0, label: "x", contentType: .jpeg, byteCount: png.count), png, .badRequest),
                (ScreenshotEventPayload(index: 0, label: "x", contentType: .png, byteCount: 9), Data("not a png".utf8), .badRequest),
                (ScreenshotEventPayload(index: 0, label: "x", contentType: .png, byteCount: png.count, sha256: String(repeating: "0", count: 64)), png, .badRequest),
            ]
            for (payload, bytes, code) in cases {
                let error = await #expect(throws: ScreenshotFailure.self) { try await images.save(auditID: id, payload: payload, bytes: bytes, timestamp: .now) }
                #expect(error?.error.code == code)
            }
            let tooLarge = PostgresScreenshots(store: images.store, maxBytes: png.count - 1)
            let error = await #expect(throws: ScreenshotFailure.self) {
                try await tooLarge.save(auditID: id, payload: ScreenshotEventPayload(index: 0, label: "x", contentType: .png, byteCount: png.count), bytes: png, timestamp: .now)
            }
            #expect(error?.error.code == .tooLarge)
            let stored = try database.psql("SELECT count(*) FROM screenshot_images")
            #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "nothing refused was stored")
        }
    }

    @Test("a record whose path is not one of this store's keys is never read", arguments: [
        "screenshots/x/20261126T150843123Z-0.png", "screenshot_images/../../etc/passwd", "screenshot_images/", "/etc/passwd",
    ])
    func hostilePaths(path: String) async throws {
        try await withImages { _, images, _ in
            let info = ScreenshotInfo(auditID: .generate(), index: 0, label: "x", contentType: .png, fileSizeBytes: 1,
                                      sha256: String(repeating: "c", count: 64), filePath: path, createdAt: .now)
            let error = await #expect(throws: ScreenshotFailure.self) { try await images.read(info) }
            #expect(error?.error.code == .internal)
        }
    }

    @Test("the write probe commits and leaves nothing behind")
    func probe() async throws {
        try await withImages { _, images, database in
            try await images.verifyWritable()
            #expect(try database.psql("SELECT count(*) FROM screenshot_images").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            #expect(images.removeLeftovers() == 0)
        }
    }

    private func withImages(_ body: (PostgresAuditStore, PostgresScreenshots, TestDatabase) async throws -> Void) async throws {
        let database = try await SharedPostgres.shared.freshDatabase()
        defer { database.drop() }
        let store = try await PostgresAuditStore.open(try PostgresSettings(url: database.url))
        defer { store.close() }
        try await body(store, PostgresScreenshots(store: store), database)
    }
}
