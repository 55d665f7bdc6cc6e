/// Everything that can go wrong while driving Chromium.
public enum BrowserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Chromium could not be started, or did not answer on the DevTools pipe after starting.
    case launchFailed(String)
    /// Chromium exited (or closed the pipe) while a call was in flight.
    /// `status` is the exit code, or `128 + signal` if it was killed by a signal.
    case exited(status: Int32)
    /// An operation did not finish in time; the text says what was being waited for.
    case timedOut(String)
    /// Chromium answered a command with a protocol error.
    case protocolError(method: String, message: String)
    /// `Page.navigate` reported an error (for example `net::ERR_CONNECTION_REFUSED`).
    case navigationFailed(url: String, reason: String)
    /// A script evaluated in the page threw; the text is the exception's description.
    case javaScriptError(String)
    /// Chromium answered with something this module cannot interpret (for example screenshot data
    /// that is not a PNG).
    case invalidResponse(method: String, reason: String)
    /// The page's renderer process crashed. Pending calls on the page fail with this error, and
    /// so do later ones until the page is navigated again.
    case pageCrashed
    /// The browser or page was closed (by the caller, or the tab went away) before or during
    /// the call.
    case closed

    /// A one-line explanation for logs and reports.
    public var description: String {
        switch self {
        case .launchFailed(let reason):
            return "Chromium failed to launch: \(reason)"
        case .exited(let status):
            return "Chromium exited unexpectedly (status \(status))"
        case .timedOut(let what):
            return "Timed out: \(what)"
        case .protocolError(let method, let message):
            return "DevTools error for \(method): \(message)"
        case .navigationFailed(let url, let reason):
            return "Navigation to \(url) failed: \(reason)"
        case .javaScriptError(let text):
            return "JavaScript exception: \(text)"
        case .invalidResponse(let method, let reason):
            return "Invalid response to \(method): \(reason)"
        case .pageCrashed:
            return "The page's renderer process crashed"
        case .closed:
            return "The browser or page has been closed"
        }
    }
}
