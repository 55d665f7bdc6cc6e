import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The throw-away `--user-data-dir` of one Chromium process.
///
/// Chromium creates a Unix-domain socket inside the profile, and socket paths are limited to about
/// 100 bytes, so the folder must live under a short path: the system temporary directory if its
/// path is at most ``maximumBaseLength`` bytes, `/tmp` otherwise.
struct ProfileDirectory: Sendable, Equatable {
    static let maximumBaseLength = 40
    static let namePrefix = "vbrw-"

    let path: String

    /// Picks the parent folder for profiles given the system temporary directory's path.
    static func baseDirectory(temporaryDirectory: String) -> String {
        var base = temporaryDirectory
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        if base.isEmpty || !base.hasPrefix("/") || base.utf8.count > maximumBaseLength { return "/tmp" }
        return base
    }

    /// A random lowercase base-36 string.
    static func randomName(length: Int = 10) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    /// Creates a fresh, private (0700) profile folder.
    static func create() throws(BrowserError) -> ProfileDirectory {
        let base = baseDirectory(temporaryDirectory: FileManager.default.temporaryDirectory.path)
        var lastError: Int32 = 0
        for _ in 0..<16 {
            let path = "\(base)/\(namePrefix)\(randomName())"
            if mkdir(path, 0o700) == 0 { return ProfileDirectory(path: path) }
            lastError = errno
            if lastError != EEXIST { break }
        }
        throw .launchFailed("cannot create a profile folder in \(base): \(POSIX.errorText(lastError))")
    }

    /// Deletes the folder and everything in it. Returns whether it is gone afterwards.
    @discardableResult
    func remove() -> Bool {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) { return true }
        try? manager.removeItem(atPath: path)
        return !manager.fileExists(atPath: path)
    }
}
