import Foundation

/// One throwaway PostgreSQL server per test process, started by the first test that asks, and a
/// new empty database for each test: a cluster takes seconds to make, a database a fraction of
/// one. The server is stopped when the process exits.
public actor SharedPostgres {
    public static let shared = SharedPostgres()

    private var cluster: PostgresCluster?

    /// A new, empty database on the shared server; ``TestDatabase/drop()`` removes it.
    public func freshDatabase() async throws -> TestDatabase {
        let cluster = try await running()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try cluster.psql("CREATE DATABASE \(name)")
        return TestDatabase(cluster: cluster, name: name)
    }

    /// The shared server, started on first use.
    public func running() async throws -> PostgresCluster {
        if let cluster { return cluster }
        let started = try await PostgresCluster.start()
        cluster = started
        SharedPostgresShutdown.register(started)
        return started
    }
}

/// A database of the shared test server.
public struct TestDatabase: Sendable {
    public let cluster: PostgresCluster
    public let name: String

    /// `postgres://veritas@127.0.0.1:<port>/<name>`.
    public var url: String { cluster.url(database: name) }

    /// Drops the database, closing whatever connections are still open to it.
    public func drop() {
        _ = try? cluster.psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// Stops the shared server at process exit, so no test run leaves a PostgreSQL server behind.
private enum SharedPostgresShutdown {
    nonisolated(unsafe) static var cluster: PostgresCluster?

    static func register(_ cluster: PostgresCluster) {
        self.cluster = cluster
        atexit { SharedPostgresShutdown.cluster.map { try? $0.stop() } }
    }
}
