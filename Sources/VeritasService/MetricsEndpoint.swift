import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves a Prometheus registry as text on `GET /metrics`, for a scraper.
///
/// A few lines of NIO rather than an HTTP framework: the services need this one read-only route and
/// nothing else, and must not link a web server for it (the console has its own module).
public final class MetricsEndpoint: Sendable {
    /// The address and port bound (the port resolved when `0` was asked for).
    public let host: String
    public let port: Int
    private let channel: any Channel

    private init(host: String, port: Int, channel: any Channel) {
        self.host = host
        self.port = port
        self.channel = channel
    }

    /// Binds `listen` (`host:port`, e.g. `127.0.0.1:9464`; port `0` picks a free one) and serves
    /// `registry` there.
    public static func start(listen: String, registry: PrometheusCollectorRegistry) async throws -> MetricsEndpoint {
        guard let (host, port) = parse(listen) else { throw MetricsEndpointError("metrics.listen must be host:port, got '\(listen)'") }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScrapeHandler(registry: registry))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsEndpoint(host: host, port: channel.localAddress?.port ?? port, channel: channel)
    }

    /// Starts the endpoint when `listen` is set (logging where), or returns `nil` when it is empty.
    /// A listen address that cannot be bound stops the start-up: an operator who asked for
    /// metrics must not run without them unknowingly.
    public static func serve(_ listen: String, registry: PrometheusCollectorRegistry, logger: Logger) async throws -> MetricsEndpoint? {
        guard !listen.isEmpty else { return nil }
        let endpoint: MetricsEndpoint
        do {
            endpoint = try await start(listen: listen, registry: registry)
        } catch {
            throw MetricsEndpointError("cannot serve metrics on \(listen) (metrics.listen): \(error)")
        }
        logger.info("metrics served", metadata: ["url": "\(endpoint.url)"])
        return endpoint
    }

    /// `host:port` → its parts; `[v6]:port` too.
    public static func parse(_ listen: String) -> (String, Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// The URL a scraper uses.
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/metrics" }

    public func stop() async {
        try? await channel.close()
    }

    private final class ScrapeHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let registry: PrometheusCollectorRegistry
        private var request: HTTPRequestHead?

        init(registry: PrometheusCollectorRegistry) { self.registry = registry }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): request = head
            case .body: break
            case .end:
                guard let head = request else { return }
                request = nil
                respond(to: head, context: context)
            }
        }

        private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            var status = HTTPResponseStatus.ok
            var body: [UInt8]
            var contentType = "text/plain; version=0.0.4; charset=utf-8"
            if head.method != .GET && head.method != .HEAD {
                status = .methodNotAllowed
                body = Array("only GET /metrics\n".utf8)
                contentType = "text/plain; charset=utf-8"
            } else if path != "/metrics" {
                status = .notFound
                body = Array("only GET /metrics\n".utf8)
                contentType = "text/plain; charset=utf-8"
            } else {
                body = []
                registry.emit(into: &body)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Content-Length", value: String(body.count))
            let keepAlive = head.isKeepAlive
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}

/// A metrics endpoint that cannot start.
public struct MetricsEndpointError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
