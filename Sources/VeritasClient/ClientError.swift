import VeritasProtocol

/// Why a ``WriterClient`` call failed, with a ``Code`` programs can match and a message people
/// can act on.
///
/// ```swift
/// do {
///     let audit = try await client.status(id)
/// } catch let error where error.code == .server(.notFound) {
///     print("no such audit")
/// }
/// ```
public struct ClientError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Equatable, Hashable {
        /// No connection to the writer could be made before the deadline: the request was never
        /// sent (most likely `veritas-writer` is not running at that endpoint).
        case unreachable
        /// The request was sent but no reply arrived before the deadline.
        case timeout
        /// The writer answered with an error reply (`{"ok": false, ...}`); ``ClientError/message``
        /// is the writer's message.
        case server(ErrorCode)
        /// The writer's reply broke the contract (undecodable, wrong op, wrong frame count).
        case badReply
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation (for ``Code/server(_:)`` exactly the writer's message).
    public var message: String
    /// The queries or feed endpoint the client talked to.
    public var endpoint: String

    /// Creates an error.
    public init(_ code: Code, _ message: String, endpoint: String) {
        self.code = code
        self.message = message
        self.endpoint = endpoint
    }

    /// The writer's error reply, for ``Code/server(_:)``; `nil` otherwise.
    public var serverError: ProtocolError? {
        if case .server(let code) = code { return ProtocolError(code, message) }
        return nil
    }

    /// A one-line explanation, e.g. `not_found: no audit with id ...` or
    /// `no reply from tcp://127.0.0.1:5555 within 5s: ...`.
    public var description: String {
        switch code {
        case .server(let code): "\(code.rawValue): \(message)"
        case .unreachable, .timeout, .badReply: message
        }
    }

    static func unreachable(_ endpoint: String, after timeout: Duration, refusal: String? = nil, curve: Bool = false) -> ClientError {
        guard let refusal else {
            return ClientError(
                .unreachable,
                "could not reach the writer at \(endpoint) within \(format(timeout)); is veritas-writer running there?",
                endpoint: endpoint)
        }
        let hint = curve
            ? "check that the writer's client allowlist holds this client's public key and that --writer-key is the writer's public key"
            : "the writer requires CURVE: pass --key <your .key_secret> and --writer-key <the writer's .key> (or VERITAS_CURVE_SECRET_KEY_FILE and VERITAS_CURVE_WRITER_KEY_FILE)"
        return ClientError(.unreachable, "the writer at \(endpoint) refused the connection (\(refusal)); \(hint)", endpoint: endpoint)
    }

    /// Nothing listens at the endpoint: the connection was refused, so the call fails at once
    /// instead of waiting out its deadline.
    static func connectionRefused(_ endpoint: String) -> ClientError {
        ClientError(
            .unreachable,
            "nothing is listening at \(endpoint) (connection refused); is veritas-writer running there?",
            endpoint: endpoint)
    }

    static func timeout(_ endpoint: String, after timeout: Duration) -> ClientError {
        ClientError(
            .timeout,
            "no reply from the writer at \(endpoint) within \(format(timeout)); is veritas-writer running (and not overloaded) there?",
            endpoint: endpoint)
    }

    static func badReply(_ endpoint: String, _ detail: String) -> ClientError {
        ClientError(.badReply, "unexpected reply from the writer at \(endpoint): \(detail)", endpoint: endpoint)
    }

    /// `5s`, `0.25s`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
