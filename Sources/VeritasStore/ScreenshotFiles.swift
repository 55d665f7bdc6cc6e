import Foundation
import VeritasProtocol

/// The ``ScreenshotStore`` of a writer whose database is SQLite (or memory only): files under
/// `<data>/screenshots/<audit_id>/`, on the same disk as the database.
///
/// - **Never outside the root.** The folder name is an ``AuditID`` (canonical UUID text, so no
///   `/` or `..` can appear) and the file name is built from the event's timestamp and the
///   screenshot index; the label never touches a path. Every path is checked to lie under the
///   root anyway, and reads accept only paths this type produced.
/// - **Atomic and durable.** Bytes go to a temporary file that is fsynced, renamed into place,
///   and the folder fsynced, so a crash leaves either the whole file or none (a stray temporary
///   at worst, which ``removeLeftovers()`` clears at start-up).
/// - **Idempotent.** The name comes from the event (timestamp + index), so a resent event
///   rewrites the same file instead of adding one.
/// - **Checked** by ``ScreenshotCheck``: format, declared sha256, size.
public struct ScreenshotFiles: ScreenshotStore {
    /// The data folder; stored file paths are relative to it.
    public let dataDirectory: URL
    /// `<data>/screenshots`.
    public let root: URL
    /// The largest screenshot accepted.
    public let maxBytes: Int

    public init(dataDirectory: URL, maxBytes: Int = ProtocolLimits.maxScreenshotBytes) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.root = self.dataDirectory.appendingPathComponent(ProtocolDefaults.screenshotsDirectory, isDirectory: true)
        self.maxBytes = maxBytes
    }

    /// Validates and saves the image of a screenshot event; returns its record.
    public func save(
        auditID: AuditID, payload: ScreenshotEventPayload, bytes: Data, timestamp: Timestamp
    ) throws(ScreenshotFailure) -> ScreenshotInfo {
        let (detected, digest) = try ScreenshotCheck.validate(payload, bytes: bytes, maxBytes: maxBytes)
        let info = located(ScreenshotInfo(
            auditID: auditID, index: payload.index, label: payload.label, contentType: detected,
            fileSizeBytes: bytes.count, sha256: digest, filePath: "", createdAt: timestamp))
        try writeImage(bytes, for: info)
        return info
    }

    /// `screenshots/<audit_id>/<event time>-<index>.<ext>`: named by the event, so a resend
    /// rewrites the same file.
    public func located(_ info: ScreenshotInfo) -> ScreenshotInfo {
        var located = info
        located.filePath = "\(ProtocolDefaults.screenshotsDirectory)/\(info.auditID)/\(Self.compact(info.createdAt))-\(info.index).\(info.contentType.fileExtension)"
        return located
    }

    public func adopt(_ info: ScreenshotInfo, bytes: Data) throws(ScreenshotFailure) -> ScreenshotInfo {
        try ScreenshotCheck.matches(info, bytes: bytes)
        let located = located(info)
        try writeImage(bytes, for: located)
        return located
    }

    /// Writes the image of a record this store named.
    private func writeImage(_ bytes: Data, for info: ScreenshotInfo) throws(ScreenshotFailure) {
        let file = dataDirectory.appendingPathComponent(info.filePath, isDirectory: false).standardizedFileURL
        guard isInsideRoot(file) else {
            throw ScreenshotFailure(error: ProtocolError(.internal, "screenshot path escapes the screenshot folder"))
        }
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.writeAtomically(bytes, to: file)
        } catch {
            throw ScreenshotFailure(error: ProtocolError(.internal, "could not save screenshot: \(error)"))
        }
    }

    /// Reads a stored screenshot's bytes. The record's path must be one this type produced.
    public func read(_ info: ScreenshotInfo) throws(ScreenshotFailure) -> Data {
        let expectedPrefix = "\(ProtocolDefaults.screenshotsDirectory)/\(info.auditID)/"
        let name = info.filePath.dropFirst(expectedPrefix.count)
        guard info.filePath.hasPrefix(expectedPrefix), !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ScreenshotFailure(error: ProtocolError(.internal, "stored screenshot path is not under the screenshot folder"))
        }
        let file = dataDirectory.appendingPathComponent(info.filePath, isDirectory: false).standardizedFileURL
        guard isInsideRoot(file) else {
            throw ScreenshotFailure(error: ProtocolError(.internal, "stored screenshot path is not under the screenshot folder"))
        }
        do {
            return try Data(contentsOf: file)
        } catch {
            throw ScreenshotFailure(error: ProtocolError(.notFound, "screenshot file \(info.filePath) is missing"))
        }
    }

    /// Deletes a stored screenshot's file (one this type produced); used after a newer
    /// screenshot with the same index replaced its row. A missing file is not an error.
    public func remove(_ info: ScreenshotInfo) {
        let expectedPrefix = "\(ProtocolDefaults.screenshotsDirectory)/\(info.auditID)/"
        guard info.filePath.hasPrefix(expectedPrefix), !info.filePath.dropFirst(expectedPrefix.count).contains("/") else { return }
        let file = dataDirectory.appendingPathComponent(info.filePath, isDirectory: false).standardizedFileURL
        guard isInsideRoot(file) else { return }
        try? FileManager.default.removeItem(at: file)
    }

    /// Writes, fsyncs and deletes a temporary file as large as a typical screenshot, to prove
    /// the folder takes files now (a disk that was full has room again).
    public func verifyWritable() throws {
        try verifyWritable(probeBytes: 256 * 1024)
    }

    /// ``verifyWritable()`` with a probe of `probeBytes`.
    public func verifyWritable(probeBytes: Int) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let probe = root.appendingPathComponent("write-probe.bin")
        // writeAtomically leaves nothing behind on failure; the file itself is removed at once.
        try Self.writeAtomically(Data(count: probeBytes), to: probe)
        try FileManager.default.removeItem(at: probe)
    }

    /// Deletes temporaries left by a crash mid-write. Call once at start-up.
    @discardableResult
    public func removeLeftovers() -> Int {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return 0 }
        var removed = 0
        for case let url as URL in walker where url.lastPathComponent.hasPrefix(".") && url.lastPathComponent.hasSuffix(".tmp") {
            if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }

    private func isInsideRoot(_ file: URL) -> Bool {
        file.standardizedFileURL.path.hasPrefix(root.path + "/")
    }

    /// `20261126T150843123Z`: sortable, and safe in any file system.
    static func compact(_ timestamp: Timestamp) -> String {
        let text = timestamp.description // 2026-11-26T15:08:43.123Z
        return String(text.filter { $0 != "-" && $0 != ":" && $0 != "." })
    }

    /// temp file in the same folder → write → fsync → rename → fsync the folder.
    static func writeAtomically(_ bytes: Data, to file: URL) throws {
        let folder = file.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileSystemError(errno: errno, "open \(temporary.path)") }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw FileSystemError(errno: errno, "write \(temporary.path)")
                    }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else { throw FileSystemError(errno: errno, "fsync \(temporary.path)") }
            closed = true
            guard close(descriptor) == 0 else { throw FileSystemError(errno: errno, "close \(temporary.path)") }
            guard rename(temporary.path, file.path) == 0 else { throw FileSystemError(errno: errno, "rename to \(file.path)") }
        } catch {
            unlink(temporary.path)
            throw error
        }
        let folderDescriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            defer { close(folderDescriptor) }
            guard fsync(folderDescriptor) == 0 else { throw FileSystemError(errno: errno, "fsync \(folder.path)") }
        }
    }
}

/// An errno with the operation that failed.
struct FileSystemError: Error, CustomStringConvertible {
    let errno: Int32
    let operation: String
    init(errno: Int32, _ operation: String) {
        self.errno = errno
        self.operation = operation
    }
    var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}
