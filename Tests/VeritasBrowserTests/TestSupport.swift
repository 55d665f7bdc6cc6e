import Foundation
import Testing
@testable import VeritasBrowser
#if canImport(Glibc)
import Glibc
#endif

/// The Chromium used by the tests; override with `VERITAS_CHROMIUM=/path/to/chromium`.
let chromiumPath = ProcessInfo.processInfo.environment["VERITAS_CHROMIUM"] ?? "/usr/bin/chromium"

func testOptions(
    navigationTimeout: Duration = .seconds(20),
    commandTimeout: Duration = .seconds(15)
) -> BrowserOptions {
    BrowserOptions(executable: chromiumPath, commandTimeout: commandTimeout, navigationTimeout: navigationTimeout)
}

/// Coordinates tests that start Chromium: at most `maximumShared` browsers run at once (the
/// machine has 2 cores and timing assertions need some headroom), and a test that measures
/// process-wide resources (children, descriptors) can run alone.
actor ResourceGate {
    static let shared = ResourceGate()
    private let maximumShared = 3
    private var sharedHolders = 0
    private var exclusiveHeld = false
    private var queue: [(exclusive: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func acquire(exclusive: Bool) async {
        if queue.isEmpty && canEnter(exclusive: exclusive) {
            enter(exclusive: exclusive)
            return
        }
        await withCheckedContinuation { queue.append((exclusive, $0)) }
    }

    func release(exclusive: Bool) {
        if exclusive { exclusiveHeld = false } else { sharedHolders -= 1 }
        while let first = queue.first, canEnter(exclusive: first.exclusive) {
            queue.removeFirst()
            enter(exclusive: first.exclusive)
            first.continuation.resume()
        }
    }

    private func canEnter(exclusive: Bool) -> Bool {
        if exclusiveHeld { return false }
        return exclusive ? sharedHolders == 0 : sharedHolders < maximumShared
    }

    private func enter(exclusive: Bool) {
        if exclusive { exclusiveHeld = true } else { sharedHolders += 1 }
    }
}

/// Runs `body` while holding the gate (shared unless `exclusive`).
func gated<T>(exclusive: Bool = false, _ body: () async throws -> T) async throws -> T {
    await ResourceGate.shared.acquire(exclusive: exclusive)
    do {
        let result = try await body()
        await ResourceGate.shared.release(exclusive: exclusive)
        return result
    } catch {
        await ResourceGate.shared.release(exclusive: exclusive)
        throw error
    }
}

/// Launches a browser, runs `body`, and always closes the browser.
func withBrowser<T>(
    _ options: BrowserOptions = testOptions(), _ body: (HeadlessBrowser) async throws -> T
) async throws -> T {
    try await gated {
        let browser = try await HeadlessBrowser.launch(options)
        do {
            let result = try await body(browser)
            await browser.close()
            return result
        } catch {
            await browser.close()
            throw error
        }
    }
}

/// Launches a browser with one page, runs `body`, and always closes the browser.
func withPage<T>(
    _ options: BrowserOptions = testOptions(), _ body: (BrowserPage) async throws -> T
) async throws -> T {
    try await withBrowser(options) { browser in
        try await body(try await browser.newPage())
    }
}

/// A folder of test pages, deleted by `remove()`.
struct PageFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vbrw-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ html: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(html.utf8).write(to: file)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A `data:` URL for an HTML snippet.
func dataURL(_ html: String) -> URL {
    let encoded = html.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    return URL(string: "data:text/html;charset=utf-8,\(encoded)")!
}

/// Width and height from a PNG's IHDR chunk (bytes 16..<24), read independently of the module.
func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data.prefix(24))
    guard bytes.count == 24, bytes[0] == 0x89, bytes[1] == 0x50, bytes[2] == 0x4E, bytes[3] == 0x47 else { return nil }
    let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
    let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
    return (width, height)
}

/// Pids of the direct children of this test process, from `/proc/*/stat`.
func childProcessIDs() -> Set<Int32> {
    let me = getpid()
    var children: Set<Int32> = []
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    for entry in entries {
        guard let pid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let closing = stat.lastIndex(of: ")") else { continue }
        // After "pid (comm)" come: state, ppid, ...
        let fields = stat[stat.index(after: closing)...].split(separator: " ")
        if fields.count > 1, Int32(fields[1]) == me { children.insert(pid) }
    }
    return children
}

/// Open descriptors of this process and what they refer to.
func openDescriptors() -> [Int: String] {
    var result: [Int: String] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        guard let fd = Int(entry) else { continue }
        result[fd] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)")) ?? "?"
    }
    return result
}

/// A loopback TCP port that nobody listens on (bound once, then released).
func refusedPort() throws -> UInt16 {
    let listener = try HangingServer()
    let port = listener.port
    listener.close()
    return port
}

/// A loopback TCP listener that never accepts: the kernel completes connections into the backlog,
/// the client's request is never answered.
final class HangingServer {
    let port: UInt16
    private var fd: Int32

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socketFD, 64) == 0 else {
            Glibc.close(socketFD)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        fd = socketFD
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

/// Seconds elapsed since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
