import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on loopback with an ephemeral port, serving fixed pages with chosen
/// headers: the audit engine fetches real responses over real sockets.
final class FixtureServer: Sendable {
    struct Page: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = [("Content-Type", "text/html; charset=utf-8")]
        var body: String = ""
        /// Answer only after this long (a slow site).
        var delay: TimeAmount = .zero
    }

    let port: Int
    let host: String
    private let channel: any Channel
    private let log: RequestLog

    /// The paths asked for so far, in order.
    var requestedPaths: [String] { log.paths }

    /// Serves `pages` on `host` (any loopback address, e.g. `127.0.0.2`), an ephemeral port.
    static func start(_ pages: [String: Page], host: String = "127.0.0.1") async throws -> FixtureServer {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(pages: pages, log: log))
                }
            }
            .bind(host: host, port: 0).get()
        return FixtureServer(port: channel.localAddress?.port ?? 0, host: host, channel: channel, log: log)
    }

    private init(port: Int, host: String, channel: any Channel, log: RequestLog) {
        self.port = port
        self.host = host
        self.channel = channel
        self.log = log
    }

    func url(_ path: String) -> String { "http://\(host):\(port)\(path)" }

    final class RequestLog: Sendable {
        private let state = Mutex<[String]>([])
        var paths: [String] { state.withLock { $0 } }
        func add(_ path: String) { state.withLock { $0.append(path) } }
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let pages: [String: Page]
        let log: RequestLog
        init(pages: [String: Page], log: RequestLog) {
            self.pages = pages
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case let .head(request) = unwrapInboundIn(data) else { return }
            log.add(request.uri)
            let page = pages[request.uri] ?? Page(status: .notFound, body: "<html><body>not found</body></html>")
            let respond = {
                var headers = HTTPHeaders(page.headers)
                headers.replaceOrAdd(name: "Content-Length", value: String(page.body.utf8.count))
                headers.replaceOrAdd(name: "Connection", value: "close")
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: page.status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: page.body)))), promise: nil)
                // `Connection: close`: the client closes once it has read the response.
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if page.delay == .zero {
                respond()
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(in: page.delay) { respond() }
            }
        }
    }
}
