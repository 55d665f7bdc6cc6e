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
