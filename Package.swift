// swift-tools-version: 6.1
//
// Veritas: website trust audits, persisted by a writer service that runners feed over ZeroMQ.
// The layout mirrors the architecture (see docs/ARCHITECTURE.md):
//   CZeroMQ (system libzmq) -> ZeroMQ (Swift binding) -> VeritasProtocol (wire contract)
//   -> services -> thin executables.
//   CLibXML2 (system libxml2) -> VeritasHTML (parsed documents for the audit detectors).
import PackageDescription

let package = Package(
    name: "Veritas",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "VeritasProtocol", targets: ["VeritasProtocol"]),
        .library(name: "VeritasStore", targets: ["VeritasStore"]),
        .library(name: "VeritasPostgres", targets: ["VeritasPostgres"]),
        .library(name: "VeritasWriter", targets: ["VeritasWriter"]),
        .library(name: "VeritasRunner", targets: ["VeritasRunner"]),
        .library(name: "VeritasClient", targets: ["VeritasClient"]),
        .library(name: "VeritasHTML", targets: ["VeritasHTML"]),
        .library(name: "VeritasSecurity", targets: ["VeritasSecurity"]),
        .library(name: "VeritasAudit", targets: ["VeritasAudit"]),
        .library(name: "VeritasBrowser", targets: ["VeritasBrowser"]),
        .executable(name: "veritas-writer", targets: ["veritas-writer"]),
        .executable(name: "veritas-runner", targets: ["veritas-runner"]),
        .executable(name: "veritas", targets: ["veritas"]),
        .executable(name: "veritas-console", targets: ["veritas-console"]),
        .executable(name: "veritas-bench", targets: ["VeritasBenchmarks"]),
        .executable(name: "veritas-model", targets: ["veritas-model"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Metrics: the swift-metrics API in the services, Prometheus text on /metrics.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        // The runner's egress proxy and the tests' loopback HTTP fixture server use it directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        // The web console's HTTP server (only `VeritasConsole` and `veritas-console` link it).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        // The PostgreSQL store, for writers on several hosts (only `VeritasPostgres` links it).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // MARK: Transport
        .systemLibrary(
            name: "CZeroMQ",
            // No pkgConfig: libzmq.pc pulls in krb5 -isystem flags SwiftPM rejects; zmq.h and
            // libzmq.so are on the default paths of every Debian/Ubuntu install.
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),

        // MARK: Wire contract
        .target(name: "VeritasProtocol"),

        // MARK: Storage: memory + SQLite stores, event application, screenshot files
        .target(
            name: "VeritasStore",
            dependencies: [
                "VeritasProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: PostgreSQL: the same store contract on a database server several writer hosts share
        .target(
            name: "VeritasPostgres",
            dependencies: [
                "VeritasProtocol",
                "VeritasStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: Configuration: YAML file + environment + flags, shared by both services
        .target(name: "VeritasConfiguration", dependencies: ["Yams"]),

        // MARK: Services
        .target(
            name: "VeritasWriter",
            dependencies: [
                "ZeroMQ",
                "VeritasProtocol",
                "VeritasStore",
                "VeritasPostgres",
                "VeritasConfiguration",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        .target(
            name: "VeritasRunner",
            dependencies: [
                "ZeroMQ",
                "VeritasProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The egress proxy (the SSRF guard) listens and connects with NIO directly.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                "VeritasConfiguration",
                "VeritasAudit",
                "VeritasBrowser",
                "VeritasHTML",
                "VeritasSecurity",
            ]
        ),

        // MARK: HTML: libxml2's forgiving HTML parser, wrapped into Sendable values for the detectors
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .target(name: "VeritasHTML", dependencies: ["CLibXML2"]),

        // MARK: Security: HTTP Observatory grading (pure logic; the audit engine feeds it)
        .target(name: "VeritasSecurity"),

        // MARK: Audit: dark-pattern detectors, transparency, site type and the verdict (pure logic over
        // VeritasHTML documents and VeritasSecurity reports; the runner's engine feeds it)
        // The wording model (Resources/wording-model.json) is trained by `make model`.
        .target(
            name: "VeritasAudit",
            dependencies: ["VeritasHTML", "VeritasSecurity", "VeritasProtocol"],
            resources: [.copy("Resources/wording-model.json")]
        ),

        // MARK: Browser: headless Chromium over the DevTools protocol (a pipe; no WebSocket, no
        // dependency): rendered DOM, viewport and full-page screenshots for the audit engine
        .target(name: "VeritasBrowser", dependencies: ["VeritasProtocol"]),

        // MARK: Client
        .target(name: "VeritasClient", dependencies: ["ZeroMQ", "VeritasProtocol"]),

        // One audit as a self-contained HTML page: `veritas report`, `veritas analyze --html`, the
        // console. Crypto hashes its style sheet for the page's Content-Security-Policy and checks
        // the images it reads from a writer (VeritasClient).
        .target(name: "VeritasReport", dependencies: ["VeritasProtocol", "VeritasClient", .product(name: "Crypto", package: "swift-crypto")]),

        // The read-only web console: another ZeroMQ client of one or more writers, served over
        // HTTP by Hummingbird. Its own module and executable, so writers and runners link no HTTP server.
        .target(
            name: "VeritasConsole",
            dependencies: [
                "VeritasClient",
                "VeritasReport",
                "VeritasProtocol",
                "VeritasConfiguration",
                "ZeroMQ",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "veritas-console",
            dependencies: [
                "VeritasConsole",
                "VeritasService",
                "VeritasProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),

        // MARK: Service plumbing both executables share: JSON logging, the Prometheus endpoint
        // (`metrics.listen`), `--set` and `--list-settings`, running a service until SIGTERM
        .target(
            name: "VeritasService",
            dependencies: [
                "VeritasProtocol",
                "VeritasConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Demo: the whole system on loopback with bundled sample sites (`veritas demo`)
        .target(
            name: "VeritasDemo",
            dependencies: [
                "VeritasClient",
                "VeritasProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Sites")]
        ),

        // MARK: Executables (argument parsing only; the services live in libraries)
        .executableTarget(
            name: "veritas-writer",
            dependencies: [
                "VeritasWriter",
                "VeritasService",
                "VeritasProtocol",
                "VeritasStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "veritas-runner",
            dependencies: [
                "VeritasRunner",
                "VeritasService",
                "VeritasProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "veritas",
            dependencies: [
                "VeritasClient",
                "VeritasDemo",
                "VeritasProtocol",
                "VeritasReport",
                // CURVE certificates: `veritas keygen`, --key and --writer-key.
                "ZeroMQ",
                // `veritas analyze`: the runner's audit engine, the detectors and the wording model
                // in process, without a writer.
                "VeritasAudit",
                "VeritasRunner",
                "VeritasHTML",
                "VeritasSecurity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Trains and cross-validates the wording model (make model, make eval).
        .executableTarget(
            name: "veritas-model",
            dependencies: [
                "VeritasAudit",
                "VeritasHTML",
                "VeritasProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: Benchmarks (make bench): the binding against raw C, in one run
        .target(
            name: "CZeroMQRawBench",
            dependencies: ["CZeroMQ"],
            path: "Benchmarks/CZeroMQRawBench"
        ),
        .target(
            name: "CStorageRawBench",
            path: "Benchmarks/CStorageRawBench",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .executableTarget(
            name: "VeritasBenchmarks",
            dependencies: [
                "ZeroMQ", "CZeroMQRawBench", "CStorageRawBench", "VeritasProtocol", "VeritasWriter",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/VeritasBenchmarks"
        ),

        // MARK: Tests
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "VeritasProtocolTests", dependencies: ["VeritasProtocol"]),
        // A real writer, runner and console on loopback, driven by headless Chromium.
        .testTarget(
            name: "VeritasConsoleTests",
            dependencies: [
                "VeritasConsole", "VeritasTestSupport", "VeritasWriter", "VeritasClient", "VeritasBrowser", "VeritasSecurity",
                "VeritasProtocol", "VeritasReport", "VeritasDemo", "ZeroMQ",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reports rendered and opened in real headless Chromium: content, outlines, hostile text.
        .testTarget(name: "VeritasReportTests", dependencies: ["VeritasReport", "VeritasProtocol", "VeritasBrowser"]),
        // Reads the labelled pages in Tests/VeritasAuditTests/Corpus through #filePath (data only,
        // shared with the future audit engine's tests), so no resources are copied.
        .testTarget(name: "VeritasHTMLTests", dependencies: ["VeritasHTML"]),
        .testTarget(name: "VeritasSecurityTests", dependencies: ["VeritasSecurity", "VeritasHTML"]),
        // Real headless Chromium: rendering, screenshots, failures, and no leaked process or fd.
        .testTarget(name: "VeritasBrowserTests", dependencies: ["VeritasBrowser"]),
        // The labelled corpus (Corpus/), served on loopback and audited by the real engine with
        // headless Chromium: precision and recall per category, verdicts, security cases.
        .testTarget(
            name: "VeritasAuditTests",
            dependencies: [
                "VeritasAudit", "VeritasHTML", "VeritasSecurity", "VeritasRunner", "VeritasDemo", "VeritasProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Corpus"]
        ),
        .testTarget(
            name: "VeritasStoreTests",
            dependencies: [
                "VeritasStore", "VeritasPostgres", "VeritasProtocol", "VeritasTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The PostgreSQL store against a real server: several stores and writers on one database.
        .testTarget(
            name: "VeritasPostgresTests",
            dependencies: ["VeritasPostgres", "VeritasStore", "VeritasWriter", "VeritasRunner", "VeritasClient", "VeritasProtocol", "VeritasTestSupport"]
        ),
        .testTarget(
            name: "VeritasWriterTests",
            dependencies: [
                "VeritasWriter", "VeritasStore", "ZeroMQ", "VeritasProtocol", "VeritasTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "VeritasTestSupport",
            dependencies: [
                "VeritasWriter",
                .product(name: "Metrics", package: "swift-metrics"),
                "VeritasRunner",
                "VeritasStore",
                "VeritasProtocol",
                "ZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/VeritasTestSupport"
        ),
        .testTarget(
            name: "VeritasRunnerTests",
            dependencies: [
                "VeritasRunner", "VeritasTestSupport", "VeritasWriter", "VeritasProtocol", "ZeroMQ", "VeritasService",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // docker/ checked against the project, and the compose topology run across network namespaces.
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "VeritasWriter", "VeritasRunner", "VeritasProtocol", "VeritasTestSupport", "ZeroMQ", "VeritasConfiguration",
                "VeritasSecurity", "VeritasConsole",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Crash tests with real processes: kill -9 the writer and runners mid-audit, restart them,
        // then check the database, the screenshot files and the runners' outboxes.
        .testTarget(
            name: "VeritasChaosTests",
            dependencies: [
                "VeritasClient", "VeritasTestSupport", "VeritasProtocol", "VeritasDemo", "ZeroMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "VeritasClientTests",
            dependencies: [
                "VeritasClient", "VeritasTestSupport", "VeritasWriter", "VeritasProtocol", "ZeroMQ", "VeritasDemo",
                // Opens the reports `veritas analyze --html` writes, and photographs them for README.
                "VeritasBrowser",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
