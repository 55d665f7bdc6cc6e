import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One throwaway PostgreSQL server per test process, started by the first test that asks, and a
/// new empty database for each test: a cluster takes seconds to make, a database a fraction of
/// one. The server is stopped when the process has gone (``SharedPostgresShutdown``).
public actor SharedPostgres {
    public static let shared = SharedPostgres()

    private var cluster: PostgresCluster?

    /// A new, empty schema of the shared server's test database (a schema costs a few catalog rows,
    /// where a database copies its template through the WAL): ``TestDatabase/drop()`` removes it.
    public func freshDatabase() async throws -> TestDatabase {
        let cluster = try await running()
        if !databaseMade {
            try await onOwnThread { try cluster.psql("CREATE DATABASE \(Self.databaseName)") }
            databaseMade = true
        }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return TestDatabase(cluster: cluster, name: Self.databaseName, schema: schema)
    }

    /// The one database the tests' schemas live in.
    static let databaseName = "veritas_tests"
    private var databaseMade = false

    /// The shared server, started on first use.
    public func running() async throws -> PostgresCluster {
        if let cluster { return cluster }
        let started = try await PostgresCluster.start()
        cluster = started
        SharedPostgresShutdown.register(started)
        return started
    }
}

/// A schema of the shared test server's database: to the store, a database of its own.
public struct TestDatabase: Sendable {
    public let cluster: PostgresCluster
    /// The database the schema is in.
    public let name: String
    public let schema: String

    /// `postgres://veritas@127.0.0.1:<port>/<database>?sslmode=disable&schema=<schema>`: the store
    /// creates the schema and keeps its tables there.
    public var url: String { cluster.url(database: name) + "?sslmode=disable&schema=\(schema)" }

    /// Runs `sql` with the schema's tables first on the search path; what psql printed.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        let output = try cluster.psql("SET search_path TO \(schema); \(sql)", database: name)
        return output.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != "SET" }.joined(separator: "\n")
    }

    /// Drops the schema with everything in it, on a thread of its own (nothing waits for it: a
    /// dropped schema is never used again).
    public func drop() {
        let (cluster, schema, name) = (self.cluster, self.schema, self.name)
        Thread.detachNewThread { _ = try? cluster.psql("DROP SCHEMA IF EXISTS \(schema) CASCADE", database: name) }
    }
}

/// Stops the shared server once the test process is gone, however it ended (a normal exit, a
/// crash, `kill -9`, a time limit): a small shell watches the process and then stops the server and
/// removes its folder. (`atexit` is not enough: test runners may leave by other ways than `exit`.)
private enum SharedPostgresShutdown {
    static func register(_ cluster: PostgresCluster) {
        guard let binaries = PostgresCluster.binaries() else { return }
        let script = """
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            if [ "$5" = 1 ]; then
                setpriv --reuid=65534 --regid=65534 --clear-groups -- "$2" -D "$3" -m immediate -w stop >/dev/null 2>&1
            else
                "$2" -D "$3" -m immediate -w stop >/dev/null 2>&1
            fi
            rm -rf "$4"
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c", script, "veritas-pg-watchdog", String(ProcessInfo.processInfo.processIdentifier),
            binaries.appendingPathComponent("pg_ctl").path, cluster.dataDirectory.path, cluster.folder.path, geteuid() == 0 ? "1" : "0",
        ]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }
}
