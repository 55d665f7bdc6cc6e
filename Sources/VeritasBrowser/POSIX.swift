import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Thin helpers around the C library calls the module needs.
enum POSIX {
    private typealias Pipe2Function = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    private typealias CloseFromFunction =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// `pipe2` and `posix_spawn_file_actions_addclosefrom_np` are declared by glibc only under
    /// `_GNU_SOURCE`, which the Swift `Glibc` module does not define, so they are looked up at run
    /// time instead. Both are plain exported functions of libc (the latter since glibc 2.34).
    private static let pipe2Function: Pipe2Function? = dlsym(nil, "pipe2").map {
        unsafeBitCast($0, to: Pipe2Function.self)
    }
    private static let closeFromFunction: CloseFromFunction? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
            unsafeBitCast($0, to: CloseFromFunction.self)
        }

    /// Whether `posix_spawn_file_actions_addclosefrom_np` is available in this libc.
    static var canCloseFrom: Bool { closeFromFunction != nil }

    /// Adds a "close every descriptor >= `lowest`" action. Returns an errno value (0 on success).
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, lowest: Int32) -> Int32 {
        guard let closeFromFunction else { return ENOSYS }
        return closeFromFunction(&actions, lowest)
    }

    /// Creates a pipe whose two ends are close-on-exec and numbered at least `minimum`.
    ///
    /// Keeping the numbers at or above `minimum` lets the spawn code `dup2` them onto 3 and 4 without
    /// one end being clobbered by the other, and close-on-exec from the start means a concurrent
    /// `fork`/`exec` elsewhere in the process can never inherit them.
    static func makePipe(minimum: Int32) throws(BrowserError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let result: Int32
        if let pipe2Function {
            result = pipe2Function(&fds, O_CLOEXEC)
        } else {
            // Fallback for exotic libcs: there is a short window in which the ends lack FD_CLOEXEC.
            result = pipe(&fds)
            if result == 0 {
                _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            }
        }
        guard result == 0 else { throw .launchFailed("pipe() failed: \(errorText(errno))") }
        let read: Int32
        do {
            read = try moveAtOrAbove(fds[0], minimum: minimum)
        } catch {
            closeIgnoringErrors(fds[1])
            throw error
        }
        do {
            return (read, try moveAtOrAbove(fds[1], minimum: minimum))
        } catch {
            closeIgnoringErrors(read)
            throw error
        }
    }

    /// Returns `fd` itself if it is already >= `minimum`, otherwise a close-on-exec duplicate at or
    /// above `minimum` (and closes the original).
    private static func moveAtOrAbove(_ fd: Int32, minimum: Int32) throws(BrowserError) -> Int32 {
        if fd >= minimum { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, minimum)
        let savedErrno = errno
        closeIgnoringErrors(fd)
        guard moved >= 0 else { throw .launchFailed("fcntl(F_DUPFD_CLOEXEC) failed: \(errorText(savedErrno))") }
        return moved
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Closes `fd`. Errors (including EINTR, after which Linux has already released the number)
    /// are deliberately ignored: retrying could close a descriptor another thread just opened.
    static func closeIgnoringErrors(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    static func errorText(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }

    /// Ignoring SIGPIPE makes a write to a dead Chromium fail with EPIPE instead of killing the
    /// whole process. Done once per process; children get SIGPIPE reset to default at spawn.
    private static let sigpipeIgnored: Bool = {
        _ = signal(SIGPIPE, SIG_IGN)
        return true
    }()

    static func ignoreSIGPIPE() {
        _ = sigpipeIgnored
    }

    /// Decodes a `waitpid` status: the exit code for a normal exit, `128 + signal` when the process
    /// was killed by a signal (the shell convention).
    static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up, never negative.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        if millis.overflow { return Int.max }
        return Int(clamping: millis.partialValue) + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
