import Foundation
import Logging

/// Takes a viewport screenshot with headless Chromium, when one is installed.
///
/// `chromium --headless --screenshot` writes a PNG and exits; the process is killed if it takes
/// longer than the timeout. Any failure is logged and the audit goes on without a screenshot:
/// a missing picture is not a reason to lose the verdict.
struct ChromiumScreenshotter: Sendable {
    let executable: String
    let timeout: Duration
    let logger: Logger

    /// The configured path if it is executable, else `chromium` or `chromium-browser` on PATH.
    static func locate(configured: String) -> String? {
        let files = FileManager.default
        if !configured.isEmpty { return files.isExecutableFile(atPath: configured) ? configured : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for folder in path.split(separator: ":") {
                let candidate = "\(folder)/\(name)"
                if files.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// A PNG of the page's first 1280×800 pixels, or `nil`.
    func viewport(of url: String) async -> Data? {
        // Chromium keeps a Unix socket in its profile folder, and socket paths are limited to about
        // 100 bytes: a short name, and /tmp when TMPDIR is long.
        let temporary = FileManager.default.temporaryDirectory
        let base = temporary.path.utf8.count <= 40 ? temporary : URL(fileURLWithPath: "/tmp", isDirectory: true)
        let folder = base.appendingPathComponent("vshot-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            logger.warning("screenshot skipped: no temporary folder", metadata: ["error": "\(error)"])
            return nil
        }
        let file = folder.appendingPathComponent("viewport.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--window-size=1280,800",
            "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--screenshot=\(file.path)", url,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let box = ProcessBox(process)
        let finished: Bool = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { _ in once.resume(true) }
            do {
                try SerialProcessLauncher.run(process)
            } catch {
                logger.warning("screenshot skipped: chromium did not start", metadata: ["error": "\(error)"])
                once.resume(false)
                return
            }
            Task {
                let deadline = ContinuousClock.now + timeout
                while box.process.isRunning && ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(100))
                }
                // Chromium ended by itself: the termination handler reports it. Resuming here
                // too could win the race and throw a finished screenshot away.
                guard box.process.isRunning else { return }
                logger.warning("screenshot abandoned: chromium timed out", metadata: ["url": "\(url)"])
                box.process.terminate()
                try? await Task.sleep(for: .seconds(1))
                if box.process.isRunning { kill(box.process.processIdentifier, SIGKILL) }
                once.resume(false)
            }
        }
        guard finished, process.terminationStatus == 0, let data = try? Data(contentsOf: file), data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            if finished { logger.warning("screenshot failed", metadata: ["url": "\(url)", "status": "\(process.terminationStatus)"]) }
            return nil
        }
        return data
    }
}

/// `Process` is not `Sendable`; it is only read (isRunning, pid) and terminated from the timer.
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}

/// Resumes a continuation once, whoever comes first (exit or timeout).
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?
    init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }
    func resume(_ value: Bool) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}
