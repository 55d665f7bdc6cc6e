import Foundation
import VeritasTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Separate network hosts on this machine: one network namespace per host, each joined by a veth
/// link to a bridge in a "switch" namespace, addresses 10.77.<n>.<host>/24. Built with iproute2,
/// torn down by deleting the namespaces (which deletes their links).
final class NetworkLab: @unchecked Sendable {
    // @unchecked: `processes` is only touched by the test that owns the lab, one call at a time.
    struct Host {
        let name: String
        let namespace: String
        let address: String
        /// The link's end in the switch namespace; taking it down cuts the host off.
        let switchPort: String
    }

    static let ip = "/usr/sbin/ip"

    /// Whether this machine lets us create network namespaces, and if not, why.
    static let availability: (ok: Bool, reason: String) = {
        guard geteuid() == 0 else { return (false, "creating network namespaces needs root") }
        guard FileManager.default.isExecutableFile(atPath: ip) else { return (false, "iproute2 (\(ip)) is not installed") }
        let probe = "vtprobe\(getpid() % 10_000)"
        guard (try? run([ip, "netns", "add", probe])) != nil else { return (false, "the machine refused `ip netns add`") }
        _ = try? run([ip, "netns", "del", probe])
        return (true, "")
    }()

    let prefix: String
    let subnet: String
    private(set) var hosts: [String: Host] = [:]
    private var processes: [SpawnedProcess] = []
    private let switchNamespace: String
    private let logs: URL

    /// Creates the switch and one namespace per host (`name` → last address byte).
    init(hosts layout: [(name: String, octet: Int)], logs: URL) throws {
        let tag = UInt16.random(in: 0..<UInt16.max)
        prefix = "vt\(String(tag, radix: 16))"
        subnet = "10.77.\(Int(tag % 200) + 20)"
        switchNamespace = "\(prefix)-sw"
        self.logs = logs
        do {
            try Self.run([Self.ip, "netns", "add", switchNamespace])
            try Self.run([Self.ip, "-n", switchNamespace, "link", "set", "lo", "up"])
            try Self.run([Self.ip, "-n", switchNamespace, "link", "add", "br0", "type", "bridge"])
            try Self.run([Self.ip, "-n", switchNamespace, "link", "set", "br0", "up"])
            for (name, octet) in layout {
                let namespace = "\(prefix)-\(name)"
                let hostEnd = "\(prefix)\(name)h"   // at most 15 characters
                let switchEnd = "\(prefix)\(name)s"
                let address = "\(subnet).\(octet)"
                try Self.run([Self.ip, "netns", "add", namespace])
                try Self.run([Self.ip, "-n", namespace, "link", "set", "lo", "up"])
                try Self.run([Self.ip, "link", "add", hostEnd, "type", "veth", "peer", "name", switchEnd])
                try Self.run([Self.ip, "link", "set", hostEnd, "netns", namespace])
                try Self.run([Self.ip, "link", "set", switchEnd, "netns", switchNamespace])
                try Self.run([Self.ip, "-n", namespace, "addr", "add", "\(address)/24", "dev", hostEnd])
                try Self.run([Self.ip, "-n", namespace, "link", "set", hostEnd, "up"])
                try Self.run([Self.ip, "-n", switchNamespace, "link", "set", switchEnd, "master", "br0"])
                try Self.run([Self.ip, "-n", switchNamespace, "link", "set", switchEnd, "up"])
                hosts[name] = Host(name: name, namespace: namespace, address: address, switchPort: switchEnd)
            }
        } catch {
            tearDown()
            throw error
        }
    }

    func host(_ name: String) -> Host {
        guard let host = hosts[name] else { preconditionFailure("no host \(name) in the lab") }
        return host
    }

    /// Starts a built executable on `host`; its output goes to `<logs>/<label>.out|.err`.
    @discardableResult
    func start(on host: String, _ executable: String, _ arguments: [String], environment: [String: String], label: String) throws -> SpawnedProcess {
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("VERITAS_") && $0.key != "USE_DB_PERSISTENCE" }
        merged.merge(environment) { $1 }
        guard let program = BuiltProducts.url(executable) else { throw DeploymentTestError("\(executable) was not built") }
        // `ip netns exec` enters the namespace and execs the program: same pid, signals reach it.
        let process = try SpawnedProcess(
            executable: Self.ip, arguments: ["netns", "exec", self.host(host).namespace, program.path] + arguments,
            environment: merged, stdout: logs.appendingPathComponent("\(label).out"), stderr: logs.appendingPathComponent("\(label).err"))
        processes.append(process)
        return process
    }

    /// Runs `veritas arguments...` on `host` to completion.
    func veritas(on host: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> BuiltProducts.Outcome {
        try await BuiltProducts.run("veritas", arguments, environment: environment, launcher: [Self.ip, "netns", "exec", self.host(host).namespace])
    }

    /// Cuts `host` off the network (its link goes down at the switch), as a pulled cable would.
    func cut(_ host: String) throws {
        try Self.run([Self.ip, "-n", switchNamespace, "link", "set", self.host(host).switchPort, "down"])
    }

    /// Kills every process started here and deletes the namespaces.
    func tearDown() {
        for process in processes where process.isRunning {
            process.signal(SIGKILL)
            _ = process.waitForExit()
        }
        for host in hosts.values { _ = try? Self.run([Self.ip, "netns", "del", host.namespace]) }
        _ = try? Self.run([Self.ip, "netns", "del", switchNamespace])
    }

    /// Runs a command to completion; throws with its output when it fails.
    @discardableResult
    static func run(_ command: [String]) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-\(UUID().uuidString)")
        let out = base.appendingPathExtension("out")
        let err = base.appendingPathExtension("err")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let process = try SpawnedProcess(
            executable: command[0], arguments: Array(command.dropFirst()), environment: ProcessInfo.processInfo.environment,
            stdout: out, stderr: err)
        let status = process.waitForExit()
        guard status == 0 else {
            throw DeploymentTestError("`\(command.joined(separator: " "))` exited \(status): \(process.stderr)")
        }
        return process.stdout
    }
}
