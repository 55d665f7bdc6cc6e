#if canImport(Glibc)
import Glibc
#endif

/// Settings for one headless Chromium process.
public struct BrowserOptions: Sendable, Equatable {
    /// Path of the Chromium executable (a launcher script that `exec`s Chromium is fine).
    public var executable: String
    /// Width of the emulated viewport in CSS pixels; also the width of full-page screenshots.
    public var viewportWidth: Int
    /// Height of the emulated viewport in CSS pixels.
    public var viewportHeight: Int
    /// Full-page screenshots are cut off at this many CSS pixels.
    public var fullPageMaxHeight: Int
    /// How long Chromium may take to start and answer its first command.
    public var launchTimeout: Duration
    /// Upper bound for any single DevTools command.
    public var commandTimeout: Duration
    /// Upper bound for a whole navigation: sending `Page.navigate` until the load event.
    public var navigationTimeout: Duration
    /// Extra command-line switches appended after the built-in ones (for example `--lang=en-US`).
    public var extraArguments: [String]
    /// Chromium's own sandbox (namespaces and seccomp-bpf) around the processes that run page
    /// code. Off adds `--no-sandbox`: only for kernels or containers that allow no sandbox.
    public var sandbox: Bool
    /// The user Chromium runs as when this process is root: Chromium refuses to run sandboxed as
    /// root, so it is started through `setpriv` as this unprivileged user (default `nobody`).
    public var unprivilegedUser: UInt32

    /// Creates options; every parameter has a sensible default except where a different Chromium is wanted.
    public init(
        executable: String = "/usr/bin/chromium",
        viewportWidth: Int = 1280,
        viewportHeight: Int = 800,
        fullPageMaxHeight: Int = 6000,
        launchTimeout: Duration = .seconds(30),
        commandTimeout: Duration = .seconds(15),
        navigationTimeout: Duration = .seconds(20),
        extraArguments: [String] = [],
        sandbox: Bool = true,
        unprivilegedUser: UInt32 = 65_534
    ) {
        self.executable = executable
        self.viewportWidth = viewportWidth
        self.viewportHeight = viewportHeight
        self.fullPageMaxHeight = fullPageMaxHeight
        self.launchTimeout = launchTimeout
        self.commandTimeout = commandTimeout
        self.navigationTimeout = navigationTimeout
        self.extraArguments = extraArguments
        self.sandbox = sandbox
        self.unprivilegedUser = unprivilegedUser
    }

    /// Whether Chromium is started as ``unprivilegedUser``: sandboxed, and this process is root.
    var dropsPrivileges: Bool { sandbox && geteuid() == 0 }

    /// Returns a description of the first invalid setting, or `nil` if all settings are usable.
    func validationProblem() -> String? {
        if executable.isEmpty { return "executable is empty" }
        if viewportWidth <= 0 || viewportWidth > 16_384 { return "viewportWidth \(viewportWidth) is out of range 1...16384" }
        if viewportHeight <= 0 || viewportHeight > 16_384 { return "viewportHeight \(viewportHeight) is out of range 1...16384" }
        if fullPageMaxHeight <= 0 { return "fullPageMaxHeight must be positive" }
        if launchTimeout <= .zero { return "launchTimeout must be positive" }
        if commandTimeout <= .zero { return "commandTimeout must be positive" }
        if navigationTimeout <= .zero { return "navigationTimeout must be positive" }
        return nil
    }
}
