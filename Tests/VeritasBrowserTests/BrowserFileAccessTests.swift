import Foundation
import Testing
@testable import VeritasBrowser
#if canImport(Glibc)
import Glibc
#endif

/// Whether Chromium, started from root as an unprivileged user, can open a local file: read off
/// the permission bits of the file and of every folder above it (no Chromium started).
@Suite("Browser file access (no Chromium)")
struct BrowserFileAccessTests {
    /// Another user than this process's own, with a group of its own, as `nobody` is.
    private static let stranger: UInt32 = geteuid() == 65_534 ? 65_533 : 65_534

    private static func folder(mode: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-access-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    private static func file(in folder: URL, mode: Int) throws -> URL {
        let url = folder.appendingPathComponent("page.html")
        try Data("<p>hi</p>".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    private static func canOpen(_ url: URL) -> Bool {
        BrowserOptions.user(stranger, group: stranger, canOpen: url.path)
    }

    @Test("a private folder (0700, as mktemp -d makes) closes its files to another user; opened, they read")
    func privateFolder() throws {
        let folder = try Self.folder(mode: 0o700)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try Self.file(in: folder, mode: 0o644)
        #expect(!Self.canOpen(page))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        #expect(Self.canOpen(page))
        // Search permission alone is enough on a folder: the file is opened by name.
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: folder.path)
        #expect(Self.canOpen(page))
    }

    @Test("a file readable by its owner only, a missing file, and a closed folder higher up are out of reach")
    func unreadable() throws {
        let outer = try Self.folder(mode: 0o755)
        defer { try? FileManager.default.removeItem(at: outer) }
        let page = try Self.file(in: outer, mode: 0o600)
        #expect(!Self.canOpen(page))
        #expect(!Self.canOpen(outer.appendingPathComponent("missing.html")))

        let inner = outer.appendingPathComponent("inner", isDirectory: true)
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let nested = try Self.file(in: inner, mode: 0o644)
        #expect(Self.canOpen(nested))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: outer.path)
        #expect(!Self.canOpen(nested), "every folder on the way must let the user through")
        // Through a relative path with `..` the same folders are crossed.
        #expect(!BrowserOptions.user(Self.stranger, group: Self.stranger, canOpen: inner.path + "/../inner/page.html"))
    }

    @Test("root opens everything; a browser that keeps this process's user is not asked")
    func privilegedAndUnsandboxed() throws {
        let folder = try Self.folder(mode: 0o700)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try Self.file(in: folder, mode: 0o600)
        #expect(BrowserOptions.user(0, group: 0, canOpen: page.path))
        #expect(BrowserOptions(sandbox: false).browserCanOpen(file: page.path), "unsandboxed, Chromium runs as this process's user")
        #expect(BrowserOptions(sandbox: true).browserCanOpen(file: page.path) == (geteuid() != 0),
                "sandboxed from root it runs as nobody, who cannot open a 0600 file in a 0700 folder")
    }
}
