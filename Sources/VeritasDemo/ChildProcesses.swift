import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo's child processes (writer and runners): started with their output going to a log
/// file, and stopped together, gracefully first.
public final class ChildProcesses: Sendable {
    /// One started child.
    public struct Child: Sendable {
        public let name: String
        public let pid: pid_t
        public let logFile: URL
        fileprivate let process: ProcessBox

        /// Whether it is still running.
        public var isRunning: Bool { process.process.isRunning }
    }

    /// Foundation's `Process` reaps its child itself; its `isRunning` is the reliable test.
    fileprivate final class ProcessBox: @unchecked Sendable {
        let process: Process
        init(_ process: Process) { self.process = process }
    }

    private let children = Mutex<[Child]>([])

    public init() {}

    /// Starts `executable` with `arguments`, stdout and stderr appended to `logFile`.
    public func start(name: String, executable: URL, arguments: [String], logFile: URL) throws -> Child {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logFile.path) else {
            throw DemoError("cannot write the log file \(logFile.path)")
        }
        _ = try? log.seekToEnd()
        try? log.write(contentsOf: Data("---- \(Date()) \(executable.lastPathComponent) \(arguments.joined(separator: " "))\n".utf8))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? log.close()
            throw DemoError("cannot start \(executable.path): \(error.localizedDescription)")
        }
        try? log.close()
        let child = Child(name: name, pid: process.processIdentifier, logFile: logFile, process: ProcessBox(process))
        children.withLock { $0.append(child) }
        return child
    }

    /// The children still running.
    public var running: [Child] {
        children.withLock { $0 }.filter(\.isRunning)
    }

    /// SIGTERM to every running child, then SIGKILL to those still running after `grace`;
    /// returns once none is left.
    public func stopAll(grace: Duration = .seconds(10)) async {
        let started = children.withLock { $0 }
        for child in started where child.isRunning { kill(child.pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while !running.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50), tolerance: .zero)
        }
        killAll()
        while !running.isEmpty {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGKILL to every running child at once (a second Ctrl-C).
    public func killAll() {
        for child in running { kill(child.pid, SIGKILL) }
    }
}
