import Foundation
import Logging
import Metrics
import ServiceLifecycle
import VeritasPostgres
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
    private let metricsFactory: any MetricsFactory
    private let onReady: @Sendable (BoundEndpoints) -> Void

    /// - Parameters:
    ///   - metrics: where the writer's metrics go (`veritas-writer` passes a Prometheus factory
    ///     when `metrics.listen` is set); none by default.
    ///   - onReady: called once the endpoints are bound and the writer serves.
    public init(
        configuration: WriterConfiguration,
        logger: Logger = Logger(label: "veritas.writer"),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        onReady: @escaping @Sendable (BoundEndpoints) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metricsFactory = metrics
        self.onReady = onReady
    }

    public func run() async throws {
        // Unreadable keys stop the start-up: a writer meant to be closed must never run open.
        let security = try WriterSecurity.load(configuration)
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)

        // The store is chosen here, once: nothing else in the writer asks whether a database exists.
        // In front of a database, memory may let go of waiting audits too: the database has them.
        let memory = MemoryAuditStore(maxAudits: configuration.memoryMaxAudits, evictsWaitingAudits: configuration.persistenceEnabled)
        let (store, screenshots, databaseName) = try await openStores(memory: memory, dataDirectory: dataDirectory)
        let leftovers = screenshots.removeLeftovers()
        if leftovers > 0 { logger.notice("removed unfinished screenshot files", metadata: ["count": "\(leftovers)"]) }

        let context = try Context()
        let loop = try SocketLoop(name: "veritas-writer")
        let state = WriterState()
        var guards = SecurityGuards()
        // The ZAP handler and monitors hold sockets of the context: they stop before it closes.
        defer { guards.stop() }
        do {
            if let security {
                guards.authenticator = try ZAPAuthenticator(context: context, allowlists: security.allowlists) { [logger] decision in
                    guard !decision.allowed else {
                        logger.debug("CURVE peer admitted", metadata: ["domain": "\(decision.domain)", "address": "\(decision.address)"])
                        return
                    }
                    logger.warning("connection refused", metadata: [
                        "domain": "\(decision.domain)", "address": "\(decision.address)", "mechanism": "\(decision.mechanism)",
                        "client_key": "\(decision.clientKey?.z85 ?? "-")", "reason": "\(decision.reason)",
                    ])
                }
            }
            let (queries, runners, feed, endpoints) = try bind(context: context, loop: loop, security: security, state: state, guards: &guards)
            if let security {
                logger.notice("CURVE on every endpoint", metadata: [
                    "public_key": "\(security.keyPair.publicKey.z85)", "runner_keys": "\(security.runnerKeys.count)",
                    "client_keys": "\(security.clientKeys.count)",
                ])
            } else {
                logger.warning(
                    "CURVE is not configured: traffic on all endpoints is unencrypted and unauthenticated; set security.curve_secret_key_file, security.runner_keys and security.client_keys (see README, Security)")
            }
            let feedPublisher = FeedPublisher(socket: feed, state: state)
            let queryServer = QueryServer(socket: queries, feed: feedPublisher, store: store, screenshots: screenshots, state: state, curveEnabled: security != nil,
                socketDrops: { [queries, runners, feed] in
                    [queries, runners, feed].reduce(0) { $0 + $1.statistics.droppedOversized }
                },
                logger: logger)
            let gateway = RunnerGateway(
                socket: runners, feed: feedPublisher, store: store, screenshots: screenshots, state: state,
                configuration: configuration, logger: logger, metrics: WriterMetrics(factory: metricsFactory)
            )
            logger.info("writer ready", metadata: [
                "writer_id": "\(configuration.writerID)", "queries": "\(endpoints.queries)", "runners": "\(endpoints.runners)",
                "feed": "\(endpoints.feed)", "persistence": "\(configuration.persistenceEnabled)",
                "database": "\(databaseName)", "curve": "\(security != nil)",
            ])
            onReady(endpoints)
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Queries on a thread of their own, so ingest's work never queues them.
                        let executor = DedicatedThreadExecutor(name: "veritas-queries")
                        defer { executor.shutdown() }
                        await withTaskExecutorPreference(executor) { await queryServer.run() }
                    }
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

    /// The store and screenshot store the configuration asks for: memory only, SQLite with files
    /// in the data folder, or PostgreSQL with the images in the database (what every writer host
    /// can read). Also returns what to log as the database (never a password).
    private func openStores(
        memory: MemoryAuditStore, dataDirectory: URL
    ) async throws -> (any WriterStore, any ScreenshotStore, String) {
        let files = ScreenshotFiles(dataDirectory: dataDirectory, maxBytes: configuration.maxScreenshotBytes)
        guard configuration.persistenceEnabled else {
            logger.notice("persistence disabled (persistence.enabled is false, e.g. USE_DB_PERSISTENCE=false): memory only, the database is not opened")
            return (MemoryOnlyStore(memory: memory), files, "disabled")
        }
        if configuration.databaseMirror {
            let migration = try await DatabaseMigration.open(configuration, logger: logger)
            let (database, screenshots) = migration.mirroring(logger: logger)
            logger.notice("live migration: every write also goes to the other database", metadata: ["direction": "\(migration.direction)"])
            return (DurableStore(memory: memory, database: database), screenshots, "\(migration.direction) (mirrored)")
        }
        switch configuration.databaseBackend {
        case "postgres":
            let settings = try configuration.postgresSettings()
            let database = try await PostgresAuditStore.open(settings, logger: logger)
            let images = PostgresScreenshots(store: database, maxBytes: configuration.maxScreenshotBytes)
            return (DurableStore(memory: memory, database: database), images, settings.description)
        default:
            let database = try configuration.openSQLite()
            return (DurableStore(memory: memory, database: database), files, database.path)
        }
    }

    private func bind(
        context: Context, loop: SocketLoop, security: WriterSecurity?, state: WriterState, guards: inout SecurityGuards
    ) throws -> (AsyncSocket, AsyncSocket, AsyncSocket, BoundEndpoints) {
        /// With CURVE: the socket is a CURVE server of `domain`, and a monitor counts and logs the
        /// peers refused at the handshake (plaintext ones never reach the ZAP handler).
        func secure(_ socket: Socket, domain: String, name: String) throws {
            guard let security else { return }
            try socket.configureCurveServer(secretKey: security.keyPair.secretKey, zapDomain: domain)
            guards.monitors.append(try SocketMonitor(watching: socket, events: .handshakeFailures) { [logger] event in
                state.refusedConnections.add(1, ordering: .relaxed)
                // The ZAP handler already logged refused keys, with the key and the address.
                guard event.kind != .handshakeFailedAuth else { return }
                logger.warning("connection refused", metadata: [
                    "endpoint": "\(name)", "bound": "\(event.endpoint)", "reason": "\(event.reason)",
                ])
            })
        }

        let queries = try Socket(context, type: .router)
        try secure(queries, domain: WriterSecurity.clientsDomain, name: "queries")
        try queries.set(.routerMandatory, true)
        // Big enough to answer an oversized request with `too_large`; beyond it libzmq drops the peer.
        try queries.set(.maxMessageSize, Int64(ProtocolLimits.maxQueryFrameBytes * 16))
        try queries.bind(configuration.queriesEndpoint)

        let runners = try Socket(context, type: .router)
        try secure(runners, domain: WriterSecurity.runnersDomain, name: "runners")
        try runners.set(.routerMandatory, true)
        // A reconnecting runner (same routing id) takes over its old connection.
        try runners.set(.routerHandover, true)
        try runners.set(.maxMessageSize, Int64(ProtocolLimits.maxScreenshotBytes + ProtocolLimits.maxRunnerHeaderBytes))
        // Queues hold messages, not bytes: keep per-runner queues short, screenshots are large.
        try runners.set(.receiveHighWaterMark, 64)
        try runners.bind(configuration.runnersEndpoint)

        // XPUB: a PUB to subscribers, which also tells the writer what is subscribed.
        let feed = try Socket(context, type: .xpub)
        try secure(feed, domain: WriterSecurity.clientsDomain, name: "feed")
        try feed.set(.sendHighWaterMark, 10_000)
        // Subscribers send only (un)subscriptions: a byte and a topic of at most an audit id.
        // The limit applies to frames as they travel, so it leaves room for the CURVE handshake
        // (a HELLO command is 200 bytes) and per-message encryption overhead.
        try feed.set(.maxMessageSize, 1024)
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

/// The threads CURVE adds to a writer: the ZAP handler and one handshake monitor per endpoint.
struct SecurityGuards {
    var authenticator: ZAPAuthenticator?
    var monitors: [SocketMonitor] = []

    func stop() {
        for monitor in monitors { monitor.stop() }
        authenticator?.stop()
    }
}
