import Foundation

/// Starts child processes one at a time within this process.
///
/// swift-corelibs-foundation's `Process.run()` is not safe to call from several threads at once
/// on Linux: it walks the descriptor table while other threads open and close descriptors, and
/// was seen to crash in a memcpy. A runner takes screenshots for several audits at once, so every
/// launch goes through this lock (the launch is short; the child then runs freely).
public enum SerialProcessLauncher {
    private static let lock = NSLock()

    /// Runs `process.run()` while holding the process-wide launch lock.
    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
