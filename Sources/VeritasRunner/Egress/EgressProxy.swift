import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward HTTP proxy on loopback through which an audit makes every connection: the page
/// fetch (AsyncHTTPClient) and headless Chromium (`--proxy-server`). It resolves the destination
/// itself, checks every resolved address against the ``DestinationPolicy`` and connects to the
/// checked address, so no DNS answer can change between the check and the connection (no
/// rebinding window). Refused destinations get `403` with an `X-Veritas-Blocked` header and are
/// kept in ``refusals`` for the audit to report.
///
/// It speaks the two forms clients use towards a proxy: `CONNECT host:port` (HTTPS, WebSocket
/// over TLS; the tunnel then carries opaque bytes) and absolute-form requests
/// (`GET http://host/path HTTP/1.1`), forwarded in origin form with `Connection: close`.
///
/// Hand-written: no package here provides a policy-checking proxy, and only the request head is
/// parsed (bounded to ``maxHeadBytes``); bodies and responses are relayed as bytes.
public final class EgressProxy: Sendable {
    /// A destination the proxy refused.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        /// The host as the client named it.
        public var host: String
        public var port: Int
        /// The address it resolved to, when the refusal is about an address.
        public var address: String?
        public var reason: String

        public var description: String {
            "\(host):\(port)" + (address.map { $0 == host ? "" : " (\($0))" } ?? "") + ": \(reason)"
        }
    }

    /// The longest request head accepted (request line and headers).
    public static let maxHeadBytes = 16 * 1024
    /// Refusals kept per proxy (an audit's page can try thousands of blocked loads).
    public static let maxRefusalsKept = 200
    /// The header a refusal carries.
    public static let blockedHeader = "X-Veritas-Blocked"

    /// The loopback port the proxy listens on.
    public let port: Int
    public let policy: DestinationPolicy
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let state = Mutex<(refusals: [Refusal], refusedTotal: Int, failures: [String: String])>(([], 0, [:]))
    /// Connections opened and bytes received for the audit so far (the per-audit limits).
    private let usage = Mutex<(connections: Int, bytes: Int, bytesLimitReported: Bool)>((0, 0, false))
    private let logger: Logger
    private let onRefusal: @Sendable (Refusal) -> Void

    private init(
        port: Int, policy: DestinationPolicy, server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
        logger: Logger, onRefusal: @escaping @Sendable (Refusal) -> Void, serving: (EgressProxy) -> Task<Void, Never>
    ) {
        self.port = port
        self.policy = policy
        self.server = server
        self.logger = logger
        self.onRefusal = onRefusal
        // Started last: the serving task needs the finished object.
        let task = serving(self)
        servingBox.withLock { $0 = task }
    }

    /// The task accepting connections (set once, at the end of `init`).
    private let servingBox = Mutex<Task<Void, Never>?>(nil)

    /// Starts a proxy on `127.0.0.1` (an ephemeral port).
    /// - Parameter onRefusal: called for every refused destination (metrics, logs).
    public static func start(
        policy: DestinationPolicy, logger: Logger, onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }
    ) async throws -> EgressProxy {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else {
            try? await server.channel.close()
            throw EgressError("the egress proxy has no port")
        }
        return EgressProxy(port: port, policy: policy, server: server, logger: logger, onRefusal: onRefusal) { proxy in
            Task { await proxy.serve() }
        }
    }

    /// Stops listening and cancels every open connection, waiting at most a second for them to
    /// wind down: a relay stuck on a slow site must not hold up the end of an audit (or a
    /// runner's shutdown).
    public func stop() async {
        try? await server.channel.close()
        guard let task = servingBox.withLock({ $0 }) else { return }
        task.cancel()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// The destinations refused so far (at most ``maxRefusalsKept``), oldest first.
    public var refusals: [Refusal] { state.withLock { $0.refusals } }
    /// Every destination refused so far, including those no longer kept.
    public var refusedTotal: Int { state.withLock { $0.refusedTotal } }

    /// The most recent refusal of `host:port`, for the fetcher's error message.
    public func refusal(host: String, port: Int) -> Refusal? {
        let names = Self.names(host)
        return state.withLock { $0.refusals.last { $0.port == port && names.contains($0.host) } }
    }

    /// Why the last connection to an allowed `host:port` failed (DNS, refused, timeout), if it did.
    public func failure(host: String, port: Int) -> String? {
        let failures = state.withLock { $0.failures }
        return Self.names(host).compactMap { failures["\($0):\(port)"] }.first
    }

    /// A host as clients may spell it: as given, lowercased, and with or without IPv6 brackets.
    private static func names(_ host: String) -> [String] {
        let lowered = host.lowercased()
        let bare = lowered.hasPrefix("[") && lowered.hasSuffix("]") ? String(lowered.dropFirst().dropLast()) : lowered
        return [lowered, bare, "[\(bare)]"]
    }

    // MARK: Serving

    private func serve() async {
        do {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await self.handle(connection) }
                    }
                }
            }
        } catch {
            logger.debug("egress proxy stopped", metadata: ["error": "\(error)"])
        }
    }

    /// One client connection: read the head, check, connect, relay.
    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                let reader = HeadReader(inbound.makeAsyncIterator())
                guard let (head, rest) = try await reader.readHead(limit: Self.maxHeadBytes) else {
                    try await outbound.write(Self.response(400, "Bad Request", reason: "no complete request head"))
                    return
                }
                guard let request = ProxyRequest(head) else {
                    try await outbound.write(Self.response(400, "Bad Request", reason: "not a proxy request (CONNECT host:port, or an absolute http URL)"))
                    return
                }
                // A plain-http request when only https is allowed (a CONNECT tunnel carries TLS).
                if !request.isConnect, let reason = policy.refusal(scheme: "http") {
                    let refusal = Refusal(host: request.host, port: request.port, address: nil, reason: reason)
                    record(refusal)
                    try await outbound.write(Self.response(403, "Forbidden", reason: refusal.description))
                    return
                }
                let target: SocketAddress
                switch await check(host: request.host, port: request.port) {
                case .refused(let refusal):
                    record(refusal)
                    try await outbound.write(Self.response(403, "Forbidden", reason: refusal.description))
                    return
                case .unreachable(let problem):
                    recordFailure(problem, of: request)
                    try await outbound.write(Self.response(502, "Bad Gateway", reason: problem))
                    return
                case .allowed(let address):
                    target = address
                }
                let opened = usage.withLock { usage -> Bool in
                    guard usage.connections < policy.maxConnectionsPerAudit else { return false }
                    usage.connections += 1
                    return true
                }
                guard opened else {
                    let refusal = Refusal(host: request.host, port: request.port, address: nil,
                                          reason: "the audit's limit of \(policy.maxConnectionsPerAudit) connections is reached")
                    record(refusal)
                    try await outbound.write(Self.response(403, "Forbidden", reason: refusal.description))
                    return
                }
                let upstream: NIOAsyncChannel<ByteBuffer, ByteBuffer>
                do {
                    upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connectTimeout(.seconds(10))
                        .connect(to: target) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                            }
                        }
                } catch {
                    let problem = "cannot connect to \(request.host):\(request.port): \(error)"
                    recordFailure(problem, of: request)
                    try await outbound.write(Self.response(502, "Bad Gateway", reason: problem))
                    return
                }
                try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                    if request.isConnect {
                        try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"))
                    } else {
                        try await upstreamOutbound.write(ByteBuffer(string: request.originFormHead()))
                    }
                    if rest.readableBytes > 0 { try await upstreamOutbound.write(rest) }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await bytes in upstreamInbound {
                                guard self.receive(bytes.readableBytes, from: request) else { return }
                                try await outbound.write(bytes)
                            }
                        }
                        group.addTask {
                            while let bytes = try await reader.next() { try await upstreamOutbound.write(bytes) }
                        }
                        // Either side closing ends the exchange (HTTP here never half-closes).
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            }
        } catch {
            logger.debug("egress proxy connection ended", metadata: ["error": "\(error)"])
        }
    }

    private enum Verdict {
        case allowed(SocketAddress)
        case refused(Refusal)
        /// Not a policy matter: the name does not resolve.
        case unreachable(String)
    }

    /// Checks `host:port` as a connection through the proxy would be checked, and records a
    /// refusal the same way: the fetcher asks before each request, so a refused destination fails
    /// at once with the guard's reason (a client whose proxy refuses a tunnel retries until its
    /// connect timeout). The proxy still checks again when the connection is made.
    /// - Returns: the refusal, or `nil` when the destination is allowed (or does not resolve:
    ///   the connection attempt then reports that).
    public func precheck(host: String, port: Int) async -> Refusal? {
        guard case .refused(let refusal) = await check(host: host.lowercased(), port: port) else { return nil }
        record(refusal)
        return refusal
    }

    /// Port first, then every address the host resolves to: the first allowed one is connected to;
    /// when none is, the refusal names the first address's class.
    private func check(host: String, port: Int) async -> Verdict {
        func refused(_ reason: String, address: String? = nil) -> Verdict {
            .refused(Refusal(host: host, port: port, address: address, reason: reason))
        }
        if let reason = policy.refusal(port: port) { return refused(reason) }
        let addresses: [(IPAddress, SocketAddress)]
        do {
            addresses = try await Self.resolve(host, port: port)
        } catch {
            return .unreachable("\(error)")
        }
        var firstRefusal: (IPAddress, String)?
        for (ip, socketAddress) in addresses {
            if let reason = policy.refusal(for: ip) {
                if firstRefusal == nil { firstRefusal = (ip, reason) }
                continue
            }
            return .allowed(socketAddress)
        }
        guard let (ip, reason) = firstRefusal else { return .unreachable("cannot resolve \(host): no address") }
        let setting = policy.allowPrivateNetworks ? "" : " (fetch.allow_private_networks is off)"
        return refused("\(ip) is \(reason)\(setting)", address: ip.description)
    }

    /// Counts `count` received bytes; `false` once the audit is over its byte limit (recorded once).
    private func receive(_ count: Int, from request: ProxyRequest) -> Bool {
        let (within, firstTimeOver) = usage.withLock { usage -> (Bool, Bool) in
            usage.bytes += count
            guard usage.bytes > policy.maxBytesPerAudit else { return (true, false) }
            defer { usage.bytesLimitReported = true }
            return (false, !usage.bytesLimitReported)
        }
        if firstTimeOver {
            record(Refusal(host: request.host, port: request.port, address: nil,
                           reason: "the audit's limit of \(policy.maxBytesPerAudit) bytes received is reached"))
        }
        return within
    }

    private func recordFailure(_ problem: String, of request: ProxyRequest) {
        state.withLock { state in
            if state.failures.count < Self.maxRefusalsKept { state.failures["\(request.host):\(request.port)"] = problem }
        }
    }

    private func record(_ refusal: Refusal) {
        state.withLock { state in
            state.refusedTotal += 1
            if state.refusals.count < Self.maxRefusalsKept { state.refusals.append(refusal) }
        }
        logger.notice("destination refused", metadata: ["destination": "\(refusal.host):\(refusal.port)", "reason": "\(refusal.reason)"])
        onRefusal(refusal)
    }

    /// `getaddrinfo` on a Dispatch thread (it blocks): every address of `host`, in its order.
    static func resolve(_ host: String, port: Int) async throws -> [(IPAddress, SocketAddress)] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var list: UnsafeMutablePointer<addrinfo>?
                let status = getaddrinfo(name, String(port), &hints, &list)
                guard status == 0, let first = list else {
                    let text = String(cString: gai_strerror(status))
                    continuation.resume(throwing: EgressError("cannot resolve \(name): \(text)"))
                    return
                }
                defer { freeaddrinfo(list) }
                var found: [(IPAddress, SocketAddress)] = []
                var cursor: UnsafeMutablePointer<addrinfo>? = first
                while let entry = cursor {
                    if let sockaddr = entry.pointee.ai_addr {
                        switch Int32(entry.pointee.ai_family) {
                        case AF_INET:
                            let v4 = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                            var address = v4.sin_addr
                            let bytes = withUnsafeBytes(of: &address) { Array($0) }
                            if let ip = IPAddress(bytes: bytes) { found.append((ip, SocketAddress(v4, host: ip.description))) }
                        case AF_INET6:
                            let v6 = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                            var address = v6.sin6_addr
                            let bytes = withUnsafeBytes(of: &address) { Array($0) }
                            if let ip = IPAddress(bytes: bytes) { found.append((ip, SocketAddress(v6, host: ip.description))) }
                        default:
                            break
                        }
                    }
                    cursor = entry.pointee.ai_next
                }
                continuation.resume(returning: found)
            }
        }
    }

    /// The header a connection failure (DNS, refused, timeout) carries on its `502`.
    public static let failureHeader = "X-Veritas-Proxy-Error"

    /// A short plain-text response that closes the connection; a refusal (`403`) carries
    /// ``blockedHeader``, a connection failure (`502`) ``failureHeader``.
    static func response(_ status: Int, _ phrase: String, reason: String) -> ByteBuffer {
        let clean = String(reason.map { $0 == "\r" || $0 == "\n" ? " " : $0 }.prefix(400))
        let body = clean + "\n"
        var head = "HTTP/1.1 \(status) \(phrase)\r\n"
        if status == 403 { head += "\(blockedHeader): \(clean)\r\n" }
        if status == 502 { head += "\(failureHeader): \(clean)\r\n" }
        head += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return ByteBuffer(string: head + body)
    }
}

/// An error of the egress proxy itself.
struct EgressError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a connection's bytes: first up to the end of the request head, then the rest, relayed.
/// One reader per connection, used by one task at a time (the head, then the relay).
private final class HeadReader: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? { try await iterator.next() }

    /// The head (through the blank line) as text and the bytes after it; `nil` when the client
    /// closed first or the head is longer than `limit`.
    func readHead(limit: Int) async throws -> (String, ByteBuffer)? {
        var collected = ByteBuffer()
        while true {
            let view = collected.readableBytesView
            if let end = Self.endOfHead(in: view) {
                let headLength = end - view.startIndex
                let head = collected.readString(length: headLength) ?? ""
                return (head, collected.slice())
            }
            guard collected.readableBytes <= limit, var more = try await iterator.next() else { return nil }
            collected.writeBuffer(&more)
        }
    }

    /// The index just past the first CR LF CR LF, or `nil`.
    private static func endOfHead(in bytes: ByteBufferView) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = bytes.startIndex
        while index <= bytes.endIndex - 4 {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index + 4 }
            index += 1
        }
        return nil
    }
}

/// A request head sent to the proxy: `CONNECT host:port` or an absolute `http://` URL.
struct ProxyRequest {
    var method: String
    var host: String
    var port: Int
    /// Origin form (`/path?query`) for absolute-form requests; empty for CONNECT.
    var path: String
    var version: String
    var headers: [(String, String)]

    var isConnect: Bool { method == "CONNECT" }

    init?(_ head: String) {
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return nil }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }) else { return nil }
        method = parts[0]
        version = parts[2]
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        if method == "CONNECT" {
            guard let (host, port) = Self.hostAndPort(parts[1], defaultPort: nil) else { return nil }
            (self.host, self.port, self.path) = (host, port, "")
        } else {
            let target = parts[1]
            guard target.lowercased().hasPrefix("http://") else { return nil }
            let afterScheme = target.dropFirst("http://".count)
            let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
            var authority = String(afterScheme[..<authorityEnd])
            if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
            guard let (host, port) = Self.hostAndPort(authority, defaultPort: 80) else { return nil }
            var path = String(afterScheme[authorityEnd...])
            if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
            if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
            (self.host, self.port, self.path) = (host, port, path)
        }
    }

    /// `host:port`, `[v6]:port`, or `host` with `defaultPort`.
    static func hostAndPort(_ text: String, defaultPort: Int?) -> (String, Int)? {
        var host = text
        var port = defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[...close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) } else if !after.isEmpty { return nil }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...])
        }
        guard !host.isEmpty, let port, (1...65_535).contains(port) else { return nil }
        return (host.lowercased(), port)
    }

    /// The head to send upstream: origin form, hop-by-hop proxy headers dropped, one request
    /// per connection.
    func originFormHead() -> String {
        var head = "\(method) \(path) \(version)\r\n"
        var hasHost = false
        for (name, value) in headers {
            let lowered = name.lowercased()
            if ["proxy-connection", "proxy-authorization", "connection", "keep-alive"].contains(lowered) { continue }
            if lowered == "host" { hasHost = true }
            head += "\(name): \(value)\r\n"
        }
        if !hasHost { head += "Host: \(port == 80 ? host : "\(host):\(port)")\r\n" }
        return head + "Connection: close\r\n\r\n"
    }
}
