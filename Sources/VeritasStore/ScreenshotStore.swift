import Crypto
import Foundation
import VeritasProtocol

/// Where a writer keeps screenshot images: ``ScreenshotFiles`` beside a SQLite database, or the
/// PostgreSQL store's content-addressed table when writers on several hosts must all serve every
/// image. The row describing each screenshot (``ScreenshotInfo``) lives in the audit store either way.
///
/// An image is saved before the event that records it is committed, and a replaced one is removed
/// only after the commit that replaced it: a crash in between leaves an unreferenced image, never
/// a row without its image.
public protocol ScreenshotStore: Sendable {
    /// The largest image accepted.
    var maxBytes: Int { get }

    /// Checks the image of a screenshot event (``ScreenshotCheck``) and stores it durably;
    /// returns the record to commit. Saving the same event again stores nothing new.
    func save(auditID: AuditID, payload: ScreenshotEventPayload, bytes: Data, timestamp: Timestamp) async throws(ScreenshotFailure) -> ScreenshotInfo

    /// The bytes of a stored screenshot; only records this store produced are read.
    func read(_ info: ScreenshotInfo) async throws(ScreenshotFailure) -> Data

    /// Deletes the image of a record a newer screenshot with the same index replaced. Missing is
    /// not an error.
    func remove(_ info: ScreenshotInfo) async

    /// Writes and deletes a probe as large as a typical screenshot, to prove images can be stored
    /// now (a disk that was full has room again).
    func verifyWritable() async throws

    /// `info` as this store names its image (its `file_path`); the rest of the record is the same.
    /// What a copy between databases rewrites screenshot rows with.
    func located(_ info: ScreenshotInfo) -> ScreenshotInfo

    /// Keeps `bytes` as the image of `info`, a record another store made, and returns the record as
    /// this store names it (``located(_:)``). The bytes must be the image the record describes
    /// (its sha256). Adopting the same image again stores nothing new.
    func adopt(_ info: ScreenshotInfo, bytes: Data) async throws(ScreenshotFailure) -> ScreenshotInfo

    /// Clears what a crash mid-write left behind; called once at start-up. Returns how many went.
    @discardableResult
    func removeLeftovers() -> Int
}

/// Why a screenshot was refused or could not be read.
public struct ScreenshotFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The wire error it maps to (`bad_request`, `too_large`, `not_found` or `internal`).
    public let error: ProtocolError
    public init(error: ProtocolError) { self.error = error }
    public var description: String { error.description }
}

/// The checks every screenshot store makes before it keeps an image.
public enum ScreenshotCheck {
    /// Refuses an empty or oversized image, bytes that are not a whole PNG, JPEG or WebP image,
    /// a format other than the declared one, and a declared sha256 that does not match.
    /// - Returns: the detected format and the image's sha256 (lowercase hex).
    public static func validate(
        _ payload: ScreenshotEventPayload, bytes: Data, maxBytes: Int
    ) throws(ScreenshotFailure) -> (format: ImageContentType, sha256: String) {
        guard !bytes.isEmpty else { throw ScreenshotFailure(error: .badRequest("screenshot image is empty")) }
        guard bytes.count <= maxBytes else {
            throw ScreenshotFailure(error: .tooLarge("screenshot is \(bytes.count) bytes; the limit is \(maxBytes)"))
        }
        guard let detected = bytes.withUnsafeBytes({ ImageFormat.detect($0) }) else {
            throw ScreenshotFailure(error: .badRequest("screenshot bytes are not a whole PNG, JPEG or WebP image"))
        }
        guard detected == payload.contentType else {
            throw ScreenshotFailure(error: .badRequest("screenshot declared \(payload.contentType.rawValue) but the bytes are \(detected.rawValue)"))
        }
        let digest = sha256(bytes)
        if let declared = payload.sha256, declared.lowercased() != digest {
            throw ScreenshotFailure(error: .badRequest("screenshot sha256 mismatch: declared \(declared), computed \(digest)"))
        }
        return (detected, digest)
    }

    /// Refuses bytes that are not the image `info` describes (another image, or a damaged copy).
    public static func matches(_ info: ScreenshotInfo, bytes: Data) throws(ScreenshotFailure) {
        let digest = sha256(bytes)
        guard digest == info.sha256.lowercased(), bytes.count == info.fileSizeBytes else {
            throw ScreenshotFailure(error: ProtocolError(.internal,
                "screenshot \(info.index) of audit \(info.auditID): the bytes (sha256 \(digest), \(bytes.count) bytes) are not the recorded image (sha256 \(info.sha256), \(info.fileSizeBytes) bytes)"))
        }
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
