import Foundation
import Testing
import VeritasTestSupport


/// The throwaway PostgreSQL server the PostgreSQL store's suites will run against (issue 15):
/// Debian's server, a new cluster per test, on loopback, as an unprivileged user under root.
@Suite("PostgreSQL test cluster", .timeLimit(.minutes(2)))
struct PostgresClusterTests {
    @Test("a throwaway cluster starts on loopback, answers SQL durably configured, and stops without leaving its server running")
    func cluster() async throws {
        let cluster = try await PostgresCluster.start()
        var stopped = false
        defer { if !stopped { try? cluster.stop() } }
        #expect(try cluster.psql("SELECT 6 * 7").trimmingCharacters(in: .whitespacesAndNewlines) == "42")
        try cluster.psql("CREATE DATABASE veritas")
        #expect(try cluster.psql("SELECT current_database()", database: "veritas").trimmingCharacters(in: .whitespacesAndNewlines) == "veritas")
        #expect(try cluster.psql("SHOW fsync").trimmingCharacters(in: .whitespacesAndNewlines) == "on", "commits reach the disk, as the store's guarantees need")
        #expect(try cluster.psql("SHOW listen_addresses").trimmingCharacters(in: .whitespacesAndNewlines) == "127.0.0.1")
        #expect(cluster.url(database: "veritas") == "postgres://veritas@127.0.0.1:\(cluster.port)/veritas")
        let pid = try #require(cluster.serverPID)
        #expect(Self.isRunning(pid), "the server runs")
        try cluster.stop()
        stopped = true
        #expect(!Self.isRunning(pid), "the server is gone after stop")
        #expect(!FileManager.default.fileExists(atPath: cluster.folder.path), "its folder is removed")
    }

    /// Whether `pid` is a live process: present in /proc and not a zombie waiting to be reaped
    /// (a stopped server may linger as one under whichever process adopted it).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != nil && state != "Z" && state != "X"
    }
}
