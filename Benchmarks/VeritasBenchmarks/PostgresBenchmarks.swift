// The writer on PostgreSQL, measured beside the server's own limit in the same run: durable ingest
// through one writer and through two writers sharing the database, against pgbench's batched
// inserts (PostgreSQL's own C client, 512 rows per transaction, synchronous_commit on); `status`
// latency. Needs a server: `make bench` starts a throwaway one (scripts/with-postgres.sh).
import Foundation
import VeritasProtocol
import VeritasWriter

func runPostgresBenchmarks(rounds: Int, scale: UInt64) async throws {
    let environment = ProcessInfo.processInfo.environment
    guard let server = environment["VERITAS_BENCH_POSTGRES_URL"], let pgbench = environment["VERITAS_BENCH_PGBENCH"],
          let base = URLComponents(string: server), let host = base.host, let port = base.port, let user = base.user else {
        print("")
        print("PostgreSQL: not measured (no server: run `make bench`, which starts one, or set VERITAS_BENCH_POSTGRES_URL and VERITAS_BENCH_PGBENCH)")
        return
    }
    var databases = 0
    /// A new database on the server; its URL.
    func freshDatabase() throws -> String {
        databases += 1
        let name = "bench_\(ProcessInfo.processInfo.processIdentifier)_\(databases)"
        try runTool("/usr/bin/psql", ["-h", host, "-p", String(port), "-U", user, "-d", "postgres", "-X", "-q", "-c", "CREATE DATABASE \(name)"])
        var components = base
        components.path = "/\(name)"
        return components.string ?? server
    }
    func postgresWriter(_ url: String) async throws -> BenchWriter {
        try await BenchWriter.start(synchronous: "full") { configuration in
            configuration.databaseBackend = "postgres"
            configuration.postgresURL = url
        }
    }

    let perRunner = Int(20_000 / scale)
    print("")
    print("Writer on PostgreSQL (in-process writers, real sockets, a local server, synchronous_commit=on; 2 runner threads with 1000 unacked each):")
    print("")
    print("| workload | raw limit | Veritas writer | writer / raw |")
    print("|---|---|---|---|")
    let progress: @Sendable (RunnerID, AuditID, Int) -> AuditEvent = { runner, audit, seq in
        AuditEvent(eventID: .generate(), auditID: audit, seq: seq, timestamp: .now, runnerID: runner,
                   payload: .progress(ProgressEventPayload(phase: "fetching", percent: 42, message: "fetching the page and its headers")))
    }
    var raw: [Double] = [], one: [Double] = [], two: [Double] = []
    for _ in 0..<rounds {
        raw.append(try pgbenchBatchedInserts(pgbench: pgbench, url: try freshDatabase(), host: host, port: port, user: user, transactions: max(20, perRunner * 2 / 512)))
        let single = try await postgresWriter(try freshDatabase())
        one.append(try benchWriterIngest(writer: single, runners: 2, perRunner: perRunner, window: 1000, makeEvent: progress).rate)
        try await single.stop()
        // Two writers on one database, one runner each: what a second writer host adds.
        let shared = try freshDatabase()
        let first = try await postgresWriter(shared), second = try await postgresWriter(shared)
        let started = monotonicSeconds()
        let joins = [first, second].map { writer in
            let writer = UncheckedSendable(writer)
            return spawn { _ = try? benchWriterIngest(writer: writer.value, runners: 1, perRunner: perRunner, window: 1000, makeEvent: progress) }
        }
        for join in joins { join() }
        two.append(Double(perRunner * 2) / (monotonicSeconds() - started))
        try await first.stop()
        try await second.stop()
    }
    print("| durable ingest, small events, one writer | \(format(median(raw), unit: "rows/s")) pgbench, 512 rows/txn, 2 clients | \(format(median(one), unit: "events/s")) | \(String(format: "%.0f%%", median(one) / median(raw) * 100)) |")
    print("| durable ingest, two writers on one database, one runner each | (same) | \(format(median(two), unit: "events/s")) | \(String(format: "%.0f%%", median(two) / median(raw) * 100)); \(String(format: "%.2fx", median(two) / median(one))) one writer |")

    let writer = try await postgresWriter(try freshDatabase())
    let latencies = try benchStatusLatency(writer: writer, count: Int(10_000 / scale))
    try await writer.stop()
    print("| `status` query round trip (REQ, PostgreSQL read) p50 / p99, idle | | \(String(format: "%.0f µs / %.0f µs", percentile(latencies, 0.5), percentile(latencies, 0.99))) | |")
}

/// PostgreSQL's own limit for what the writer does per commit: pgbench (C, libpq) runs
/// transactions of 512 inserted rows shaped like `processed_events` rows, on 2 connections;
/// returns rows per second.
func pgbenchBatchedInserts(pgbench: String, url: String, host: String, port: Int, user: String, transactions: Int) throws -> Double {
    let database = URLComponents(string: url)?.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")) ?? "postgres"
    try runTool("/usr/bin/psql", ["-h", host, "-p", String(port), "-U", user, "-d", database, "-X", "-q", "-c",
                                  "CREATE TABLE raw_events (event_id TEXT COLLATE \"C\" PRIMARY KEY, audit_id TEXT NOT NULL, event TEXT NOT NULL, seq BIGINT NOT NULL, applied_at TEXT NOT NULL)"])
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-pgbench-\(UUID().uuidString).sql")
    defer { try? FileManager.default.removeItem(at: script) }
    try """
        BEGIN;
        INSERT INTO raw_events SELECT md5(random()::text || clock_timestamp()::text || i), '01a2', 'audit.progress', i, clock_timestamp()::text FROM generate_series(1, 512) AS i;
        COMMIT;
        """.write(to: script, atomically: true, encoding: .utf8)
    let output = try runTool(pgbench, ["-n", "-h", host, "-p", String(port), "-U", user, "-c", "2", "-j", "2", "-t", String(transactions / 2), "-f", script.path, database])
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
          let tps = Double(line.dropFirst(6).prefix { $0.isNumber || $0 == "." }) else {
        throw BenchmarkFailure(description: "pgbench printed no tps: \(output)")
    }
    return tps * 512
}

/// Runs a tool to completion; its standard output, or an error with what it said.
@discardableResult
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let messages = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkFailure(description: "\(executable) exited \(process.terminationStatus): \(String(decoding: messages, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}
