import Foundation
import PostgresNIO
import VeritasProtocol
import VeritasStore

/// The ``VeritasStore/ScreenshotStore`` of writers sharing a PostgreSQL database: every image in the
/// `screenshot_images` table, content-addressed by its sha256, so any writer on any host serves any
/// screenshot and no shared file system is needed.
///
/// An image is committed on its own before the event that records it (the event's batch commits
/// later); storing the same image again does nothing. A record's `file_path` is
/// `screenshot_images/<sha256>.<png|jpg|webp>`: the image's key in the table, not a file.
public struct PostgresScreenshots: ScreenshotStore {
    /// `screenshot_images`, the first part of every `file_path` this store makes.
    public static let pathPrefix = "screenshot_images/"

    /// The store whose database and connections the images share.
    public let store: PostgresAuditStore
    public let maxBytes: Int

    /// Keeps images in `store`'s database (its connection pool and schema).
    public init(store: PostgresAuditStore, maxBytes: Int = ProtocolLimits.maxScreenshotBytes) {
        self.store = store
        self.maxBytes = maxBytes
    }

    public func save(
        auditID: AuditID, payload: ScreenshotEventPayload, bytes: Data, timestamp: Timestamp
    ) async throws(ScreenshotFailure) -> ScreenshotInfo {
        let (format, digest) = try ScreenshotCheck.validate(payload, bytes: bytes, maxBytes: maxBytes)
        let info = located(ScreenshotInfo(
            auditID: auditID, index: payload.index, label: payload.label, contentType: format,
            fileSizeBytes: bytes.count, sha256: digest, filePath: "", createdAt: timestamp))
        try await store(bytes, for: info)
        return info
    }

    /// `screenshot_images/<sha256>.<ext>`: the image's key.
    public func located(_ info: ScreenshotInfo) -> ScreenshotInfo {
        var located = info
        located.filePath = "\(Self.pathPrefix)\(info.sha256.lowercased()).\(info.contentType.fileExtension)"
        return located
    }

    public func adopt(_ info: ScreenshotInfo, bytes: Data) async throws(ScreenshotFailure) -> ScreenshotInfo {
        try ScreenshotCheck.matches(info, bytes: bytes)
        let located = located(info)
        try await store(bytes, for: located)
        return located
    }

    /// Commits the image of a record this store named (nothing when it is there already).
    private func store(_ bytes: Data, for info: ScreenshotInfo) async throws(ScreenshotFailure) {
        let digest = info.sha256.lowercased()
        let format = info.contentType
        do {
            var binds = PostgresBindings(capacity: 5)
            binds.append(digest)
            binds.append(format.rawValue)
            binds.append(bytes.count)
            try binds.append(bytes)
            binds.append(Timestamp.now.description)
            _ = try await store.rows(PostgresQuery(unsafeSQL: """
                INSERT INTO screenshot_images (sha256, content_type, size_bytes, bytes, stored_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (sha256) DO NOTHING
                """, binds: binds))
        } catch {
            throw ScreenshotFailure(error: ProtocolError(.internal, "could not store the screenshot in the database: \(error)"))
        }
    }

    public func read(_ info: ScreenshotInfo) async throws(ScreenshotFailure) -> Data {
        guard let digest = Self.digest(of: info) else {
            throw ScreenshotFailure(error: ProtocolError(.internal, "stored screenshot path \(info.filePath) is not a screenshot_images key"))
        }
        let found: [PostgresRow]
        do {
            found = try await store.rows(query("SELECT bytes FROM screenshot_images WHERE sha256 = $1", .text(digest)))
        } catch {
            throw ScreenshotFailure(error: ProtocolError(.internal, "could not read the screenshot from the database: \(error)"))
        }
        guard let row = found.first, let bytes = try? row.decode(Data.self) else {
            throw ScreenshotFailure(error: ProtocolError(.notFound, "screenshot image \(digest) is missing from the database"))
        }
        return bytes
    }

    /// Deletes the image unless another screenshot row (of any audit) still shows it.
    public func remove(_ info: ScreenshotInfo) async {
        guard let digest = Self.digest(of: info) else { return }
        _ = try? await store.rows(query(
            "DELETE FROM screenshot_images WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM audit_screenshots WHERE sha256 = $1)",
            .text(digest)))
    }

    /// Stores and deletes a probe image as large as a typical screenshot, in one committed transaction.
    public func verifyWritable() async throws {
        let probe = Data(count: 256 * 1024)
        try await store.transaction { connection in
            var binds = PostgresBindings(capacity: 2)
            try binds.append(probe)
            binds.append(Timestamp.now.description)
            try await store.run(connection, PostgresQuery(unsafeSQL: """
                INSERT INTO screenshot_images (sha256, content_type, size_bytes, bytes, stored_at) VALUES ('write-probe', 'probe', 0, $1, $2)
                ON CONFLICT (sha256) DO UPDATE SET bytes = excluded.bytes, stored_at = excluded.stored_at
                """, binds: binds))
            try await store.run(connection, "DELETE FROM screenshot_images WHERE sha256 = 'write-probe'")
        }
    }

    /// Nothing is left half-written: an image is one committed row or none.
    public func removeLeftovers() -> Int { 0 }

    /// The sha256 a record of this store names: `screenshot_images/<64 hex>.<ext>`, matching its `sha256`.
    static func digest(of info: ScreenshotInfo) -> String? {
        guard info.filePath.hasPrefix(pathPrefix) else { return nil }
        let name = info.filePath.dropFirst(pathPrefix.count)
        guard let dot = name.firstIndex(of: ".") else { return nil }
        let digest = String(name[..<dot])
        guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), digest == info.sha256 else { return nil }
        return digest
    }
}
