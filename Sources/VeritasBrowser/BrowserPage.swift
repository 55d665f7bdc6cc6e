import Foundation
import Synchronization

/// One tab of a ``HeadlessBrowser``, attached through a flat DevTools session.
///
/// Methods may be called from any task. Commands for one page are executed by Chromium in the
/// order they arrive; running two navigations of the same page at once is allowed but pointless.
/// A page keeps its browser alive; ``close()`` closes the tab, closing the browser closes them all.
public final class BrowserPage: Sendable {
    /// The browser this page belongs to.
    public let browser: HeadlessBrowser
    /// Chromium's id for the tab.
    public let targetID: String
    /// The flat-mode session id page-level commands are sent with.
    let sessionID: String
    private let isClosed = Mutex(false)

    private var connection: DevToolsConnection { browser.connection }
    private var options: BrowserOptions { browser.options }

    init(browser: HeadlessBrowser, targetID: String, sessionID: String) {
        self.browser = browser
        self.targetID = targetID
        self.sessionID = sessionID
    }

    // MARK: Navigation

    /// Navigates to `url` and waits for the new document's load event.
    ///
    /// The whole operation is bounded by ``BrowserOptions/navigationTimeout``. The load event is
    /// taken from `Page.lifecycleEvent` (the same moment as `Page.loadEventFired`, but tagged with
    /// the loader id, so a late event of an earlier document is never mistaken for this one's).
    /// If a script replaces the document before it finishes loading, the replacement's load event
    /// counts. Same-document navigations (only the fragment changes) return at once.
    ///
    /// - Returns: the final URL and, when available, the HTTP status of the main document.
    /// Navigating is also how a page whose renderer crashed is brought back to life (a late crash
    /// report can fail the first navigation after a crash with ``BrowserError/pageCrashed``;
    /// navigate again).
    ///
    /// - Throws: ``BrowserError/navigationFailed(url:reason:)`` when Chromium reports an error such
    ///   as `net::ERR_CONNECTION_REFUSED`; ``BrowserError/timedOut(_:)`` when there is no response
    ///   or no load event in time (loading is then stopped, the tab stays usable);
    ///   ``BrowserError/pageCrashed`` when the renderer crashes while loading.
    @discardableResult
    public func navigate(to url: URL) async throws -> NavigationResult {
        try ensureOpen()
        let target = url.absoluteString
        let timeout = options.navigationTimeout
        let deadline = ContinuousClock.now + timeout
        // Subscribe first: the events may arrive before the reply to Page.navigate.
        let subscription = connection.subscribe(
            to: ["Page.lifecycleEvent", "Inspector.targetCrashed"], sessionID: sessionID)
        defer { connection.unsubscribe(subscription.id) }

        let reply: DevToolsConnection.Reply
        do {
            reply = try await send(
                "Page.navigate", params: ["url": .string(target)], timeout: timeout, revivesCrashedPage: true)
        } catch BrowserError.timedOut {
            await stopLoading()
            throw BrowserError.timedOut("navigation to \(target): no response within \(timeout)")
        }
        if let errorText = reply["errorText"]?.stringValue, !errorText.isEmpty {
            throw BrowserError.navigationFailed(url: target, reason: errorText)
        }
        if reply["isDownload"]?.boolValue == true {
            throw BrowserError.navigationFailed(url: target, reason: "the response is a download")
        }
        if let loaderID = reply["loaderId"]?.stringValue, let frameID = reply["frameId"]?.stringValue {
            do {
                try await Self.waitForLoad(
                    of: subscription.events, frameID: frameID, loaderID: loaderID,
                    deadline: deadline, connection: connection)
            } catch BrowserError.timedOut {
                await stopLoading()
                throw BrowserError.timedOut("navigation to \(target): no load event within \(timeout)")
            }
        }
        return try await describeLoadedDocument(requested: url)
    }

    /// Waits for the `load` lifecycle event of the document `loaderID` in frame `frameID` (or of a
    /// document that replaced it after it was committed) until `deadline`.
    private static func waitForLoad(
        of events: AsyncStream<DevToolsEvent>,
        frameID: String,
        loaderID: String,
        deadline: ContinuousClock.Instant,
        connection: DevToolsConnection
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var accepted: Set<String> = [loaderID]
                var committed = false
                for await event in events {
                    if event.method == "Inspector.targetCrashed" { throw BrowserError.pageCrashed }
                    guard event.params["frameId"]?.stringValue == frameID,
                          let name = event.params["name"]?.stringValue,
                          let loader = event.params["loaderId"]?.stringValue else { continue }
                    if name == "init" {
                        if loader == loaderID {
                            committed = true
                        } else if committed {
                            accepted.insert(loader)  // The page replaced its document by script.
                        }
                    } else if name == "load", accepted.contains(loader) {
                        return
                    }
                }
                try Task.checkCancellation()
                throw connection.terminalError ?? BrowserError.closed
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                throw BrowserError.timedOut("load event")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Best effort: stops a navigation that did not finish, so the tab can be used again.
    private func stopLoading() async {
        _ = try? await send("Page.stopLoading", timeout: min(options.commandTimeout, .seconds(2)))
    }

    private func describeLoadedDocument(requested url: URL) async throws -> NavigationResult {
        let expression = """
            (() => { const entry = performance.getEntriesByType('navigation')[0]; \
            return { url: location.href, status: entry && entry.responseStatus ? entry.responseStatus : 0 }; })()
            """
        do {
            let value = try await evaluate(expression, timeout: min(options.commandTimeout, .seconds(3)))
            let status = value["status"]?.intValue
            return NavigationResult(
                requestedURL: url,
                finalURL: value["url"]?.stringValue,
                httpStatus: status.flatMap { $0 > 0 ? $0 : nil })
        } catch let error as BrowserError {
            switch error {
            case .exited, .closed, .pageCrashed:
                throw error
            default:
                // The page loaded; a page whose script keeps the main thread busy right after
                // loading just yields no details.
                return NavigationResult(requestedURL: url, finalURL: nil, httpStatus: nil)
            }
        }
    }

    // MARK: Content

    /// The rendered DOM as markup: `document.documentElement.outerHTML` (without the doctype),
    /// reflecting every change scripts have made so far.
    public func html() async throws -> String {
        let value = try await evaluate("document.documentElement ? document.documentElement.outerHTML : ''")
        guard let html = value.stringValue else {
            throw BrowserError.invalidResponse(method: "Runtime.evaluate", reason: "outerHTML is not a string")
        }
        return html
    }

    /// Evaluates a JavaScript expression in the page and returns its value converted to JSON.
    ///
    /// Promises are awaited. `undefined` and values that JSON cannot carry (functions, symbols)
    /// become `.null`; `NaN`, `±Infinity` and `-0` become the matching `Double`; a BigInt becomes
    /// its text, e.g. `"12n"`. DOM nodes and other host objects come back as `{}`.
    ///
    /// - Throws: ``BrowserError/javaScriptError(_:)`` with the exception's text when the
    ///   expression throws or the promise rejects.
    public func evaluate(_ expression: String) async throws -> DevToolsValue {
        try await evaluate(expression, timeout: options.commandTimeout)
    }

    private func evaluate(_ expression: String, timeout: Duration) async throws -> DevToolsValue {
        let reply = try await send(
            "Runtime.evaluate",
            params: ["expression": .string(expression), "returnByValue": true, "awaitPromise": true],
            timeout: timeout)
        if let details = reply["exceptionDetails"] {
            throw BrowserError.javaScriptError(Self.exceptionText(details))
        }
        guard let remote = reply["result"] else {
            throw BrowserError.invalidResponse(method: "Runtime.evaluate", reason: "no result")
        }
        return Self.value(of: remote)
    }

    /// Converts a by-value `Runtime.RemoteObject` into a ``DevToolsValue``.
    static func value(of remote: DevToolsValue) -> DevToolsValue {
        if let value = remote["value"] { return value }
        if let text = remote["unserializableValue"]?.stringValue {
            switch text {
            case "NaN": return .number(.nan)
            case "Infinity": return .number(.infinity)
            case "-Infinity": return .number(-.infinity)
            case "-0": return .number(-0.0)
            default: return .string(text)
            }
        }
        return .null
    }

    /// The most useful text of a `Runtime.ExceptionDetails`.
    static func exceptionText(_ details: DevToolsValue) -> String {
        if let description = details["exception"]?["description"]?.stringValue { return description }
        if let value = details["exception"]?["value"], !value.isNull {
            return value.stringValue ?? value.description
        }
        return details["text"]?.stringValue ?? "unknown exception"
    }

    // MARK: Screenshots

    /// A PNG of the visible viewport (`viewportWidth`×`viewportHeight` pixels).
    public func viewportScreenshot() async throws -> Data {
        let reply = try await send("Page.captureScreenshot", params: ["format": "png"])
        return try PNGHeader.decodeScreenshot(reply, method: "Page.captureScreenshot").png
    }

    /// A PNG of the page from its top, `viewportWidth` pixels wide and as tall as the page, but at
    /// least the viewport height and at most ``BrowserOptions/fullPageMaxHeight``.
    ///
    /// The page height is the larger `scrollHeight` of `<html>` and `<body>` (for short pages that
    /// is already the viewport height). The capture uses `captureBeyondViewport`, so the viewport
    /// size the page sees is unchanged afterwards, whatever it is scrolled to.
    public func fullPageScreenshot() async throws -> FullPageScreenshot {
        let measured = try await evaluate("""
            Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, \
            document.body ? document.body.scrollHeight : 0)
            """)
        guard let pageHeight = measured.intValue, pageHeight >= 0 else {
            throw BrowserError.invalidResponse(method: "Runtime.evaluate", reason: "page height is \(measured)")
        }
        let height = min(max(pageHeight, options.viewportHeight), options.fullPageMaxHeight)
        let reply = try await send("Page.captureScreenshot", params: [
            "format": "png",
            "captureBeyondViewport": true,
            "clip": [
                "x": 0, "y": 0,
                "width": .number(Double(options.viewportWidth)),
                "height": .number(Double(height)),
                "scale": 1,
            ],
        ])
        let (png, header) = try PNGHeader.decodeScreenshot(reply, method: "Page.captureScreenshot")
        return FullPageScreenshot(png: png, width: header.width, capturedHeight: header.height, pageHeight: pageHeight)
    }

    // MARK: Raw protocol access and closing

    /// Sends any page-level DevTools command (for example `"Network.enable"`) in this page's
    /// session and returns the reply's `result` object. Bounded by ``BrowserOptions/commandTimeout``.
    public func command(_ method: String, params: [String: DevToolsValue] = [:]) async throws -> [String: DevToolsValue] {
        try await send(method, params: params)
    }

    /// Closes the tab (`Target.closeTarget`). Later calls on this page throw ``BrowserError/closed``.
    /// Does nothing if the page or its browser is already closed.
    public func close() async {
        let wasOpen = isClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard wasOpen, (try? browser.ensureOpen()) != nil else { return }
        _ = try? await connection.send(
            "Target.closeTarget", params: ["targetId": .string(targetID)], timeout: options.commandTimeout)
    }

    private func ensureOpen() throws {
        if isClosed.withLock({ $0 }) { throw BrowserError.closed }
        try browser.ensureOpen()
    }

    private func send(
        _ method: String, params: [String: DevToolsValue] = [:], timeout: Duration? = nil,
        revivesCrashedPage: Bool = false
    ) async throws -> DevToolsConnection.Reply {
        try ensureOpen()
        return try await connection.send(
            method, params: params, sessionID: sessionID, timeout: timeout ?? options.commandTimeout,
            revivesCrashedSession: revivesCrashedPage)
    }
}
