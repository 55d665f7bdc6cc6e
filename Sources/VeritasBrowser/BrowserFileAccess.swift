import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension BrowserOptions {
    /// Whether the Chromium these options start can open the local file at `path` itself.
    ///
    /// Started from root, Chromium runs as ``unprivilegedUser`` (with that user's group and no
    /// others: `setpriv --clear-groups`), so a file this process reads may be out of its reach: a
    /// page in a private folder (`mktemp -d` makes 0700 ones, home folders often are) loads as
    /// `net::ERR_FILE_NOT_FOUND`. The answer is read from the permission bits of the file and of
    /// every folder above it, as the kernel applies them to that user; ACLs are not consulted,
    /// so a folder opened to the user by an ACL alone reads as closed (the caller then renders a
    /// readable copy, which is still right).
    /// When Chromium keeps this process's own user, `true`: the caller has read the file already.
    public func browserCanOpen(file path: String) -> Bool {
        guard dropsPrivileges else { return true }
        return Self.user(unprivilegedUser, group: unprivilegedUser, canOpen: path)
    }

    /// Whether a process running as `uid`:`gid` (no supplementary groups) can read the file at
    /// `path`: search permission on every folder from the root down, read permission on the file.
    static func user(_ uid: UInt32, group gid: UInt32, canOpen path: String) -> Bool {
        guard uid != 0 else { return true }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        var folder = "/"
        var components = absolute.pathComponents.dropFirst()
        let fileName = components.popLast()
        for component in components {
            guard allows(uid, gid, path: folder, bit: .search) else { return false }
            folder = (folder as NSString).appendingPathComponent(component)
        }
        guard allows(uid, gid, path: folder, bit: .search), fileName != nil else { return false }
        return allows(uid, gid, path: absolute.path, bit: .read)
    }

    private enum Permission { case read, search }

    /// The owner's, else the group's, else others' bit, as the kernel picks the class.
    private static func allows(_ uid: UInt32, _ gid: UInt32, path: String, bit: Permission) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let mode = UInt32(info.st_mode)
        let (owner, group, other): (UInt32, UInt32, UInt32) = bit == .read ? (0o400, 0o040, 0o004) : (0o100, 0o010, 0o001)
        if info.st_uid == uid { return mode & owner != 0 }
        if info.st_gid == gid { return mode & group != 0 }
        return mode & other != 0
    }
}
