import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests: a new cluster made with Debian's `initdb` in a
/// temporary folder and run with `pg_ctl` on a loopback port, as an unprivileged user when the
/// tests run as root (PostgreSQL refuses to run as root). Stopped with ``stop()``.
///
/// The PostgreSQL store's suites run against these (most through ``SharedPostgres``, one server per
/// test process). `scripts/install-deps.sh` installs the server.
public final class PostgresCluster: Sendable {
    /// The database superuser, trusted on loopback (`--auth=trust`): a test cluster holds no secrets.
    public static let user = "veritas"
    public let port: Int
    public let dataDirectory: URL
    public let folder: URL
    private let binaries: URL

    /// `postgres://veritas@127.0.0.1:<port>/<database>`.
    public func url(database: String = "postgres") -> String {
        "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)"
    }

    private init(port: Int, folder: URL, binaries: URL) {
        self.port = port
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
    public static func start() async throws -> PostgresCluster {
        guard let binaries = binaries() else {
            throw SpawnError(description: "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/pg_ctl): run scripts/install-deps.sh")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if geteuid() == 0 { chown(folder.path, unprivilegedUser, unprivilegedUser) }
        let port = try freePort()
        let cluster = PostgresCluster(port: port, folder: folder, binaries: binaries)
        try cluster.run("initdb", ["-D", cluster.dataDirectory.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
        try cluster.startServer()
        return cluster
    }

    /// Stops the server (fast shutdown, waiting for it) and removes its folder.
    public func stop() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try stopServer()
    }

    /// Stops the server and keeps its data: ``startServer()`` brings the same cluster back on the
    /// same port, as an operator's restart of the database would.
    public func stopServer() throws {
        try run("pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    /// Starts the server on its port; waits until it accepts connections.
    public func startServer() throws {
        let options = "-p \(port) -k \(folder.path) -c listen_addresses=127.0.0.1"
        try run("pg_ctl", ["-D", dataDirectory.path, "-o", options, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60", "start"])
    }

    /// Runs `psql` against the cluster with `sql`; returns what it printed (unaligned, tuples only).
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", Self.user, "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// The server's process id, from its `postmaster.pid`; `nil` when it is not running.
    public var serverPID: pid_t? {
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first) else { return nil }
        return pid
    }

    /// The user the server runs as when the tests are root.
    static let unprivilegedUser: uid_t = 65_534

    /// Runs one of the server's programs to completion (as the unprivileged user when root);
    /// throws with its output when it fails.
    @discardableResult
    private func run(_ program: String, _ arguments: [String]) throws -> String {
        let executable = program == "psql" && !FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("psql").path)
            ? "/usr/bin/psql" : binaries.appendingPathComponent(program).path
        let asRoot = geteuid() == 0
        let command = asRoot ? ["--reuid=\(Self.unprivilegedUser)", "--regid=\(Self.unprivilegedUser)", "--clear-groups", "--", executable] + arguments : arguments
        let id = UUID().uuidString
        let out = folder.appendingPathComponent("\(program)-\(id).out")
        let err = folder.appendingPathComponent("\(program)-\(id).err")
        let process = try SpawnedProcess(
            executable: asRoot ? "/usr/bin/setpriv" : executable, arguments: command,
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

    /// A loopback port nothing listens on now (the kernel's pick for a socket bound to port 0).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SpawnError(description: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0 else { throw SpawnError(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        guard named == 0 else { throw SpawnError(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
