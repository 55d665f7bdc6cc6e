import Foundation

/// A copy of a local HTML file in a fresh folder the browser's user can read, for a file
/// Chromium cannot open where it is (``VeritasBrowser/BrowserOptions/browserCanOpen(file:)``):
/// started from root, Chromium runs as an unprivileged user, and a page in a private folder
/// (`mktemp -d`, a home folder) would otherwise load as `net::ERR_FILE_NOT_FOUND` and be analysed
/// unrendered. Only the file is copied: files it links by a relative path stay out of reach, and
/// ``note`` says so.
struct BrowserReadableCopy {
    /// The copy's URL, to render; findings and the verdict still name the original file.
    let url: URL
    private let folder: URL

    /// Writes `contents` (the file's bytes, already read) as `name` in a new temporary folder
    /// readable by every user (0755, the file 0644). Remove it with ``remove()``.
    init(named name: String, contents: Data) throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("veritas-render-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // createDirectory applies the umask to the mode it is given; the browser needs the bits.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        url = folder.appendingPathComponent(name.isEmpty ? "page.html" : name)
        do {
            try contents.write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// What the audit says about a rendering of the copy (`security_results.render_note`).
    static func note(user: UInt32) -> String {
        "rendered from a readable copy: Chromium runs as uid \(user) and cannot open the file where it is; files it links by a relative path were not loaded"
    }
}
