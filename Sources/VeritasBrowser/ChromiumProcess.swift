import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One spawned Chromium process: its pid, its process group and its profile folder.
///
/// The process is started in a process group of its own, so that its helper processes (zygotes,
/// renderers, GPU and network services) can be killed together with it. The pid is only ever
/// reaped through ``killAndReap()`` while holding `state`'s lock, so no signal is ever sent to a
/// pid that might have been recycled for an unrelated process.
final class ChromiumProcess: Sendable {
    /// The pid of the browser process (the launcher script `exec`s, so the pid does not change).
    let pid: pid_t
    let profile: ProfileDirectory
    /// Whether the child really leads its own process group (checked after spawning).
    private let leadsProcessGroup: Bool
    /// `nil` while the child has not been reaped; afterwards its decoded exit status.
    private let reapedStatus = Mutex<Int32?>(nil)

    /// What the parent keeps after a successful spawn.
    struct Spawned: Sendable {
        let process: ChromiumProcess
        /// Parent's end of the command pipe (the child reads it as fd 3). Non-blocking, close-on-exec.
        let commandWriteFD: Int32
        /// Parent's end of the reply pipe (the child writes it as fd 4). Blocking, close-on-exec.
        let replyReadFD: Int32
    }

    private init(pid: pid_t, profile: ProfileDirectory, leadsProcessGroup: Bool) {
        self.pid = pid
        self.profile = profile
        self.leadsProcessGroup = leadsProcessGroup
    }

    /// The command line used for `--remote-debugging-pipe` mode.
    /// As root with the sandbox on, the command starts with `setpriv` dropping to
    /// ``BrowserOptions/unprivilegedUser`` (Chromium's pid stays the spawned pid: `setpriv` execs).
    static func arguments(options: BrowserOptions, profile: ProfileDirectory) -> [String] {
        let user = String(options.unprivilegedUser)
        let launcher = options.dropsPrivileges
            ? [setprivPath ?? "setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] : []
        return launcher + [
            options.executable,
            "--headless",
            "--remote-debugging-pipe",
        ] + (options.sandbox ? [] : ["--no-sandbox"]) + [
            "--disable-gpu",
            "--hide-scrollbars",
            "--mute-audio",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            "--user-data-dir=\(profile.path)",
        ] + options.extraArguments + ["about:blank"]
    }

    /// `setpriv` (util-linux), for starting Chromium as an unprivileged user from root.
    static let setprivPath: String? = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Spawns Chromium with `posix_spawn` (Foundation's `Process` is not safe to launch concurrently
    /// on Linux). Child fd 3 reads commands, fd 4 writes replies, 0/1/2 are `/dev/null`, every other
    /// descriptor is closed.
    static func spawn(options: BrowserOptions, profile: ProfileDirectory) throws(BrowserError) -> Spawned {
        let commands = try POSIX.makePipe(minimum: 5)
        let replies: (read: Int32, write: Int32)
        do {
            replies = try POSIX.makePipe(minimum: 5)
        } catch {
            POSIX.closeIgnoringErrors(commands.read)
            POSIX.closeIgnoringErrors(commands.write)
            throw error
        }
        // The child's ends are not needed in the parent after spawning, whatever the outcome.
        defer {
            POSIX.closeIgnoringErrors(commands.read)
            POSIX.closeIgnoringErrors(replies.write)
        }

        // Checked here because through setpriv a missing Chromium would only show as exit 127.
        guard access(options.executable, X_OK) == 0 else {
            let error = errno
            POSIX.closeIgnoringErrors(commands.write)
            POSIX.closeIgnoringErrors(replies.read)
            throw .launchFailed("cannot execute \(options.executable): \(POSIX.errorText(error))")
        }
        if options.dropsPrivileges {
            guard setprivPath != nil else {
                POSIX.closeIgnoringErrors(commands.write)
                POSIX.closeIgnoringErrors(replies.read)
                throw .launchFailed("Chromium refuses to run sandboxed as root and setpriv (util-linux) is not installed to start it as an unprivileged user: install util-linux, run as another user, or turn the sandbox off (chromium.sandbox=false)")
            }
            // The unprivileged user must own its profile (Chromium writes it, and its socket).
            guard chown(profile.path, options.unprivilegedUser, options.unprivilegedUser) == 0 else {
                let error = errno
                POSIX.closeIgnoringErrors(commands.write)
                POSIX.closeIgnoringErrors(replies.read)
                throw .launchFailed("cannot hand the profile folder to uid \(options.unprivilegedUser): \(POSIX.errorText(error))")
            }
        }
        let pid: pid_t
        do {
            pid = try spawnChild(
                arguments: arguments(options: options, profile: profile), home: options.dropsPrivileges ? profile.path : nil,
                commandReadFD: commands.read,
                replyWriteFD: replies.write
            )
        } catch {
            POSIX.closeIgnoringErrors(commands.write)
            POSIX.closeIgnoringErrors(replies.read)
            throw error
        }
        POSIX.setNonBlocking(commands.write)
        let process = ChromiumProcess(pid: pid, profile: profile, leadsProcessGroup: getpgid(pid) == pid)
        return Spawned(process: process, commandWriteFD: commands.write, replyReadFD: replies.read)
    }

    /// - Parameter home: `HOME` and `TMPDIR` for the child (the profile, when it runs as another
    ///   user: this process's home and temporary folder may not be writable by it, and Chromium
    ///   puts its single-instance socket in the temporary folder).
    private static func spawnChild(
        arguments: [String], home: String?, commandReadFD: Int32, replyWriteFD: Int32
    ) throws(BrowserError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { throw .launchFailed("posix_spawn_file_actions_init failed") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard posix_spawnattr_init(&attributes) == 0 else { throw .launchFailed("posix_spawnattr_init failed") }
        defer { posix_spawnattr_destroy(&attributes) }

        var status: Int32 = 0
        func check(_ code: Int32, _ what: String) throws(BrowserError) {
            if code != 0 { throw .launchFailed("\(what) failed: \(POSIX.errorText(code))") }
        }
        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "addopen(0)")
        try check(posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0), "addopen(1)")
        try check(posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0), "addopen(2)")
        // Both sources are >= 5, so neither dup2 can clobber the other; dup2 clears FD_CLOEXEC.
        try check(posix_spawn_file_actions_adddup2(&actions, commandReadFD, 3), "adddup2(3)")
        try check(posix_spawn_file_actions_adddup2(&actions, replyWriteFD, 4), "adddup2(4)")
        if POSIX.canCloseFrom {
            try check(POSIX.addCloseFrom(&actions, lowest: 5), "addclosefrom_np(5)")
        } else {
            // Our own descriptors are all close-on-exec anyway; be explicit about the two sources.
            try check(posix_spawn_file_actions_addclose(&actions, commandReadFD), "addclose")
            try check(posix_spawn_file_actions_addclose(&actions, replyWriteFD), "addclose")
        }

        // New process group; empty signal mask; default dispositions for signals a host process
        // commonly ignores (ignored dispositions survive exec), SIGPIPE in particular.
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)), "posix_spawnattr_setflags")
        try check(posix_spawnattr_setpgroup(&attributes, 0), "posix_spawnattr_setpgroup")
        var mask = sigset_t()
        sigemptyset(&mask)
        try check(posix_spawnattr_setsigmask(&attributes, &mask), "posix_spawnattr_setsigmask")
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        try check(posix_spawnattr_setsigdefault(&attributes, &defaults), "posix_spawnattr_setsigdefault")

        var variables = ProcessInfo.processInfo.environment
        if let home {
            variables["HOME"] = home
            variables["TMPDIR"] = home
        }
        let environment = variables.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        // glibc reports a failing exec (for example ENOENT) as posix_spawn's return value.
        status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard status == 0 else {
            throw .launchFailed("cannot execute \(arguments[0]): \(POSIX.errorText(status))")
        }
        return pid
    }

    /// Whether the process has terminated (reaped or a zombie). Never blocks, never reaps.
    func hasExited() -> Bool {
        reapedStatus.withLock { status in
            if status != nil { return true }
            var info = siginfo_t()
            while true {
                let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
                if result == 0 { return info.si_signo == SIGCHLD }
                if errno == EINTR { continue }
                // ECHILD: somebody else reaped it (for example a host that ignores SIGCHLD).
                return true
            }
        }
    }

    /// Kills whatever is left of the process group with SIGKILL and reaps the browser process.
    /// Returns the decoded exit status. Idempotent; blocks only until the killed process is gone.
    @discardableResult
    func killAndReap() -> Int32 {
        reapedStatus.withLock { reaped in
            if let reaped { return reaped }
            // Not reaped yet, so the pid (and the group id, which equals it) still belong to our
            // child even if it is already a zombie: no risk of signalling a recycled pid.
            if leadsProcessGroup { _ = kill(-pid, SIGKILL) }
            _ = kill(pid, SIGKILL)
            var status: Int32 = 0
            var decoded: Int32 = -1
            while true {
                let result = waitpid(pid, &status, 0)
                if result == pid { decoded = POSIX.exitCode(fromWaitStatus: status); break }
                if result < 0 && errno == EINTR { continue }
                break  // ECHILD: already reaped elsewhere; the status is unknown.
            }
            reaped = decoded
            return decoded
        }
    }
}
