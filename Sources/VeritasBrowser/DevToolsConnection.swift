import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The DevTools protocol spoken over Chromium's `--remote-debugging-pipe` file descriptors.
///
/// Messages are JSON objects terminated by a NUL byte in both directions. Commands carry an `id`;
/// a dedicated reader thread reads replies and events, resumes the task waiting for each reply and
/// hands events to subscribers. Every command has a timeout. When the pipe reaches end-of-file or
/// the child exits, every pending command fails at once and later commands fail immediately.
/// Likewise, when a page's renderer crashes (`Inspector.targetCrashed`) or its session goes away
/// (`Target.detachedFromTarget`), the commands pending in that session fail at once.
///
/// Thread safety: all mutable state lives in `Mutex`es; the read descriptor is used only
/// by the reader thread, which also closes it. Locks are never nested.
final class DevToolsConnection: Sendable {
    /// The `result` object of a successful reply.
    typealias Reply = [String: DevToolsValue]

    private struct Pending: Sendable {
        let method: String
        let sessionID: String?
        let continuation: CheckedContinuation<Reply, any Error>
        var timer: Task<Void, Never>?
    }

    private struct Subscription: Sendable {
        let methods: Set<String>
        let sessionID: String?
        let continuation: AsyncStream<DevToolsEvent>.Continuation
    }

    private struct State: Sendable {
        var nextCommandID = 1
        var nextSubscriptionID = 1
        var pending: [Int: Pending] = [:]
        var subscriptions: [Int: Subscription] = [:]
        /// Sessions whose page crashed (`.pageCrashed`, cleared by a new navigation) or whose
        /// target is gone (`.closed`, permanent): commands in them fail immediately.
        var sessionFailures: [String: BrowserError] = [:]
        /// The owner is closing the browser: new commands are refused, failures read as `.closed`.
        var closing = false
        /// Set once the connection is unusable; every later command fails with it.
        var terminalError: BrowserError?
        /// Asks the reader thread to stop at its next wake-up (at most `pollInterval` later).
        var stopRequested = false
        var readerFinished = false
        var readerFinishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private enum ReaderOutcome {
        case stopped, endOfStream, childExited, readFailed(Int32)
    }

    private enum WriteResult {
        case written, brokenPipe, failed(BrowserError)
    }

    private final class ThreadEntry: Sendable {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// How often the reader wakes up without input to check for a stop request or a vanished child.
    private static let pollIntervalMilliseconds: Int32 = 200
    private static let readChunkSize = 256 * 1024

    private let process: ChromiumProcess
    private let state = Mutex(State())
    /// Parent's write end, `-1` once closed. The lock also stops concurrent messages interleaving.
    private let writeFD: Mutex<Int32>
    /// Parent's read end; owned by the reader thread (which closes it when it ends).
    private let readFD: Int32
    private let readerThread = Mutex<pthread_t?>(nil)

    init(process: ChromiumProcess, commandWriteFD: Int32, replyReadFD: Int32) {
        self.process = process
        self.writeFD = Mutex(commandWriteFD)
        self.readFD = replyReadFD
    }

    deinit {
        // Only reached once the reader thread has let go of `self`; it may be that very thread, so
        // detach rather than join.
        if let thread = readerThread.withLock({ $0 }) { pthread_detach(thread) }
        writeFD.withLock { fd in
            POSIX.closeIgnoringErrors(fd)
            fd = -1
        }
    }

    /// Starts the reader thread. Must be called exactly once, before any command is sent.
    func start() throws(BrowserError) {
        let entry = Unmanaged.passRetained(ThreadEntry(body: { [self] in runReader() })).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let entry = Unmanaged<ThreadEntry>.fromOpaque(argument!).takeRetainedValue()
            entry.body()
            return nil
        }, entry)
        guard result == 0 else {
            Unmanaged<ThreadEntry>.fromOpaque(entry).release()
            POSIX.closeIgnoringErrors(readFD)
            terminate(with: .launchFailed("cannot start the reader thread: \(POSIX.errorText(result))"))
            markReaderFinished()
            throw .launchFailed("cannot start the reader thread: \(POSIX.errorText(result))")
        }
        readerThread.withLock { $0 = thread }
    }

    /// The error every command fails with from now on, or `nil` while the connection is usable.
    var terminalError: BrowserError? {
        state.withLock { $0.terminalError }
    }

    // MARK: Commands

    /// Sends a command and waits for its reply.
    ///
    /// - Parameters:
    ///   - sessionID: the page session for page-level commands, `nil` for browser-level ones.
    ///   - timeout: how long to wait for the reply (and, in the worst case, for pipe space).
    ///   - allowWhileClosing: lets `Browser.close` through after ``beginClosing()``.
    ///   - revivesCrashedSession: the command (a navigation) brings a crashed page back to life,
    ///     so it is sent even though the session's page crashed.
    /// - Returns: the reply's `result` object.
    /// - Throws: ``BrowserError`` (`protocolError`, `timedOut`, `exited`, `closed`) or
    ///   `CancellationError` if the calling task is cancelled.
    func send(
        _ method: String,
        params: [String: DevToolsValue] = [:],
        sessionID: String? = nil,
        timeout: Duration,
        allowWhileClosing: Bool = false,
        revivesCrashedSession: Bool = false
    ) async throws -> Reply {
        let id = state.withLock { state in
            defer { state.nextCommandID += 1 }
            return state.nextCommandID
        }
        var envelope: [String: Any] = ["id": id, "method": method, "params": DevToolsValue.object(params).foundationObject]
        if let sessionID { envelope["sessionId"] = sessionID }
        var payload = try JSONSerialization.data(withJSONObject: envelope)
        payload.append(0)
        let writeDeadline = ContinuousClock.now + timeout

        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Reply, any Error>) in
                let refusal: BrowserError? = state.withLock { state in
                    if let error = state.terminalError { return error }
                    if state.closing && !allowWhileClosing { return .closed }
                    if let sessionID, let failure = state.sessionFailures[sessionID] {
                        guard failure == .pageCrashed && revivesCrashedSession else { return failure }
                        state.sessionFailures[sessionID] = nil
                    }
                    state.pending[id] = Pending(
                        method: method, sessionID: sessionID, continuation: continuation, timer: nil)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                let timer = Task { [weak self] in
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self?.fail(id, with: BrowserError.timedOut("no reply to \(method) within \(timeout)"))
                }
                let stillPending = state.withLock { state in
                    guard state.pending[id] != nil else { return false }
                    state.pending[id]?.timer = timer
                    return true
                }
                guard stillPending else {
                    timer.cancel()
                    return
                }
                // The cancellation handler may have run before the command was registered.
                if Task.isCancelled {
                    fail(id, with: CancellationError())
                    return
                }
                switch write(payload, method: method, deadline: writeDeadline) {
                case .written:
                    break
                case .brokenPipe:
                    // Chromium closed its end: it is exiting. The reader notices the end-of-file or
                    // the exit and fails this command with the exit status.
                    break
                case .failed(let error):
                    fail(id, with: error)
                }
            }
        } onCancel: {
            fail(id, with: CancellationError())
        }
    }

    /// Completes a pending command with an error; does nothing if it has already completed.
    private func fail(_ id: Int, with error: any Error) {
        guard let entry = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        entry.timer?.cancel()
        entry.continuation.resume(throwing: error)
    }

    private func write(_ payload: Data, method: String, deadline: ContinuousClock.Instant) -> WriteResult {
        writeFD.withLock { fd -> WriteResult in
            guard fd >= 0 else { return .failed(.closed) }
            return payload.withUnsafeBytes { raw -> WriteResult in
                guard let base = raw.baseAddress else { return .written }
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, base + offset, raw.count - offset)
                    if written >= 0 {
                        offset += written
                        continue
                    }
                    let code = errno
                    switch code {
                    case EINTR:
                        continue
                    case EAGAIN, EWOULDBLOCK:
                        let remaining = ContinuousClock.now.duration(to: deadline)
                        if remaining <= .zero {
                            if offset > 0 {
                                // Half a message is in the pipe; the stream can never be parsed
                                // again. Closing our end makes Chromium exit, which fails the rest.
                                POSIX.closeIgnoringErrors(fd)
                                fd = -1
                            }
                            return .failed(.timedOut("Chromium stopped reading commands (sending \(method))"))
                        }
                        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&descriptor, 1, Int32(clamping: remaining.wholeMilliseconds))
                    case EPIPE:
                        return .brokenPipe
                    default:
                        return .failed(.protocolError(method: method, message: "write failed: \(POSIX.errorText(code))"))
                    }
                }
                return .written
            }
        }
    }

    // MARK: Events

    /// Starts collecting events named in `methods` for `sessionID` (`nil`: browser-level events).
    /// Events are buffered from this moment on, so subscribe before sending the command that causes
    /// them. The stream finishes when the connection ends or on ``unsubscribe(_:)``.
    func subscribe(to methods: Set<String>, sessionID: String?) -> (id: Int, events: AsyncStream<DevToolsEvent>) {
        let (stream, continuation) = AsyncStream.makeStream(of: DevToolsEvent.self, bufferingPolicy: .unbounded)
        let id: Int? = state.withLock { state in
            if state.terminalError != nil { return nil }
            let id = state.nextSubscriptionID
            state.nextSubscriptionID += 1
            state.subscriptions[id] = Subscription(methods: methods, sessionID: sessionID, continuation: continuation)
            return id
        }
        guard let id else {
            continuation.finish()
            return (0, stream)
        }
        return (id, stream)
    }

    /// Stops a subscription and finishes its stream.
    func unsubscribe(_ id: Int) {
        state.withLock { $0.subscriptions.removeValue(forKey: id) }?.continuation.finish()
    }

    // MARK: Shutdown

    /// Marks the connection as closing: new commands (except those explicitly allowed) fail with
    /// `.closed`, and so does everything still pending when the pipe ends.
    func beginClosing() {
        state.withLock { $0.closing = true }
    }

    /// Fails everything pending, closes the write end, stops the reader thread and joins it.
    func shutdown() async {
        stopReading()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state in
                if state.readerFinished { return true }
                state.readerFinishWaiters.append(continuation)
                return false
            }
            if finished { continuation.resume() }
        }
        // The reader has run its last statement that touches shared state; joining is immediate.
        if let thread = readerThread.withLock({ thread in
            defer { thread = nil }
            return thread
        }) {
            pthread_join(thread, nil)
        }
    }

    /// Like ``shutdown()`` but without waiting: for `deinit`, which cannot suspend. The reader thread
    /// is detached and ends by itself within one poll interval.
    func abandon() {
        stopReading()
        if let thread = readerThread.withLock({ thread in
            defer { thread = nil }
            return thread
        }) {
            pthread_detach(thread)
        }
    }

    private func stopReading() {
        state.withLock { state in
            state.closing = true
            state.stopRequested = true
        }
        terminate(with: .closed)
        writeFD.withLock { fd in
            POSIX.closeIgnoringErrors(fd)
            fd = -1
        }
    }

    /// Makes the connection unusable: fails every pending command and finishes every subscription.
    private func terminate(with error: BrowserError) {
        let (finalError, pending, subscriptions) = state.withLock { state in
            if state.terminalError == nil { state.terminalError = state.closing ? .closed : error }
            defer {
                state.pending = [:]
                state.subscriptions = [:]
            }
            return (state.terminalError ?? error, state.pending, state.subscriptions)
        }
        for entry in pending.values {
            entry.timer?.cancel()
            entry.continuation.resume(throwing: finalError)
        }
        for subscription in subscriptions.values { subscription.continuation.finish() }
    }

    private func markReaderFinished() {
        let waiters = state.withLock { state in
            state.readerFinished = true
            defer { state.readerFinishWaiters = [] }
            return state.readerFinishWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Reader thread

    private func runReader() {
        var framer = MessageFramer()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkSize, alignment: 16)
        defer { chunk.deallocate() }
        let outcome: ReaderOutcome
        while true {
            if state.withLock({ $0.stopRequested }) {
                outcome = .stopped
                break
            }
            var descriptor = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Self.pollIntervalMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                outcome = .readFailed(errno)
                break
            }
            if ready == 0 {
                // No input. If the browser died while some helper process still holds the pipe's
                // write end open, end-of-file would never come: notice the exit directly.
                if process.hasExited() {
                    outcome = .childExited
                    break
                }
                continue
            }
            let count = read(readFD, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                outcome = .readFailed(errno)
                break
            }
            if count == 0 {
                outcome = .endOfStream
                break
            }
            for message in framer.append(UnsafeRawBufferPointer(rebasing: chunk[..<count])) {
                dispatch(message)
            }
        }
        POSIX.closeIgnoringErrors(readFD)
        finishReading(outcome)
        markReaderFinished()
    }

    private func finishReading(_ outcome: ReaderOutcome) {
        if case .stopped = outcome {
            terminate(with: .closed)
            return
        }
        if state.withLock({ $0.closing }) {
            // The owner is closing the browser and takes care of the process itself.
            terminate(with: .closed)
            return
        }
        // Chromium closed the pipe or exited on its own. Give it a moment to finish exiting so the
        // real status can be reported, then make sure it is gone and reaped.
        let deadline = ContinuousClock.now + .milliseconds(500)
        while !process.hasExited() && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        let status = process.killAndReap()
        terminate(with: .exited(status: status))
    }

    /// Records that commands in `sessionID` cannot succeed and fails those already pending.
    private func failSession(_ sessionID: String, with error: BrowserError) {
        let victims = state.withLock { state -> [Pending] in
            if state.sessionFailures[sessionID] != .closed { state.sessionFailures[sessionID] = error }
            let ids = state.pending.filter { $0.value.sessionID == sessionID }.map(\.key)
            return ids.compactMap { state.pending.removeValue(forKey: $0) }
        }
        for entry in victims {
            entry.timer?.cancel()
            entry.continuation.resume(throwing: error)
        }
    }

    private func dispatch(_ data: Data) {
        guard let value = try? DevToolsValue(parsing: data), case .object(let message) = value else {
            return  // Not a JSON object; nothing can be matched to it.
        }
        if let id = message["id"]?.intValue {
            // A reply; unknown ids belong to commands that already timed out or were cancelled.
            guard let entry = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
            entry.timer?.cancel()
            if let error = message["error"] {
                var text = error["message"]?.stringValue ?? error.description
                if let detail = error["data"]?.stringValue, !detail.isEmpty { text += " (\(detail))" }
                entry.continuation.resume(throwing: BrowserError.protocolError(method: entry.method, message: text))
            } else {
                entry.continuation.resume(returning: message["result"]?.objectValue ?? [:])
            }
        } else if let method = message["method"]?.stringValue {
            let event = DevToolsEvent(
                method: method,
                params: message["params"]?.objectValue ?? [:],
                sessionID: message["sessionId"]?.stringValue
            )
            if method == "Inspector.targetCrashed", let sessionID = event.sessionID {
                failSession(sessionID, with: .pageCrashed)
            } else if method == "Target.detachedFromTarget", let sessionID = event.params["sessionId"]?.stringValue {
                failSession(sessionID, with: .closed)
            }
            let receivers = state.withLock { state in
                state.subscriptions.values
                    .filter { $0.sessionID == event.sessionID && $0.methods.contains(method) }
                    .map(\.continuation)
            }
            for receiver in receivers { receiver.yield(event) }
        }
    }
}
