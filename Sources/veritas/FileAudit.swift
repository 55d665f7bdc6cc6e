import Foundation
import VeritasAudit
import VeritasHTML
import VeritasProtocol
import VeritasRunner
import VeritasSecurity

/// `veritas analyze FILE`: reads and checks an HTML file, which the runner's engine then audits
/// like a fetched page (``HTTPAuditEngine/auditFile(_:contents:verdictMode:reporter:)``: rendered in
/// headless Chromium unless `--no-browser`, the same detectors and verdict). A file has no HTTP
/// headers, so its security grade only reflects their absence (`security_results.source` is
/// `"file"`, and `note` says so).
enum FileAudit {
    /// Reads the HTML file at `file` (a file URL). Throws ``AuditFailure`` when it is missing,
    /// a folder, unreadable, over `sizeLimit` bytes, or not HTML; its message does not repeat the
    /// path (the caller names the input).
    static func contents(of file: URL, sizeLimit: Int = HTMLDocument.defaultSizeLimit) throws -> Data {
        try read(file, sizeLimit: sizeLimit)
    }

    /// The file's bytes, after checking it exists, is a regular file within the limit and looks
    /// like HTML.
    private static func read(_ file: URL, sizeLimit: Int) throws -> Data {
        let path = file.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AuditFailure("no such file")
        }
        guard !isDirectory.boolValue else { throw AuditFailure("a folder, not an HTML file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > sizeLimit {
            throw AuditFailure("larger than the \(sizeLimit / 1024 / 1024) MiB page limit")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw AuditFailure("cannot be read: \((error as NSError).localizedDescription)")
        }
        guard data.count <= sizeLimit else { throw AuditFailure("larger than the \(sizeLimit / 1024 / 1024) MiB page limit") }
        guard looksLikeHTML(data) else { throw AuditFailure("not an HTML file (no HTML tags in it)") }
        return data
    }

    /// Whether `data` reads like markup: some `<` followed by a letter, `!` or `/`, and (unless it
    /// starts with a UTF-16 byte-order mark) no NUL byte, which text never has.
    static func looksLikeHTML(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        if !utf16, bytes.contains(0) { return false }
        let step = utf16 ? 2 : 1
        var index = bytes.startIndex
        while let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
            let next = open + step
            guard next < bytes.count else { return false }
            let byte = bytes[next] | 0x20
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || bytes[next] == UInt8(ascii: "!") || bytes[next] == UInt8(ascii: "/") {
                return true
            }
            index = open + 1
        }
        return false
    }
}
