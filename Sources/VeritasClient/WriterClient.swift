import Foundation
import Synchronization
import VeritasProtocol
import ZeroMQ

/// An async client of a writer's queries endpoint (docs/PROTOCOL.md §5).
///
/// It speaks through a `DEALER` socket rather than `REQ`: a `REQ` socket whose reply is lost (a
/// writer restarted, a request timed out) can never send again, while a `DEALER` can. Every
/// request carries a unique `request_id`; replies are matched by it, so a late reply to a request
/// that already timed out is recognised and dropped instead of answering the next call.
/// Requests may be made concurrently from any task; the writer answers them in order.
///
/// ```swift
/// let client = try WriterClient(endpoint: "tcp://127.0.0.1:5555")
/// defer { Task { await client.close() } }
/// let audit = try await client.submit(url: "https://example.com", tier: .quick)
/// let latest = try await client.status(audit.id, timeout: .seconds(2))
/// ```
///
/// Call ``close()`` when done: it stops the socket thread.
public final class WriterClient: Sendable {
    /// The queries endpoint this client connects to, e.g. `tcp://127.0.0.1:5555`.
    public let endpoint: String
    /// The deadline of a call that does not pass its own `timeout`.
    public let defaultTimeout: Duration

    private let loop: SocketLoop
    private let socket: AsyncSocket
    private let monitor: SocketMonitor?
    /// Why the writer last refused the handshake, to explain an unreachable writer.
    private let refusal: RefusalRecord
    private let curveEnabled: Bool
    private let state = Mutex(State())
    /// Distinguishes this client's request ids from any other client's (the writer does not
    /// care, but logs and packet captures read better).
    private let idPrefix: String

    private struct Waiter {
        let operation: QueryOperation
        let continuation: CheckedContinuation<Result<QueryResponse, ClientError>, Never>
        let timeout: Duration
        /// Whether libzmq took the request, i.e. a connection to the writer existed.
        var sent = false
        var timer: Task<Void, Never>?
    }

    private struct State {
        var waiters: [String: Waiter] = [:]
        var nextNumber = 0
        var closed = false
        /// Replies that matched no waiting request (stale or foreign); for tests and diagnostics.
        var unmatchedReplies = 0
    }

    /// Connects to `endpoint` (nothing is sent until the first call).
    ///
    /// - Parameters:
    ///   - endpoint: the writer's queries endpoint.
    ///   - timeout: the default per-call deadline (5 s).
    ///   - curve: CURVE credentials, for a writer that requires them; `nil` for plaintext.
    /// - Throws: ``ClientError/Code/unreachable`` when the endpoint cannot even be parsed.
    public init(
        endpoint: String = DefaultEndpoints.queriesConnect, timeout: Duration = .seconds(5), curve: CurveClientCredentials? = nil
    ) throws(ClientError) {
        self.endpoint = endpoint
        self.defaultTimeout = timeout
        self.curveEnabled = curve != nil
        idPrefix = String(UInt32.random(in: .min ... .max), radix: 16)
        let refusal = RefusalRecord()
        self.refusal = refusal
        do throws(ZMQError) {
            let context = try Context()
            let dealer = try Socket(context, type: .dealer)
            if let curve { try dealer.configureCurveClient(curve) }
            // A refused handshake is otherwise indistinguishable from a writer that is not there.
            // A refused TCP connection (nothing listens) shows as a retried connect: calls waiting
            // to be sent then fail at once rather than after their deadline.
            monitor = try? SocketMonitor(
                watching: dealer, events: [.handshakeFailures, .handshakeSucceeded, .disconnected, .connected, .connectRetried]
            ) { event in
                refusal.record(event)
            }
            // Never keep unsent requests around after close, and queue requests only on a live
            // connection: with no connection a send waits, so the deadline can tell
            // "unreachable" (never sent) from "timeout" (sent, no reply).
            try dealer.set(.linger, Duration.zero)
            try dealer.set(.immediate, true)
            try dealer.connect(endpoint)
            loop = try SocketLoop(name: "veritas-client")
            socket = loop.register(dealer, options: AsyncSocket.Options(maxFrames: 8, sendTimeout: timeout))
        } catch {
            throw ClientError(.unreachable, "cannot connect to \(endpoint): \(error.message)", endpoint: endpoint)
        }
        refusal.onConnectionRefused { [weak self] in self?.failUnsent() }
        let socket = self.socket
        Task { [weak self] in
            for await frames in socket.messages {
                guard let self else { return }
                self.dispatch(frames)
            }
        }
    }

    /// Fails every call still waiting, closes the socket and stops its thread.
    public func close() async {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .failure(ClientError(.unreachable, "the client was closed before \(endpoint) replied", endpoint: endpoint)))
        }
        await socket.close()
        await loop.shutdown()
        monitor?.stop()
    }

    /// How many replies arrived that matched no waiting request (late replies to calls that timed
    /// out, or replies the client could not attribute).
    public var unmatchedReplies: Int { state.withLock { $0.unmatchedReplies } }

    // MARK: - Queries

    /// Queues an audit of `url` (`submit`); returns it as stored, status `queued`.
    ///
    /// Not idempotent: after a ``ClientError/Code/timeout`` the audit may still have been created
    /// (look for it with ``list(status:limit:offset:timeout:)``).
    public func submit(
        url: String, tier: Tier = .standard, verdictMode: VerdictMode = .simple, timeout: Duration? = nil
    ) async throws(ClientError) -> Audit {
        let response = try await perform(.submit(url: url, tier: tier, verdictMode: verdictMode), timeout: timeout)
        guard case .submitted(let audit) = response.reply else { throw mismatch(response, .submit) }
        return audit
    }

    /// One audit (`status`).
    public func status(_ auditID: AuditID, timeout: Duration? = nil) async throws(ClientError) -> Audit {
        let response = try await perform(.status(auditID: auditID), timeout: timeout)
        guard case .audit(let audit) = response.reply else { throw mismatch(response, .status) }
        return audit
    }

    /// A page of audits, newest first (`list`). `limit` is 1–500, `offset` 0–1 000 000.
    public func list(
        status: AuditStatus? = nil, limit: Int = ProtocolLimits.defaultListLimit, offset: Int = 0, timeout: Duration? = nil
    ) async throws(ClientError) -> AuditList {
        let response = try await perform(.list(status: status, limit: limit, offset: offset), timeout: timeout)
        guard case .auditList(let list) = response.reply else { throw mismatch(response, .list) }
        return list
    }

    /// The dark-pattern findings of one audit (`findings`); empty until it completes.
    public func findings(_ auditID: AuditID, timeout: Duration? = nil) async throws(ClientError) -> FindingList {
        let response = try await perform(.findings(auditID: auditID), timeout: timeout)
        guard case .findings(let list) = response.reply else { throw mismatch(response, .findings) }
        return list
    }

    /// The metadata of one audit's screenshots (`screenshots`), by index.
    public func screenshots(_ auditID: AuditID, timeout: Duration? = nil) async throws(ClientError) -> ScreenshotList {
        let response = try await perform(.screenshots(auditID: auditID), timeout: timeout)
        guard case .screenshots(let list) = response.reply else { throw mismatch(response, .screenshots) }
        return list
    }

    /// One screenshot's metadata and image bytes (`screenshot`).
    public func screenshot(_ auditID: AuditID, index: Int, timeout: Duration? = nil) async throws(ClientError) -> (ScreenshotInfo, Data) {
        let response = try await perform(.screenshot(auditID: auditID, index: index), timeout: timeout)
        guard case .screenshot(let info, _) = response.reply, let image = response.image else {
            throw mismatch(response, .screenshot)
        }
        return (info, image)
    }

    /// The writer's health (`health`).
    public func health(timeout: Duration? = nil) async throws(ClientError) -> HealthReport {
        let response = try await perform(.health, timeout: timeout)
        guard case .health(let report) = response.reply else { throw mismatch(response, .health) }
        return report
    }

    /// Sends any request and returns the decoded reply together with its raw frames.
    ///
    /// The typed methods above are built on this; use it directly to get the reply's JSON as the
    /// writer sent it. An error reply is thrown as ``ClientError/Code/server(_:)``.
    public func perform(_ request: QueryRequest, timeout: Duration? = nil) async throws(ClientError) -> QueryResponse {
        let timeout = timeout ?? defaultTimeout
        let requestID = state.withLock { state in
            state.nextNumber += 1
            return "\(idPrefix)-\(state.nextNumber)"
        }
        let frames = [Frame(), Frame(QueryEnvelope(requestID: requestID, request: request).encode())]
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<QueryResponse, ClientError>, Never>) in
                guard !Task.isCancelled else {
                    continuation.resume(returning: .failure(ClientError(.timeout, "the request to \(endpoint) was cancelled", endpoint: endpoint)))
                    return
                }
                let accepted = state.withLock { state -> Bool in
                    guard !state.closed else { return false }
                    state.waiters[requestID] = Waiter(operation: request.operation, continuation: continuation, timeout: timeout)
                    return true
                }
                guard accepted else {
                    continuation.resume(returning: .failure(ClientError(.unreachable, "the client is closed", endpoint: endpoint)))
                    return
                }
                if refusal.isConnectionRefused {
                    resolve(requestID, with: .failure(.connectionRefused(endpoint)))
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    self?.expire(requestID)
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waiters[requestID] != nil else { return false }
                    state.waiters[requestID]?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
                let socket = self.socket
                Task { [weak self] in
                    do throws(ZMQError) {
                        try await socket.send(frames)
                        self?.state.withLock { $0.waiters[requestID]?.sent = true }
                    } catch {
                        guard let self else { return }
                        self.resolve(requestID, with: .failure(self.unreachable(after: timeout)))
                    }
                }
            }
        } onCancel: {
            resolve(requestID, with: .failure(ClientError(.timeout, "the request to \(endpoint) was cancelled", endpoint: endpoint)))
        }
        return try result.get()
    }

    // MARK: - Replies

    /// Resumes the call waiting for `requestID`, if it still waits; `false` if none did.
    @discardableResult
    private func resolve(_ requestID: String, with result: Result<QueryResponse, ClientError>) -> Bool {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: requestID) }) else { return false }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: result)
        return true
    }

    /// The connection was refused: every call not yet sent fails now.
    private func failUnsent() {
        let unsent = state.withLock { state in
            let ids = state.waiters.filter { !$0.value.sent }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in unsent {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .failure(.connectionRefused(endpoint)))
        }
    }

    /// The deadline passed: unreachable if the request never left, timeout if it did.
    private func expire(_ requestID: String) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: requestID) }) else { return }
        let error: ClientError = waiter.sent
            ? .timeout(endpoint, after: waiter.timeout)
            : unreachable(after: waiter.timeout)
        waiter.continuation.resume(returning: .failure(error))
    }

    /// No connection within `timeout`, with the reason if the writer refused the handshake.
    private func unreachable(after timeout: Duration) -> ClientError {
        .unreachable(endpoint, after: timeout, refusal: refusal.reason, curve: curveEnabled)
    }

    /// Matches one received message to its call. The DEALER sees `["", reply(, image)]`.
    private func dispatch(_ message: [Frame]) {
        var frames = message.map(\.data)
        if frames.first?.isEmpty == true { frames.removeFirst() }
        guard let first = frames.first else { return countUnmatched() }
        let requestID = Self.requestID(in: first) ?? soleWaiter()
        guard let requestID, let operation = state.withLock({ $0.waiters[requestID]?.operation }) else {
            return countUnmatched()
        }
        let result: Result<QueryResponse, ClientError>
        do throws(ProtocolError) {
            let (envelope, image) = try QueryReplyEnvelope.decode(frames: frames)
            switch envelope.reply {
            case .failure(let error):
                result = .failure(ClientError(.server(error.code), error.message, endpoint: endpoint))
            case let reply where reply.operation != operation:
                result = .failure(.badReply(endpoint, "a '\(reply.operation?.rawValue ?? "?")' reply to a '\(operation.rawValue)' request"))
            case let reply:
                result = .success(QueryResponse(reply: reply, json: first, image: image))
            }
        } catch {
            result = .failure(.badReply(endpoint, error.description))
        }
        if !resolve(requestID, with: result) { countUnmatched() }
    }

    /// The reply's `request_id`, read leniently so that even an undecodable reply can fail the
    /// right call.
    private static func requestID(in frame: Data) -> String? {
        guard let json = try? JSONValue.decode(frame) else { return nil }
        return json["request_id"]?.stringValue
    }

    /// A reply without `request_id` (the writer omits it when it could not parse the request)
    /// can only be attributed when exactly one call is waiting.
    private func soleWaiter() -> String? {
        state.withLock { state in state.waiters.count == 1 ? state.waiters.keys.first : nil }
    }

    private func countUnmatched() {
        state.withLock { $0.unmatchedReplies += 1 }
    }

    private func mismatch(_ response: QueryResponse, _ operation: QueryOperation) -> ClientError {
        .badReply(endpoint, "a '\(response.reply.operation?.rawValue ?? "?")' reply to a '\(operation.rawValue)' request")
    }
}

/// Why the writer last refused this client's handshake, as its socket monitor saw it.
///
/// A refused CURVE peer is told so (an ERROR command), but the writer may close the connection
/// before the client reads it; a connection closed before any handshake succeeded counts as a
/// refusal too.
final class RefusalRecord: Sendable {
    private struct State {
        var reason: String?
        var handshakeSucceeded = false
        /// Every connect attempt so far was refused: nothing listens at the endpoint.
        var connectionRefused = false
        /// A TCP connection was made at some point (a later retry is a handshake refusal or a
        /// writer that went away, told apart at the deadline, not "nothing listens").
        var everConnected = false
        var onConnectionRefused: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    var reason: String? { state.withLock { $0.reason } }
    var isConnectionRefused: Bool { state.withLock { $0.connectionRefused } }

    /// Called each time a connect attempt is refused.
    func onConnectionRefused(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.onConnectionRefused = action }
    }

    func record(_ event: SocketMonitor.Event) {
        if event.kind == .connectRetried {
            let action = state.withLock { state -> (@Sendable () -> Void)? in
                guard !state.everConnected else { return nil }
                state.connectionRefused = true
                return state.onConnectionRefused
            }
            action?()
            return
        }
        state.withLock { state in
            switch event.kind {
            case .connected:
                state.connectionRefused = false
                state.everConnected = true
            case .handshakeSucceeded:
                state.handshakeSucceeded = true
                state.reason = nil
            case .disconnected:
                if !state.handshakeSucceeded, state.reason == nil {
                    state.reason = "the connection was closed during the security handshake"
                }
                state.handshakeSucceeded = false
            default:
                state.reason = event.reason
            }
        }
    }
}
