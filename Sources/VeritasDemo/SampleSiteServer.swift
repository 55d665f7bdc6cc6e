import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small static HTTP/1.1 server for the bundled sample sites, on `127.0.0.1` with an ephemeral
/// port: `http://127.0.0.1:<port>/<site>/` serves `Sites/<site>/index.html`.
///
/// GET and HEAD only (anything else: 405); a path that does not name a file inside the sites
/// folder (missing, a folder without `index.html`, `..`, encoded separators, hidden files): 404.
/// Each site may get its own response headers (``SampleSite/headers``): the honest shop is
/// configured like a careful shop would be, the pressure shop sends none.
public final class SampleSiteServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    /// The folder served.
    public let root: URL
    private let channel: any Channel

    /// The address the server listens on.
    public let host: String

    /// Starts serving `root` (by default the bundled `Sites` folder) on `host`:`port` (0: any free port).
    public static func start(root: URL = SampleSite.bundledRoot, host: String = "127.0.0.1", port: Int = 0) async throws -> SampleSiteServer {
        let files = try StaticFiles(root: root)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(files: files))
                }
            }
            .bind(host: host, port: port).get()
        return SampleSiteServer(host: host, port: channel.localAddress?.port ?? 0, root: root, channel: channel)
    }

    private init(host: String, port: Int, root: URL, channel: any Channel) {
        self.host = host
        self.port = port
        self.root = root
        self.channel = channel
    }

    /// `http://<host>:<port>/<site>/` (`127.0.0.1` when listening on every address).
    public func url(of site: SampleSite) -> String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(shown):\(port)/\(site.folder)/"
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }

    /// Maps request paths to files, refusing anything outside the root.
    struct StaticFiles: Sendable {
        let root: URL

        init(root: URL) throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DemoError("the sample sites folder \(root.path) is missing; rebuild with `swift build`")
            }
            self.root = root.standardizedFileURL.resolvingSymlinksInPath()
        }

        /// The file for a request URI, or `nil` (404).
        func file(for uri: String) -> URL? {
            var path = Substring(uri)
            if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
            guard path.hasPrefix("/"), !path.contains("%"), !path.contains("\\"), !path.contains("\0") else { return nil }
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            guard !parts.isEmpty, parts.allSatisfy({ !$0.hasPrefix(".") }) else { return nil }
            var file = root
            for part in parts { file.appendPathComponent(String(part)) }
            if path.hasSuffix("/") { file.appendPathComponent("index.html") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else { return nil }
            if isDirectory.boolValue {
                file.appendPathComponent("index.html")
                guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            }
            // Symlinks could still point outside: compare the resolved path with the root.
            let resolved = file.standardizedFileURL.resolvingSymlinksInPath().path
            guard resolved.hasPrefix(root.path + "/") else { return nil }
            return URL(fileURLWithPath: resolved)
        }

        /// The site a request belongs to (its first path segment).
        func site(for uri: String) -> SampleSite? {
            let first = uri.split(separator: "/", omittingEmptySubsequences: true).first.map(String.init)
            return SampleSite.all.first { $0.folder == first }
        }

        static func contentType(of file: URL) -> String {
            switch file.pathExtension.lowercased() {
            case "html", "htm": "text/html; charset=utf-8"
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "png": "image/png"
            case "jpg", "jpeg": "image/jpeg"
            case "svg": "image/svg+xml"
            case "ico": "image/x-icon"
            case "txt": "text/plain; charset=utf-8"
            default: "application/octet-stream"
            }
        }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let files: StaticFiles
        init(files: StaticFiles) { self.files = files }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case let .head(request) = unwrapInboundIn(data) else { return }
            var headers = HTTPHeaders()
            let status: HTTPResponseStatus
            var body = Data()
            if request.method != .GET && request.method != .HEAD {
                status = .methodNotAllowed
                headers.add(name: "Allow", value: "GET, HEAD")
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                body = Data("method not allowed\n".utf8)
            } else if let file = files.file(for: request.uri), let contents = try? Data(contentsOf: file) {
                status = .ok
                headers.add(name: "Content-Type", value: StaticFiles.contentType(of: file))
                for (name, value) in files.site(for: request.uri)?.headers ?? [] { headers.add(name: name, value: value) }
                body = contents
            } else {
                status = .notFound
                headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
                body = Data("<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n".utf8)
            }
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            if request.method != .HEAD {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            }
            // `Connection: close`: the client closes once it has read the response.
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
