import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VeritasClient
import VeritasProtocol
import VeritasReport
import ZeroMQ

/// The web console: a small read-only site over one or more writers, served by Hummingbird.
///
/// It is another ZeroMQ client of the writers (``WriterPool`` for queries, `FeedWatcher`s for
/// live progress) and keeps no state of its own. Routes:
///
/// | route | what |
/// |---|---|
/// | `GET /` | the audits, newest first, with a status filter, paging and the submit form |
/// | `POST /submit` | queues an audit (same-origin form posts only), then shows it |
/// | `GET /audits/{id}` | one audit: the report's content, live progress while it runs |
/// | `GET /audits/{id}/events` | server-sent events: `status`, `progress`, then `done` |
/// | `GET /audits/{id}/content` | the report's content alone (fetched when an audit ends) |
/// | `GET /audits/{id}/report.html` | the self-contained report file, as `veritas report` writes it |
/// | `GET /health` | every writer's health, with its runners |
/// | `GET /static/console.css`, `/static/console.js` | the only style sheet and script |
public struct ConsoleServer: Sendable {
    public let configuration: ConsoleConfiguration
    public let pool: WriterPool
    public let curve: CurveClientCredentials?
    public let logger: Logger

    /// Largest form body accepted by `POST /submit`.
    static let maxFormBytes = 16 * 1024
    /// How often the events stream asks a writer for the audit's status, in case a feed message
    /// was missed (feeds drop messages for slow subscribers by design).
    static let statusPollInterval: Duration = .seconds(3)
    /// A comment line this often keeps proxies from closing a quiet events stream.
    static let keepAliveInterval: Duration = .seconds(15)

    public init(configuration: ConsoleConfiguration, pool: WriterPool, curve: CurveClientCredentials?, logger: Logger) {
        self.configuration = configuration
        self.pool = pool
        self.curve = curve
        self.logger = logger
    }

    /// The Hummingbird application on ``ConsoleConfiguration/listen``; `onRunning` learns the
    /// bound port (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let address = configuration.listenAddress ?? (host: "127.0.0.1", port: 8088)
        return Application(
            router: router(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? address.port) },
            logger: logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ConsoleSecurityHeaders())
        router.get("/") { request, _ in try await listPage(request) }
        router.post("/submit") { request, context in try await submit(request, context: context) }
        router.get("/audits/:id") { _, context in try await auditPage(context) }
        router.get("/audits/:id/content") { _, context in try await auditContent(context) }
        router.get("/audits/:id/report.html") { _, context in try await reportFile(context) }
        router.get("/audits/:id/events") { _, context in try await events(context) }
        router.get("/health") { _, _ in html(ConsolePages.health(await pool.healthOfAll())) }
        router.get("/static/console.css") { _, _ in asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/console.js") { _, _ in asset(ConsoleAssets.javaScript, type: "text/javascript; charset=utf-8") }
        return router
    }

    // MARK: Pages

    private func listPage(_ request: Request, submitError: String? = nil, submittedURL: String = "") async throws -> Response {
        let query = request.uri.queryParameters
        var chosen: AuditStatus?
        if let text = query["status"].map(String.init), text != "all", !text.isEmpty {
            guard let parsed = AuditStatus(rawValue: text) else { throw HTTPError(.badRequest, message: "status must be all or one of \(AuditStatus.allCases.map(\.rawValue).joined(separator: ", "))") }
            chosen = parsed
        }
        let status = chosen
        let limit = try Self.number(query["limit"], name: "limit", default: ProtocolLimits.defaultListLimit, in: 1...ProtocolLimits.maxListLimit)
        let offset = try Self.number(query["offset"], name: "offset", default: 0, in: 0...ProtocolLimits.maxListOffset)
        let list = try await ask { client throws(ClientError) in try await client.list(status: status, limit: limit, offset: offset) }
        var response = html(ConsolePages.auditList(.init(list: list, status: status, limit: limit, submitError: submitError, submittedURL: submittedURL)))
        if submitError != nil { response.status = .badRequest }
        return response
    }

    static func number(_ text: Substring?, name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// A form post from the console's own page. A post from any other origin is refused, so
    /// another site cannot make a visitor's browser queue audits. The console sets no cookie, so
    /// the browser's own headers tell: `Sec-Fetch-Site` (every current browser sends it), else
    /// `Origin`. (With the console's `Referrer-Policy: no-referrer`, browsers send `Origin: null`
    /// on its own form posts, so `null` is only accepted where `Sec-Fetch-Site` vouches.)
    private func submit(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard Self.isSameOrigin(request) else {
            throw HTTPError(.forbidden, message: "form posts are only accepted from the console's own pages")
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxFormBytes)
        let form = Self.formFields(String(buffer: body))
        let url = (form["url"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let tier = Tier(rawValue: form["tier"] ?? Tier.standard.rawValue),
              let mode = VerdictMode(rawValue: form["mode"] ?? VerdictMode.simple.rawValue) else {
            return try await listPage(request, submitError: "Choose a tier and a verdict mode from the lists.", submittedURL: url)
        }
        let submitted: Result<Audit, ClientError>
        do {
            submitted = .success(try await pool.ask(idempotent: false) { client throws(ClientError) in
                try await client.submit(url: url, tier: tier, verdictMode: mode)
            })
        } catch {
            submitted = .failure(error)
        }
        switch submitted {
        case .success(let audit):
            return Response(status: .seeOther, headers: [.location: "/audits/\(audit.id.rawValue)"])
        case .failure(let error):
            guard error.serverError?.code == .badRequest else { throw Self.httpError(for: error) }
            return try await listPage(request, submitError: "The writer refused this URL: \(error.message)", submittedURL: url)
        }
    }

    static func isSameOrigin(_ request: Request) -> Bool {
        isSameOrigin(secFetchSite: request.headers[.secFetchSite], origin: request.headers[.origin], authority: request.head.authority)
    }

    static func isSameOrigin(secFetchSite: String?, origin: String?, authority: String?) -> Bool {
        if let secFetchSite { return secFetchSite == "same-origin" }
        // No Origin either: not a browser's cross-site post (browsers send Origin on every
        // cross-origin POST); tools such as curl may post.
        guard let origin else { return true }
        guard origin != "null", let authority else { return false }
        return origin == "http://\(authority)" || origin == "https://\(authority)"
    }

    /// `application/x-www-form-urlencoded` fields; the last value of a repeated name wins.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    private func auditPage(_ context: BasicRequestContext) async throws -> Response {
        html(ConsolePages.audit(try await report(context)))
    }

    private func auditContent(_ context: BasicRequestContext) async throws -> Response {
        html(HTMLReport.article(try await report(context)))
    }

    private func reportFile(_ context: BasicRequestContext) async throws -> Response {
        let report = try await report(context)
        var response = html(HTMLReport.render(report))
        response.headers[.contentDisposition] = "attachment; filename=\"veritas-\(report.audit.id.rawValue).html\""
        return response
    }

    private func report(_ context: BasicRequestContext) async throws -> AuditReport {
        let id = try auditID(context)
        let origin = "the Veritas console"
        return try await ask { client throws(ClientError) in try await AuditReport.fetch(id, from: client, origin: origin) }
    }

    private func auditID(_ context: BasicRequestContext) throws -> AuditID {
        guard let text = context.parameters.get("id"), let id = try? AuditID(text) else {
            throw HTTPError(.notFound, message: "That is not an audit id.")
        }
        return id
    }

    /// A writer query, with the writer's errors as HTTP errors (``httpError(for:)``).
    private func ask<T: Sendable>(_ body: @Sendable (WriterClient) async throws(ClientError) -> T) async throws -> T {
        do {
            return try await pool.ask(body)
        } catch {
            throw Self.httpError(for: error)
        }
    }

    /// A writer's error as the console's HTTP error: not found is 404, a writer that cannot be
    /// reached or read is 502/503.
    static func httpError(for error: ClientError) -> HTTPError {
        switch error.code {
        case .server(.notFound): HTTPError(.notFound, message: error.message)
        case .server(.badRequest): HTTPError(.badRequest, message: error.message)
        case .server(.unavailable): HTTPError(.serviceUnavailable, message: "The writer cannot read its database right now: \(error.message)")
        case .unreachable, .timeout: HTTPError(.badGateway, message: "No writer answered: \(error.message)")
        default: HTTPError(.badGateway, message: error.description)
        }
    }

    // MARK: Live progress

    /// Server-sent events for one audit: `status` first, then `progress` as the writers' feeds
    /// publish it, and `done` (with the final status) when it completes or fails, after which
    /// the stream ends. The writers are also asked for the status every few seconds, so a feed
    /// message lost on the way cannot leave the page waiting.
    private func events(_ context: BasicRequestContext) async throws -> Response {
        let id = try auditID(context)
        // Subscribe before reading the status: an event published in between is then not lost.
        var watchers: [FeedWatcher] = []
        do {
            for endpoint in configuration.feedEndpoints { watchers.append(try FeedWatcher(endpoint: endpoint, auditID: id, curve: curve)) }
        } catch {
            for watcher in watchers { await watcher.close() }
            throw HTTPError(.badGateway, message: "Cannot subscribe to the writers' feeds: \(error)")
        }
        let audit: Audit
        do {
            audit = try await ask { client throws(ClientError) in try await client.status(id) }
        } catch {
            for watcher in watchers { await watcher.close() }
            throw error
        }
        let pool = pool
        let feeds = watchers
        let body = ResponseBody { writer in
            defer { Task { for watcher in feeds { await watcher.close() } } }
            var first: [String: JSONValue] = ["status": .string(audit.status.rawValue)]
            if let progress = audit.progress, !audit.status.isTerminal {
                first["percent"] = .number(progress.percent)
                first["phase"] = .string(progress.phase)
            }
            try await writer.write(Self.event("status", first))
            var status = audit.status
            var lastPoll = ContinuousClock.now
            var lastWrite = ContinuousClock.now
            while status != .completed && status != .error {
                try Task.checkCancellation()
                for feed in feeds {
                    guard let message = await feed.next(timeout: .milliseconds(feeds.count > 1 ? 100 : 500)) else { continue }
                    status = message.status
                    var fields: [String: JSONValue] = ["status": .string(message.status.rawValue), "event": .string(message.event.rawValue)]
                    if let percent = message.payload?["percent"] { fields["percent"] = percent }
                    if let phase = message.payload?["phase"] { fields["phase"] = phase }
                    if status == .completed || status == .error { break }
                    try await writer.write(Self.event(message.event == .progress ? "progress" : "status", fields))
                    lastWrite = .now
                }
                if status != .completed, status != .error, ContinuousClock.now - lastPoll >= Self.statusPollInterval {
                    lastPoll = .now
                    if let current = try? await pool.ask({ client throws(ClientError) in try await client.status(id) }) { status = current.status }
                }
                if ContinuousClock.now - lastWrite >= Self.keepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": still running\n\n"))
                    lastWrite = .now
                }
            }
            var done: [String: JSONValue] = ["status": .string(status.rawValue)]
            if status == .completed { done["percent"] = 100 }
            try await writer.write(Self.event("done", done))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    static func event(_ name: String, _ fields: [String: JSONValue]) -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(String(decoding: JSONValue.object(fields).encoded(), as: UTF8.self))\n\n")
    }

    // MARK: Responses

    private func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
