import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One headless Chromium process driven over the DevTools pipe.
///
/// Launch it with ``launch(_:)``, open tabs with ``newPage()`` and always finish with ``close()``,
/// which ends the process, reaps it, closes every descriptor, stops the reader thread and deletes
/// the temporary profile. If the last reference goes away without `close()`, `deinit` kills and
/// reaps the process as a safety net.
///
/// All methods may be called from any task; several browsers may run side by side in one process.
public final class HeadlessBrowser: Sendable {
    private enum Lifecycle: Sendable {
        case open
        case closing(waiters: [CheckedContinuation<Void, Never>])
        case closed
    }

    /// The options the browser was launched with.
    public let options: BrowserOptions
    /// Chromium's product string as reported by `Browser.getVersion`, e.g. `Chrome/156.0.8078.108`.
    public let version: String

    let connection: DevToolsConnection
    private let process: ChromiumProcess
    private let lifecycle = Mutex(Lifecycle.open)

    /// The pid of the Chromium browser process (for diagnostics and tests).
    public var processID: Int32 { process.pid }

    /// The temporary profile folder (`--user-data-dir`); it is deleted by ``close()``.
    public var profilePath: String { process.profile.path }

    private init(options: BrowserOptions, version: String, connection: DevToolsConnection, process: ChromiumProcess) {
        self.options = options
        self.version = version
        self.connection = connection
        self.process = process
    }

    deinit {
        let needsCleanup = lifecycle.withLock { lifecycle -> Bool in
            if case .closed = lifecycle { return false }
            lifecycle = .closed
            return true
        }
        if needsCleanup {
            connection.beginClosing()
            process.killAndReap()
            connection.abandon()
            process.profile.remove()
        }
    }

    /// Starts Chromium and waits until it answers on the DevTools pipe.
    ///
    /// The first launch sets SIGPIPE to be ignored in the whole process, so that writing to a
    /// Chromium that has died yields an `EPIPE` error instead of terminating the process.
    ///
    /// - Throws: ``BrowserError/launchFailed(_:)`` if the options are invalid, the executable cannot
    ///   be started, or Chromium exits or stays silent (for ``BrowserOptions/launchTimeout``)
    ///   instead of answering `Browser.getVersion`.
    public static func launch(_ options: BrowserOptions = BrowserOptions()) async throws -> HeadlessBrowser {
        if let problem = options.validationProblem() { throw BrowserError.launchFailed("invalid options: \(problem)") }
        POSIX.ignoreSIGPIPE()
        let profile = try ProfileDirectory.create()
        let spawned: ChromiumProcess.Spawned
        do {
            spawned = try ChromiumProcess.spawn(options: options, profile: profile)
        } catch {
            profile.remove()
            throw error
        }
        let connection = DevToolsConnection(
            process: spawned.process,
            commandWriteFD: spawned.commandWriteFD,
            replyReadFD: spawned.replyReadFD
        )
        do {
            try connection.start()
            let reply = try await connection.send("Browser.getVersion", timeout: options.launchTimeout)
            let version = reply["product"]?.stringValue ?? "unknown"
            return HeadlessBrowser(options: options, version: version, connection: connection, process: spawned.process)
        } catch {
            connection.beginClosing()
            spawned.process.killAndReap()
            await connection.shutdown()
            await removeProfile(profile)
            switch error {
            case BrowserError.exited(let status):
                throw BrowserError.launchFailed(
                    "\(options.executable) exited with status \(status) before answering on the DevTools pipe")
            case BrowserError.timedOut:
                throw BrowserError.launchFailed(
                    "\(options.executable) did not answer on the DevTools pipe within \(options.launchTimeout)")
            case let error as BrowserError:
                if case .launchFailed = error { throw error }
                throw BrowserError.launchFailed(error.description)
            default:
                throw error  // CancellationError
            }
        }
    }

    /// Opens a new tab at `about:blank`, attaches to it and prepares it: page, runtime, crash and
    /// lifecycle events, and a `viewportWidth`×`viewportHeight` viewport at device scale factor 1.
    ///
    /// Every page gets a window of its own, so all pages stay visible: in a shared window only the
    /// newest tab is visible, and the others have their timers throttled, no animation frames and
    /// very slow or hanging screenshots.
    public func newPage() async throws -> BrowserPage {
        try ensureOpen()
        let timeout = options.commandTimeout
        let created = try await connection.send(
            "Target.createTarget", params: ["url": "about:blank", "newWindow": true], timeout: timeout)
        guard let targetID = created["targetId"]?.stringValue else {
            throw BrowserError.invalidResponse(method: "Target.createTarget", reason: "no targetId")
        }
        do {
            let attached = try await connection.send(
                "Target.attachToTarget", params: ["targetId": .string(targetID), "flatten": true], timeout: timeout)
            guard let sessionID = attached["sessionId"]?.stringValue else {
                throw BrowserError.invalidResponse(method: "Target.attachToTarget", reason: "no sessionId")
            }
            let setup: [(String, [String: DevToolsValue])] = [
                ("Page.enable", [:]),
                ("Runtime.enable", [:]),
                ("Inspector.enable", [:]),  // Reports renderer crashes (Inspector.targetCrashed).
                ("Page.setLifecycleEventsEnabled", ["enabled": true]),
                ("Emulation.setDeviceMetricsOverride", [
                    "width": .number(Double(options.viewportWidth)),
                    "height": .number(Double(options.viewportHeight)),
                    "deviceScaleFactor": 1,
                    "mobile": false,
                ]),
            ]
            for (method, params) in setup {
                _ = try await connection.send(method, params: params, sessionID: sessionID, timeout: timeout)
            }
            return BrowserPage(browser: self, targetID: targetID, sessionID: sessionID)
        } catch {
            _ = try? await connection.send(
                "Target.closeTarget", params: ["targetId": .string(targetID)], timeout: .seconds(2))
            throw error
        }
    }

    /// Closes the browser: asks Chromium to quit (`Browser.close`), waits up to 2 seconds for it to
    /// exit, then kills what is left of its process group, reaps it, closes the pipes, joins the
    /// reader thread and deletes the profile folder. Pending and later calls fail with
    /// ``BrowserError/closed``. Safe to call more than once and from several tasks; every caller
    /// returns once the browser is fully closed.
    public func close() async {
        enum Role { case closer, waiter, alreadyClosed }
        let role = lifecycle.withLock { lifecycle -> Role in
            switch lifecycle {
            case .open:
                lifecycle = .closing(waiters: [])
                return .closer
            case .closing:
                return .waiter
            case .closed:
                return .alreadyClosed
            }
        }
        switch role {
        case .alreadyClosed:
            return
        case .waiter:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let finished = lifecycle.withLock { lifecycle -> Bool in
                    guard case .closing(let waiters) = lifecycle else { return true }
                    lifecycle = .closing(waiters: waiters + [continuation])
                    return false
                }
                if finished { continuation.resume() }
            }
            return
        case .closer:
            break
        }

        connection.beginClosing()
        let deadline = ContinuousClock.now + .seconds(2)
        if connection.terminalError == nil {
            _ = try? await connection.send("Browser.close", timeout: .seconds(2), allowWhileClosing: true)
        }
        while !process.hasExited() && ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
        process.killAndReap()
        await connection.shutdown()
        await Self.removeProfile(process.profile)

        let waiters = lifecycle.withLock { lifecycle -> [CheckedContinuation<Void, Never>] in
            defer { lifecycle = .closed }
            if case .closing(let waiters) = lifecycle { return waiters }
            return []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Throws ``BrowserError/closed`` once ``close()`` has started.
    func ensureOpen() throws {
        let isOpen = lifecycle.withLock { lifecycle -> Bool in
            if case .open = lifecycle { return true }
            return false
        }
        if !isOpen { throw BrowserError.closed }
    }

    /// Deletes the profile, retrying briefly: a helper process killed a moment ago may still be
    /// writing into it while the first attempt runs.
    private static func removeProfile(_ profile: ProfileDirectory) async {
        for attempt in 0..<10 {
            if profile.remove() { return }
            if attempt < 9 { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }
}
