import Foundation
import Synchronization
import VeritasProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its output going to files.
///
/// Tests use this instead of Foundation's `Process`: on Linux, `Process.run()` walks the
/// descriptor table in a way that crashed the suite (a read past a page end) once the test
/// process held over a thousand descriptors, which a parallel suite of socket tests does.
/// `posix_spawn` leaves inherited descriptors to `O_CLOEXEC`, which libzmq and SQLite set.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    /// Where the child's standard output and error go.
    public let stdoutURL: URL
    public let stderrURL: URL
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`, the given environment (nothing inherited), in
    /// `directory` when given; standard input is /dev/null.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        directory: URL? = nil, stdout: URL, stderr: URL
    ) throws {
        stdoutURL = stdout
        stderrURL = stderr
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // A working directory through coreutils' `env -C` (the chdir file action is not exposed
        // to Swift by Glibc's module).
        let program = directory == nil ? executable : "/usr/bin/env"
        let words = directory.map { ["/usr/bin/env", "-C", $0.path, executable] } ?? [executable]
        let argv = (words + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, program, &actions, nil, argv, envp)
        guard status == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// Whether the child is still running (reaps it once it has exited).
    public var isRunning: Bool {
        exitStatus.withLock { cached in
            if cached != nil { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                cached = Self.decode(status)
                return false
            }
            return true
        }
    }

    /// Blocks until the child exits; returns its exit code, or 128 + the signal that killed it.
    /// Call it from a thread of its own, not from the cooperative pool.
    public func waitForExit() -> Int32 {
        if let cached = exitStatus.withLock({ $0 }) { return cached }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus.withLock { $0 = $0 ?? decoded }
        return exitStatus.withLock { $0 ?? decoded }
    }

    /// The exit code once the child has exited (see ``isRunning``).
    public var exitCode: Int32? { exitStatus.withLock { $0 } }

    /// Whether the child was ended by a signal (once it has exited).
    public var wasSignaled: Bool { (exitCode ?? 0) >= 128 }

    /// Asks the child to stop (SIGTERM), as a service manager would.
    public func terminate() {
        kill(pid, SIGTERM)
    }

    /// Sends `signal` (e.g. `SIGTERM`) to the child.
    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Every JSON log line on standard error whose `msg` is `message` (the services' JSON log
    /// format), in order.
    public func jsonLogLines(_ message: String) -> [JSONValue] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.contains(message), let json = try? JSONValue.decode(Data(line.utf8)),
                  json["msg"]?.stringValue == message else { return nil }
            return json
        }
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
}
