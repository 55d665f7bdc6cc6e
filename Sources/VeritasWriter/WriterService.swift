import Foundation
import Logging
import ServiceLifecycle
import VeritasProtocol
import VeritasStore
import ZeroMQ

/// The persistence worker as a swift-service-lifecycle `Service`.
///
/// `run()` opens the stores (migrating SQLite unless persistence is off), binds the three
/// endpoints, and serves until graceful shutdown (SIGTERM in `veritas-writer`): then the runner
/// gateway finishes and acknowledges the batch in hand, both loops stop accepting, and the
/// sockets close.
public struct WriterService: Service {
    /// The endpoints actually bound (ephemeral `*` ports resolved), reported once serving.
    public struct BoundEndpoints: Sendable, Equatable {
        public var queries: String
        public var runners: String
        public var feed: String
    }

    public let configuration: WriterConfiguration
    private let logger: Logger
    private let onReady: @Sendable (BoundEndpoints) -> Void

    /// - Parameter onReady: called once the endpoints are bound and the writer serves.
    public init(
        configuration: WriterConfiguration,
        logger: Logger = Logger(label: "veritas.writer"),
        onReady: @escaping @Sendable (BoundEndpoints) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)

        let database: SQLiteAuditStore?
        if configuration.persistenceEnabled {
            database = try SQLiteAuditStore(
                path: configuration.databasePath,
                synchronous: configuration.databaseSynchronous == "normal" ? .normal : .full,
                busyTimeout: .milliseconds(configuration.databaseBusyTimeoutMilliseconds)
            )
        } else {
            database = nil
            logger.notice("persistence disabled (USE_DB_PERSISTENCE=false): memory only, the database is not opened")
        }
        let store = DualWriteStore(memory: MemoryAuditStore(maxAudits: configuration.memoryMaxAudits), database: database)
        let screenshots = ScreenshotStorage(dataDirectory: dataDirectory, maxBytes: configuration.maxScreenshotBytes)
        let leftovers = screenshots.removeTemporaryFiles()
        if leftovers > 0 { logger.notice("removed unfinished screenshot files", metadata: ["count": "\(leftovers)"]) }

        let context = try Context()
        let loop = try SocketLoop(name: "veritas-writer")
        let state = WriterState()
        do {
            let (queries, runners, feed, endpoints) = try bind(context: context, loop: loop)
            logger.warning("CURVE is not configured: traffic on all endpoints is unencrypted and unauthenticated")
            let feedPublisher = FeedPublisher(socket: feed)
            let queryServer = QueryServer(socket: queries, feed: feedPublisher, store: store, screenshots: screenshots, state: state, logger: logger)
            let gateway = RunnerGateway(
                socket: runners, feed: feedPublisher, store: store, screenshots: screenshots, state: state,
                configuration: configuration, logger: logger
            )
            logger.info("writer ready", metadata: [
                "writer_id": "\(configuration.writerID)", "queries": "\(endpoints.queries)", "runners": "\(endpoints.runners)",
                "feed": "\(endpoints.feed)", "persistence": "\(configuration.persistenceEnabled)",
                "database": "\(database?.path ?? "disabled")",
            ])
            onReady(endpoints)
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await queryServer.run() }
                    group.addTask { await gateway.run() }
                    group.addTask { await feedPublisher.run { state.stopping.load(ordering: .relaxed) } }
                }
            } onGracefulShutdown: {
                state.stopping.store(true, ordering: .relaxed)
            }
            logger.info("writer stopped; every acknowledged event is stored")
        }
        await loop.shutdown()
    }

    private func bind(context: Context, loop: SocketLoop) throws -> (AsyncSocket, AsyncSocket, AsyncSocket, BoundEndpoints) {
        let queries = try Socket(context, type: .router)
        try queries.set(.routerMandatory, true)
        // Big enough to answer an oversized request with `too_large`; beyond it libzmq drops the peer.
        try queries.set(.maxMessageSize, Int64(ProtocolLimits.maxQueryFrameBytes * 16))
        try queries.bind(configuration.queriesEndpoint)

        let runners = try Socket(context, type: .router)
        try runners.set(.routerMandatory, true)
        // A reconnecting runner (same routing id) takes over its old connection.
        try runners.set(.routerHandover, true)
        try runners.set(.maxMessageSize, Int64(ProtocolLimits.maxScreenshotBytes + ProtocolLimits.maxRunnerHeaderBytes))
        // Queues hold messages, not bytes: keep per-runner queues short, screenshots are large.
        try runners.set(.receiveHighWaterMark, 64)
        try runners.bind(configuration.runnersEndpoint)

        // XPUB: a PUB to subscribers, which also tells the writer what is subscribed.
        let feed = try Socket(context, type: .xpub)
        try feed.set(.sendHighWaterMark, 10_000)
        try feed.bind(configuration.feedEndpoint)

        let endpoints = BoundEndpoints(
            queries: queries.lastEndpoint ?? configuration.queriesEndpoint,
            runners: runners.lastEndpoint ?? configuration.runnersEndpoint,
            feed: feed.lastEndpoint ?? configuration.feedEndpoint
        )
        return (
            // Short send timeouts: a reply to a peer whose queue stays full waits in line ahead of
            // replies to everyone else on the socket (runners resend, clients retry).
            loop.register(queries, options: .init(receiveBufferLimit: 256, maxFrames: 16, sendTimeout: .seconds(1))),
            loop.register(runners, options: .init(receiveBufferLimit: max(64, configuration.maxBatchEvents * 2), maxFrames: 8, sendTimeout: .seconds(1))),
            loop.register(feed),
            endpoints
        )
    }
}
