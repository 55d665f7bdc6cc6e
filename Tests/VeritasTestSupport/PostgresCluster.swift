import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests: a new cluster made with Debian's `initdb` in a
/// temporary folder and run with `pg_ctl` on a loopback port, as an unprivileged user when the
/// tests run as root (PostgreSQL refuses to run as root). Stopped with ``stop()``.
///
/// A multi-host test puts the server on a network host of its own instead: ``start(port:listenAddress:namespace:)``
/// with a network namespace runs the server (and `psql`) inside it, listening on that host's address.
///
/// The PostgreSQL store's suites run against these (most through ``SharedPostgres``, one server per
/// test process). `scripts/install-deps.sh` installs the server.
public final class PostgresCluster: Sendable {
    /// The database superuser, trusted on loopback (`--auth=trust`): a test cluster holds no secrets.
    public static let user = "veritas"
    public let port: Int
    /// The address the server listens on, and the one ``url(database:)`` and ``psql(_:database:)`` connect to.
    public let host: String
    /// The network namespace the server and `psql` run in (`ip netns exec`); `nil`: this machine's network.
    public let namespace: String?
    public let dataDirectory: URL
    public let folder: URL
    private let binaries: URL

    /// `postgres://veritas@<host>:<port>/<database>` (`127.0.0.1` unless another address was given).
    public func url(database: String = "postgres") -> String {
        "postgres://\(Self.user)@\(host):\(port)/\(database)"
    }

    private init(port: Int, host: String, namespace: String?, folder: URL, binaries: URL) {
        self.port = port
        self.host = host
        self.namespace = namespace
        self.folder = folder
        self.dataDirectory = folder.appendingPathComponent("data")
        self.binaries = binaries
    }

    /// The newest installed server's `bin` folder (`/usr/lib/postgresql/<version>/bin`).
    public static func binaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() {
            let bin = root.appendingPathComponent("\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) { return bin }
        }
        return nil
    }

    /// Makes and starts a cluster in a new folder under the temporary directory; waits until it
    /// accepts connections.
    ///
    /// - Parameters:
    ///   - port: the port to listen on; default: one free now (a loopback port the kernel picks, or
    ///     5432 inside a namespace, whose network is the test's alone). A test that restarts the
    ///     server may pass one from ``LoopbackPorts/pick(_:)``, which no other process is handed
    ///     while the server is down.
    ///   - listenAddress: the address the server listens on (`listen_addresses`).
    ///   - namespace: a network namespace (`ip netns add`, root only) to run the server and `psql`
    ///     in, the database host of a multi-host test; `listenAddress` is then that host's address.
    public static func start(port: Int? = nil, listenAddress: String = "127.0.0.1", namespace: String? = nil) async throws -> PostgresCluster {
        // initdb and pg_ctl take seconds and are waited for: on a thread of their own, not on one
        // of the (two) threads every test's async code shares.
        try await onOwnThread { try make(port: port, listenAddress: listenAddress, namespace: namespace) }
    }

    private static func make(port: Int?, listenAddress: String, namespace: String?) throws -> PostgresCluster {
        guard let binaries = binaries() else {
            throw SpawnError(description: "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/pg_ctl): run scripts/install-deps.sh")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if geteuid() == 0 { chown(folder.path, unprivilegedUser, unprivilegedUser) }
        // A default port comes from outside the ephemeral range (``LoopbackPorts/pick(_:)``): a
        // port the kernel picks for a listener now may be handed to another test's outgoing
        // connection as its source port while initdb runs, and the server then cannot bind it.
        let chosenPort = try port ?? (namespace == nil ? LoopbackPorts.pick(1)[0] : 5432)
        var cluster = PostgresCluster(port: chosenPort, host: listenAddress, namespace: namespace, folder: folder, binaries: binaries)
        try cluster.run("initdb", ["-D", cluster.dataDirectory.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
        if listenAddress != "127.0.0.1" {
            // initdb trusts loopback only; the hosts of a multi-host test connect over their network:
            // trust the subnets the server's own addresses are on (`samenet`), as loopback is.
            let rules = cluster.dataDirectory.appendingPathComponent("pg_hba.conf")
            let handle = try FileHandle(forWritingTo: rules)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("host all all samenet trust\n".utf8))
        }
        // Another test may still bind the chosen port first (it was free when picked): a default
        // port is picked again, a few times, when the server reports it in use.
        for attempt in 1... {
            do {
                try cluster.startServer()
                return cluster
            } catch let error as SpawnError where port == nil && namespace == nil && attempt < 4 && error.description.contains("Address already in use") {
                cluster = PostgresCluster(port: try LoopbackPorts.pick(1)[0], host: listenAddress, namespace: namespace, folder: folder, binaries: binaries)
            }
        }
        fatalError("unreachable: the loop returns or throws")
    }

    /// Stops the server (fast shutdown, waiting for it) and removes its folder.
    public func stop() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try stopServer()
    }

    /// Stops the server and keeps its data: ``startServer()`` brings the same cluster back on the
    /// same port, as an operator's restart of the database would.
    public func stopServer() throws {
        // Outside any namespace: stopping signals the server's pid and needs no network, so a server
        // whose namespace was already deleted is stopped all the same.
        try run("pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"], inNamespace: false)
    }

    /// Starts the server on its port; waits until it accepts connections.
    public func startServer() throws {
        let options = "-p \(port) -k \(folder.path) -c listen_addresses=\(host)"
        try run("pg_ctl", ["-D", dataDirectory.path, "-o", options, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60", "start"])
    }

    /// Runs `psql` against the cluster with `sql`; returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try run("psql", ["-h", host, "-p", String(port), "-U", Self.user, "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// The server's process id, from its `postmaster.pid`; `nil` when it is not running.
    public var serverPID: pid_t? {
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first) else { return nil }
        return pid
    }

    /// The user the server runs as when the tests are root.
    static let unprivilegedUser: uid_t = 65_534

    /// Runs one of the server's programs to completion (as the unprivileged user when root, inside
    /// ``namespace`` when there is one and `inNamespace`); throws with its output when it fails.
    @discardableResult
    private func run(_ program: String, _ arguments: [String], inNamespace: Bool = true) throws -> String {
        let executable = program == "psql" && !FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("psql").path)
            ? "/usr/bin/psql" : binaries.appendingPathComponent(program).path
        let asRoot = geteuid() == 0
        var command = asRoot
            ? ["/usr/bin/setpriv", "--reuid=\(Self.unprivilegedUser)", "--regid=\(Self.unprivilegedUser)", "--clear-groups", "--", executable] + arguments
            : [executable] + arguments
        // `ip netns exec` enters the namespace (as root) and execs the rest, setpriv dropping to the
        // unprivileged user inside it.
        if let namespace, inNamespace { command = ["/usr/sbin/ip", "netns", "exec", namespace] + command }
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("\(program)-\(id).out")
        let err = folder.appendingPathComponent("\(program)-\(id).err")
        let process = try SpawnedProcess(
            executable: command[0], arguments: Array(command.dropFirst()),
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "TZ": "UTC"], directory: folder, stdout: out, stderr: err)
        let status = process.waitForExit()
        let output = process.stdout
        let errors = process.stderr
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        guard status == 0 else {
            let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw SpawnError(description: "\(program) exited \(status): \(errors) \(output) \(log.suffix(2_000))")
        }
        return output
    }

}

/// Runs blocking work (a child process waited for) on a thread of its own and awaits its result,
/// so the concurrency pool's few threads keep serving everyone else's tasks meanwhile.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}
