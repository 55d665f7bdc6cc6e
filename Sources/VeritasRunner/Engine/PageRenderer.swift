import Foundation
import Logging
import VeritasBrowser

/// Renders a page in headless Chromium (over the DevTools protocol) the way a visitor sees it:
/// the DOM after scripts ran, twice a moment apart (so ticking clocks can be told from static
/// text, and what scripts add in the first seconds is seen), a viewport and a full-page
/// screenshot, and on request the same for a few more pages of the site.
struct PageRenderer: Sendable {
    /// What one rendering produced.
    struct Rendering: Sendable {
        /// The serialised DOM the detectors read: taken at least ``PageRenderer/tickInterval``
        /// after ``earlierHTML``, once clock-like text changed if the page shows any (so it
        /// holds what scripts added in the first two seconds or so after load, as a visitor
        /// sees it: toasts and pop-ups commonly come a second or more after the load event).
        var html: String
        /// The serialised DOM after ``PageRenderer/settleDelay``, for telling a ticking clock
        /// from static text; when a script built a clock after it, the snapshot taken when the
        /// clock was there, one ``PageRenderer/tickInterval`` before ``html``.
        var earlierHTML: String
        /// The serialised DOM once the timers pending at ``html`` and due by
        /// ``PageRenderer/lateContentHorizon`` have run (a newsletter pop-up opened 3 s after
        /// load, a "just bought" toast at 5 s), and the pointer has left the window on a page that
        /// listens for it (an exit-intent pop-up); `nil` when neither changed anything. Detectors
        /// read it as well, compared with ``html``: what it shows beyond ``html`` is also what a
        /// visitor sees.
        var lateHTML: String?
        var viewport: Data?
        var fullPage: FullPageScreenshot?
        /// The page's elements and their boxes, measured just before ``fullPage`` was taken, so a
        /// finding can be outlined on it; empty when they could not be measured.
        var elementBoxes: [ElementBox] = []
        /// Extra pages followed on the `deep` tier.
        var followed: [FollowedPage]
    }

    struct FollowedPage: Sendable {
        var url: URL
        var html: String
        var screenshot: Data?
    }

    var options: BrowserOptions
    /// How long scripts get after the load event before the first snapshot (pages commonly inject
    /// banners, toasts and modals a few hundred milliseconds after load).
    var settleDelay: Duration = .milliseconds(1_000)
    /// The least gap between the two snapshots; over a second, so a clock showing seconds
    /// changes (on a page with clocks the wait stops early once they did, and gives up after
    /// three gaps). Every page gets the gap: the second snapshot is the one the detectors read.
    var tickInterval: Duration = .milliseconds(1_300)
    /// How long after the navigation started a pending timer may be due for the renderer to wait
    /// for it and read the page once more. Shops commonly open pop-ups and toasts 3 to 8 s after
    /// load, later than the two snapshots; a timer due later than this is not waited for.
    var lateContentHorizon: Duration = .milliseconds(8_000)
    let logger: Logger

    /// Serialises the live DOM with form state written back into attributes: a checkbox ticked
    /// by a script (`box.checked = true`) has no `checked` attribute in `outerHTML`, but the person
    /// sees it ticked.
    static let serialiseDOM = """
        (() => {
          const root = document.documentElement.cloneNode(true);
          const live = document.documentElement.querySelectorAll('input, option');
          const copies = root.querySelectorAll('input, option');
          live.forEach((element, index) => {
            const copy = copies[index];
            if (!copy) return;
            if (element.tagName === 'OPTION') {
              element.selected ? copy.setAttribute('selected', '') : copy.removeAttribute('selected');
            } else if (element.type === 'checkbox' || element.type === 'radio') {
              element.checked ? copy.setAttribute('checked', '') : copy.removeAttribute('checked');
            }
          });
          return '<!DOCTYPE html>' + root.outerHTML;
        })()
        """

    /// Installed before the page's own scripts: keeps the due time of every pending `setTimeout`
    /// (dropped when it runs or is cleared), and answers how long until the last one due within a
    /// horizon runs. Only `setTimeout`: a `setInterval` clock is due every second forever. It also
    /// counts the page's exit-intent listeners, so ``lateSnapshot(_:)`` makes the leaving gesture
    /// only on a page that listens for it.
    static let timerLedger = """
        (() => {
          const pending = new Map();
          const schedule = window.setTimeout, cancel = window.clearTimeout;
          window.setTimeout = function (handler, delay, ...rest) {
            if (typeof handler !== 'function') return schedule.call(window, handler, delay, ...rest);
            let id;
            id = schedule.call(window, function () { pending.delete(id); return handler.apply(this, rest); }, delay);
            pending.set(id, performance.now() + Math.max(0, Number(delay) || 0));
            return id;
          };
          window.clearTimeout = function (id) { pending.delete(id); return cancel.call(window, id); };
          Object.defineProperty(window, '__veritasLastTimerWithin', {
            value: horizon => {
              let last = 0;
              for (const due of pending.values()) if (due <= horizon && due > last) last = due;
              return Math.max(0, last - performance.now());
            },
          });
          // Exit-intent listeners: a pointer leaving the window (mouseout with no element to go
          // to, mouseleave of the document), the gesture shops' "Wait! Don't go" pop-ups wait for.
          let leaveListeners = 0;
          const listen = EventTarget.prototype.addEventListener;
          EventTarget.prototype.addEventListener = function (type, ...rest) {
            if ((type === 'mouseout' || type === 'mouseleave') &&
                (this === window || this === document || this === document.documentElement || this === document.body)) leaveListeners++;
            return listen.call(this, type, ...rest);
          };
          let observer = null, changed = false;
          Object.defineProperty(window, '__veritasLeave', {
            value: () => {
              const handlers = [window, document, document.documentElement, document.body]
                .some(target => target && (target.onmouseout || target.onmouseleave));
              if (!leaveListeners && !handlers) return false;
              changed = false;
              observer = new MutationObserver(() => { changed = true; });
              observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
              const at = { clientX: Math.round(innerWidth / 2), clientY: 0, screenY: 0, relatedTarget: null, view: window };
              const top = document.elementFromPoint(at.clientX, 1) || document.body || document.documentElement;
              top.dispatchEvent(new MouseEvent('mouseout', { ...at, bubbles: true, cancelable: true }));
              for (const target of [document.documentElement, document])
                target.dispatchEvent(new MouseEvent('mouseleave', { ...at, bubbles: false }));
              return true;
            },
          });
          Object.defineProperty(window, '__veritasLeaveChanged', {
            value: () => {
              if (!observer) return false;
              if (observer.takeRecords().length > 0) changed = true;
              observer.disconnect();
              observer = null;
              return changed;
            },
          });
        })()
        """

    /// Renders `url`; then navigates the same tab to each page `follow` picks from the rendered
    /// DOM (so links a script builds count) and takes one snapshot and a viewport screenshot of
    /// it. A followed page that fails is logged and skipped.
    /// - Parameter proxyPort: the audit's ``EgressProxy``: every request Chromium makes (navigation,
    ///   subresources, fetch/XHR, WebSocket), loopback included, goes through it.
    func render(_ url: URL, proxyPort: Int?, follow: @Sendable (_ renderedHTML: String) -> [URL] = { _ in [] }) async throws -> Rendering {
        var options = options
        if let proxyPort {
            // `<-loopback>` removes Chromium's implicit bypass of localhost: loopback goes through
            // the guard like every other address.
            options.extraArguments += ["--proxy-server=http://127.0.0.1:\(proxyPort)", "--proxy-bypass-list=<-loopback>"]
        }
        let browser = try await HeadlessBrowser.launch(options)
        do {
            let rendering = try await render(url, follow: follow, browser: browser)
            await browser.close()
            return rendering
        } catch {
            await browser.close()
            throw error
        }
    }

    private func render(_ url: URL, follow: @Sendable (String) -> [URL], browser: HeadlessBrowser) async throws -> Rendering {
        let page = try await browser.newPage()
        _ = try await page.command("Page.addScriptToEvaluateOnNewDocument", params: ["source": .string(Self.timerLedger)])
        _ = try await page.navigate(to: url)
        try await Task.sleep(for: settleDelay)
        var earlierHTML = try await snapshot(page)
        let clocksAtFirst = try await clocks(page)
        var html = try await laterSnapshot(page, clocksBefore: clocksAtFirst)
        // A clock a script built after the first snapshot (a cart widget's offer timer 1.2 s after
        // load) has no earlier reading to be compared with: one more pair, the later snapshot
        // becoming the earlier one. Costs ``tickInterval`` more on such pages only.
        let clocksAtSecond = try await clocks(page)
        if clocksAtSecond.count > clocksAtFirst.count {
            earlierHTML = html
            html = try await laterSnapshot(page, clocksBefore: clocksAtSecond)
        }
        let lateHTML = try await lateSnapshot(page)
        let viewport = await attempt("viewport screenshot") { try await page.viewportScreenshot() }
        let elementBoxes = await attempt("measuring element boxes") { try await page.elementBoxes() } ?? []
        let fullPage = await attempt("full-page screenshot") { try await page.fullPageScreenshot() }
        var followed: [FollowedPage] = []
        for link in follow(html) {
            do {
                _ = try await page.navigate(to: link)
                try await Task.sleep(for: settleDelay)
                let linkedHTML = try await snapshot(page)
                let shot = await attempt("screenshot of \(link.absoluteString)") { try await page.viewportScreenshot() }
                followed.append(FollowedPage(url: link, html: linkedHTML, screenshot: shot))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.info("deep audit: could not render a followed page", metadata: ["url": "\(link.absoluteString)", "error": "\(error)"])
            }
        }
        return Rendering(html: html, earlierHTML: earlierHTML, lateHTML: lateHTML, viewport: viewport, fullPage: fullPage, elementBoxes: elementBoxes, followed: followed)
    }

    /// Clock-like texts on the page (`14:59`, `02 : 14 : 55`, `1h 05m`, `03 days : 19 hours`), as
    /// the visitor reads them, and clocks drawn as digit boxes (three or four sibling elements
    /// holding one or two digits each, which `innerText` runs together as "02230054"); the
    /// countdown detector's block clocks are read the same way.
    static let clockTexts = #"""
        (() => {
          const text = (document.body && document.body.innerText) || '';
          const clocks = text.match(/\d{1,2}\s?(:\s?\d{2}){1,3}|\d+\s?(d|days?|h|hrs?|hours?|m|mins?|minutes?)\b[\s:,]*\d+\s?(h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?)\b/gi) || [];
          const boxes = Array.from(document.querySelectorAll('body *')).filter(element => {
            const kids = Array.from(element.children);
            return kids.length >= 3 && kids.length <= 4 && kids.every(kid => /^\s*\d{1,2}\s*$/.test(kid.textContent))
              && element.textContent.replace(/\s/g, '').length === kids.map(kid => kid.textContent.trim()).join('').length;
          }).map(element => Array.from(element.children).map(kid => kid.textContent.trim()).join(':'));
          return clocks.concat(boxes).join(' ');
        })()
        """#

    /// The second snapshot, `tickInterval` after the first; on a page that shows clock-like text,
    /// taken once the clocks changed, or after `tickInterval` × 3 if they did not (a busy machine
    /// can delay a page's timers). `before` is what ``clocks(_:)`` read just before.
    private func laterSnapshot(_ page: BrowserPage, clocksBefore before: [Substring]) async throws -> String {
        let deadline = ContinuousClock.now + tickInterval * 3
        try await Task.sleep(for: tickInterval)
        while !before.isEmpty, ContinuousClock.now < deadline, try await clocks(page) == before {
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await snapshot(page)
    }

    /// A snapshot taken once the timers pending now and due within ``lateContentHorizon`` of the
    /// navigation have run (plus a moment for what they start to draw), and then, on a page that
    /// listens for it, once the pointer has left the window as a visitor's does on the way to
    /// another tab: shops open their "Wait! Don't go" pop-ups on that gesture and on no other.
    /// `nil` when no timer was pending and the gesture changed nothing. Only the timers pending
    /// now: a chain of toasts, each scheduling the next, is read once.
    private func lateSnapshot(_ page: BrowserPage) async throws -> String? {
        let horizon = lateContentHorizon.components.seconds * 1_000 + lateContentHorizon.components.attoseconds / 1_000_000_000_000_000
        let wait = try await page.evaluate("window.__veritasLastTimerWithin ? window.__veritasLastTimerWithin(\(horizon)) : 0").doubleValue ?? 0
        if wait > 0 {
            try await Task.sleep(for: .milliseconds(Int(wait.rounded(.up))) + Self.drawingMoment)
        }
        var left = false
        if try await page.evaluate("window.__veritasLeave ? window.__veritasLeave() : false").boolValue ?? false {
            try await Task.sleep(for: Self.drawingMoment)
            left = try await page.evaluate("window.__veritasLeaveChanged()").boolValue ?? false
        }
        guard wait > 0 || left else { return nil }
        return try await snapshot(page)
    }

    /// What a timer's callback gets to draw before the late snapshot (a fade-in, a fetch of the
    /// pop-up's markup from the page's own script).
    static let drawingMoment: Duration = .milliseconds(300)

    /// The clock-like texts (``clockTexts``) the page shows now, in reading order.
    private func clocks(_ page: BrowserPage) async throws -> [Substring] {
        (try await page.evaluate(Self.clockTexts).stringValue ?? "").split(separator: " ")
    }

    private func snapshot(_ page: BrowserPage) async throws -> String {
        guard let html = try await page.evaluate(Self.serialiseDOM).stringValue else {
            throw BrowserError.protocolError(method: "Runtime.evaluate", message: "the DOM did not serialise to a string")
        }
        return html
    }

    /// A screenshot is worth having but not worth the verdict: a failure is logged and skipped.
    private func attempt<T: Sendable>(_ what: String, _ body: () async throws -> T) async -> T? {
        do {
            return try await body()
        } catch {
            logger.warning("\(what) failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The configured path if it is executable, else `chromium` or `chromium-browser` on PATH.
    static func locateChromium(configured: String) -> String? {
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
}
