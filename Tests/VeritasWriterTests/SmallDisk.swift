import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A size-limited tmpfs mounted on a fresh folder: a disk that really fills up (`ENOSPC`), for
/// tests of what the writer does when it cannot store. Mounting needs root (CI runs as root).
final class SmallDisk: Sendable {
    let url: URL

    /// Whether this process may mount (is root); tests that need a disk are skipped otherwise.
    static let isAvailable: Bool = geteuid() == 0

    init(megabytes: Int) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-small-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        guard mount("tmpfs", url.path, "tmpfs", 0, "size=\(megabytes)m,mode=0755") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: url)
            throw HarnessError("cannot mount a \(megabytes) MiB tmpfs on \(url.path): \(reason)")
        }
    }

    /// Fills every free byte with one file and returns it.
    func fill() throws -> URL {
        let filler = url.appendingPathComponent("filler-\(UUID().uuidString).bin")
        let descriptor = open(filler.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw HarnessError("cannot create \(filler.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0xAB, count: 64 * 1024)
        var size = chunk.count
        while size > 0 {
            let written = chunk.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, size) }
            if written < 0 {
                guard errno == ENOSPC else { throw HarnessError("filling \(filler.path): \(String(cString: strerror(errno)))") }
                size /= 2   // top up the last partial block
            }
        }
        _ = fsync(descriptor)
        return filler
    }

    /// Bytes still free.
    var freeBytes: Int {
        var stats = statvfs()
        guard statvfs(url.path, &stats) == 0 else { return -1 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Detaches the mount (open files keep it alive until closed) and removes the folder.
    func unmount() {
        _ = umount2(url.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(at: url)
    }
}
