import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output of the demo: stdout, flushed at once; progress redraws in place on a terminal.
enum DemoConsole {
    static let isTerminal = isatty(STDOUT_FILENO) != 0

    static func line(_ text: String = "") { write(text + "\n") }

    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func warning(_ text: String) { FileHandle.standardError.write(Data("veritas: warning: \(text)\n".utf8)) }
}

/// Free TCP ports on loopback, found by binding port 0 and reading what the kernel chose.
enum FreePorts {
    /// The default ports 5555–5557 when all of them are free on loopback (then `veritas status`
    /// works without `--writer`), otherwise `count` ephemeral ones.
    static func preferringDefaults() throws -> [Int] {
        if (try? bindable([5555, 5556, 5557])) == true { return [5555, 5556, 5557] }
        return try find(3)
    }

    private static func bindable(_ ports: [Int]) throws -> Bool {
        try find(ports.count, fixed: ports).count == ports.count
    }

    /// `count` distinct free ports (all sockets are held open until every port is known, so the
    /// kernel cannot hand the same one out twice).
    static func find(_ count: Int, fixed: [Int] = []) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        var ports: [Int] = []
        for number in 0..<count {
            #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw DemoError("cannot open a socket to find a free port: \(String(cString: strerror(errno)))") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(number < fixed.count ? fixed[number] : 0).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw DemoError("cannot bind a loopback port: \(String(cString: strerror(errno)))") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw DemoError("cannot read a bound port: \(String(cString: strerror(errno)))") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// Where the executables and external tools are.
enum Executables {
    /// The folder of the running `veritas` executable.
    static func ownFolder() -> URL {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        #endif
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath().deletingLastPathComponent() }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// `name` next to the running executable; throws with the fix when it is missing.
    static func sibling(_ name: String) throws -> URL {
        let folder = ownFolder()
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw DemoError("\(name) was not found next to veritas (in \(folder.path)); build every product with `swift build` (or `make demo`) and run the veritas from that build folder")
        }
        return url
    }

    /// The first of `names` found on `PATH`.
    static func onPath(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in names {
            for folder in path.split(separator: ":") where !folder.isEmpty {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }
}

/// A plain-text table with left-aligned columns separated by two spaces.
struct DemoTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func append(_ row: String...) { rows.append(row) }

    func render(indent: String = "") -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], cell.count) }
        }
        func format(_ cells: [String]) -> String {
            indent + cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        return ([format(headers)] + rows.map(format)).joined(separator: "\n")
    }
}

extension String {
    /// On one line, cut to `limit` characters with an ellipsis.
    func truncated(to limit: Int) -> String {
        let flat = split(whereSeparator: \.isNewline).joined(separator: " ")
        guard flat.count > limit else { return flat }
        return String(flat.prefix(max(limit - 1, 0))) + "…"
    }
}
