import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

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
    private let channel: any Channel

    static func start(_ pages: [String: Page]) async throws -> FixtureServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(pages: pages))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FixtureServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let pages: [String: Page]
        init(pages: [String: Page]) { self.pages = pages }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case let .head(request) = unwrapInboundIn(data) else { return }
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
