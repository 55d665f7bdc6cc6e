// The writer measured end to end over real sockets: durable event ingest (group commit) and
// screenshot ingest against raw SQLite and raw fsynced file writes; status query latency.
import CStorageRawBench
import CZeroMQRawBench
import Foundation
import Logging
import ServiceLifecycle
import VeritasProtocol
import VeritasWriter
import ZeroMQ

/// A writer in this process on loopback, in a fresh temporary data folder.
struct BenchWriter {
    let endpoints: WriterService.BoundEndpoints
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let directory: URL

    /// `memoryMaxAudits`: the benchmarks' small bound by default; `nil` keeps the writer's default.
    /// `configure` adjusts the settings last (the PostgreSQL backend, say).
    static func start(
        synchronous: String, memoryMaxAudits: Int? = 1_000, processedEventsRetentionMilliseconds: Int? = nil,
        configure: (inout WriterConfiguration) -> Void = { _ in }
    ) async throws -> BenchWriter {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-bench-\(UUID().uuidString)")
        var configuration = WriterConfiguration()
        configuration.queriesEndpoint = "tcp://127.0.0.1:*"
        configuration.runnersEndpoint = "tcp://127.0.0.1:*"
        configuration.feedEndpoint = "tcp://127.0.0.1:*"
        configuration.dataDirectory = directory.path
        configuration.databaseSynchronous = synchronous
        if let memoryMaxAudits { configuration.memoryMaxAudits = memoryMaxAudits }
        if let processedEventsRetentionMilliseconds { configuration.processedEventsRetentionMilliseconds = processedEventsRetentionMilliseconds }
        configure(&configuration)
        var logger = Logger(label: "bench.writer")
        logger.logLevel = .critical
        let (ready, continuation) = AsyncStream<WriterService.BoundEndpoints>.makeStream()
        let service = WriterService(configuration: configuration, logger: logger) { continuation.yield($0); continuation.finish() }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ready.makeAsyncIterator()
        guard let endpoints = await iterator.next() else { throw BenchmarkFailure(description: "writer did not start") }
        return BenchWriter(endpoints: endpoints, group: group, task: task, directory: directory)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try? FileManager.default.removeItem(at: directory)
    }
}

/// `runners` DEALER threads each stream `perRunner` events (pre-encoded, so runner-side JSON
/// encoding is not counted) keeping up to `window` unacknowledged; timed until the last ack.
/// One benchmark runner: a DEALER that keeps up to `window` of `count` events unacknowledged
/// (`frames(n)` is the n-th event's frames) until every one is acknowledged. It never resends,
/// so a window the writer does not take whole (it defers beyond 4 × `max_batch_events` in
/// flight) ends in a receive timeout: returns whether every event was acknowledged.
@discardableResult
func streamEvents(context: Context, to endpoint: String, routingID: String, count: Int, window: Int, frames: (Int) -> [Data]) -> Bool {
    guard let dealer = try? Socket(context, type: .dealer) else { return false }
    try? dealer.set(.routingID, Array(routingID.utf8))
    try? dealer.set(.receiveTimeout, .seconds(30))
    try? dealer.connect(endpoint)
    var sent = 0, acked = 0
    while acked < count {
        while sent < count && sent - acked < window {
            guard (try? dealer.send(frames(sent).map { Frame(noCopy: $0) })) != nil else { return false }
            sent += 1
        }
        guard let reply = try? dealer.receive(), let message = try? WriterMessage.decode(frames: reply.map(\.data)) else { return false }
        if case let .ack(ids) = message { acked += ids.count }
    }
    dealer.close()
    return true
}

func benchWriterIngest(
    writer: BenchWriter, runners: Int, perRunner: Int, window: Int, makeEvent: @escaping @Sendable (RunnerID, AuditID, Int) -> AuditEvent
) throws -> Measurement {
    let context = try Context()
    let endpoint = writer.endpoints.runners
    // Real audits: a writer with persistence rejects events for audits nobody submitted.
    let submitted = try submitAudits(writer: writer, count: runners * 8)
    let prepared: [[[Data]]] = try (0..<runners).map { index in
        let runnerID = try RunnerID("bench-\(index)")
        let audits = Array(submitted[(index * 8)..<(index * 8 + 8)])
        return (0..<perRunner).map { n in RunnerMessage.event(makeEvent(runnerID, audits[n % audits.count], n + 1)).encodeFrames() }
    }
    let start = monotonicSeconds()
    let joins = prepared.enumerated().map { index, frames in
        let frames = UncheckedSendable(frames)
        return spawn {
            streamEvents(context: context, to: endpoint, routingID: "bench-\(index)", count: frames.value.count, window: window) { frames.value[$0] }
        }
    }
    for join in joins { join() }
    let seconds = monotonicSeconds() - start
    return Measurement(seconds: seconds, count: UInt64(runners * perRunner), bytes: 0)
}

/// Submits `count` audits through the queries endpoint; their ids in order.
func submitAudits(writer: BenchWriter, count: Int) throws -> [AuditID] {
    let context = try Context()
    let req = try Socket(context, type: .req)
    try req.set(.receiveTimeout, .seconds(10))
    try req.connect(writer.endpoints.queries)
    defer { req.close() }
    return try (0..<count).map { index in
        try req.send(Array(#"{"op":"submit","url":"https://bench.example/\#(index)"}"#.utf8))
        guard case let .submitted(audit) = try QueryReplyEnvelope.decode(req.receiveFrame().data).reply else {
            throw BenchmarkFailure(description: "submit failed")
        }
        return audit.id
    }
}

/// `status` round trips from a REQ client; microseconds each.
func benchStatusLatency(writer: BenchWriter, count: Int) throws -> [Double] {
    let context = try Context()
    let req = try Socket(context, type: .req)
    try req.set(.receiveTimeout, .seconds(10))
    try req.connect(writer.endpoints.queries)
    try req.send(Array(#"{"op":"submit","url":"https://example.com/"}"#.utf8))
    let submitted = try QueryReplyEnvelope.decode(req.receiveFrame().data)
    guard case let .submitted(audit) = submitted.reply else { throw BenchmarkFailure(description: "submit failed") }
    let request = Array(#"{"op":"status","audit_id":"\#(audit.id)"}"#.utf8)
    var latencies: [Double] = []
    for _ in 0..<count {
        let begin = monotonicSeconds()
        try req.send(request)
        _ = try req.receiveFrame()
        latencies.append((monotonicSeconds() - begin) * 1e6)
    }
    req.close()
    return latencies
}

/// A structurally whole PNG of about `size` bytes (signature, IHDR, filler chunk, IEND).
func syntheticPNG(size: Int) -> Data {
    var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    bytes += [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 4, 0, 0, 0, 3, 0, 8, 6, 0, 0, 0, 0, 0, 0, 0]
    let filler = max(0, size - bytes.count - 12 - 12)
    bytes += [UInt8(filler >> 24 & 0xFF), UInt8(filler >> 16 & 0xFF), UInt8(filler >> 8 & 0xFF), UInt8(filler & 0xFF)]
    bytes += Array("tEXt".utf8) + [UInt8](repeating: 0x41, count: filler) + [0, 0, 0, 0]
    bytes += [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
    return Data(bytes)
}

func rawSQLite(rows: UInt64, perTransaction: UInt64, synchronous: String) throws -> Measurement {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-bench-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = veritas_raw_sqlite_insert(directory.appendingPathComponent("raw.sqlite").path, synchronous, rows, perTransaction)
    guard result.error == 0 else { throw BenchmarkFailure(description: "raw SQLite failed: code \(result.error)") }
    return Measurement(seconds: result.seconds, count: result.rows, bytes: 0)
}

func rawFileWrites(count: UInt64, size: Int) throws -> Measurement {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veritas-bench-files-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = veritas_raw_file_writes(directory.path, count, size)
    guard result.error == 0 else { throw BenchmarkFailure(description: "raw file writes failed: errno \(result.error)") }
    return Measurement(seconds: result.seconds, count: result.rows, bytes: result.rows * UInt64(size))
}

/// The writer section of the report.
func runWriterBenchmarks(rounds: Int, scale: UInt64) async throws {
    let perRunner = Int(40_000 / scale)
    print("")
    print("Writer (in-process, real sockets, SQLite WAL, synchronous=FULL unless noted; 2 runner threads with 1000 unacked each, or 1 and 4 runner processes with 256 each):")
    print("")
    print("| workload | raw limit | Veritas writer | writer / raw |")
    print("|---|---|---|---|")
    let progress: @Sendable (RunnerID, AuditID, Int) -> AuditEvent = { runner, audit, seq in
        AuditEvent(eventID: .generate(), auditID: audit, seq: seq, timestamp: .now, runnerID: runner,
                   payload: .progress(ProgressEventPayload(phase: "fetching", percent: 42, message: "fetching the page and its headers")))
    }
    for synchronous in ["full", "normal"] {
        var writerRates: [Double] = [], rawBatched: [Double] = [], rawSingle: [Double] = []
        for _ in 0..<rounds {
            rawBatched.append(try rawSQLite(rows: UInt64(perRunner * 2), perTransaction: 512, synchronous: synchronous.uppercased()).rate)
            rawSingle.append(try rawSQLite(rows: UInt64(perRunner * 2) / 20, perTransaction: 1, synchronous: synchronous.uppercased()).rate)
            let writer = try await BenchWriter.start(synchronous: synchronous)
            writerRates.append(try benchWriterIngest(writer: writer, runners: 2, perRunner: perRunner, window: 1000, makeEvent: progress).rate)
            try await writer.stop()
        }
        let ratio = median(writerRates) / median(rawBatched)
        print("| durable ingest, small events, synchronous=\(synchronous) | \(format(median(rawBatched), unit: "rows/s")) raw SQLite, 512 rows/txn | \(format(median(writerRates), unit: "events/s")) | \(String(format: "%.0f%%", ratio * 100)) |")
        print("| (one transaction per event, the design to beat), synchronous=\(synchronous) | \(format(median(rawSingle), unit: "rows/s")) raw SQLite, 1 row/txn | | writer is \(String(format: "%.0fx", median(writerRates) / median(rawSingle))) |")
    }

    // Runners as separate processes, as deployed: 1 and 4 of them, each with a real runner's
    // default window (`outbox.resend_window`, 256 events unacknowledged).
    for processes in [1, 4] {
        var rates: [Double] = [], rawBatched: [Double] = []
        for _ in 0..<rounds {
            rawBatched.append(try rawSQLite(rows: UInt64(perRunner * 2), perTransaction: 512, synchronous: "FULL").rate)
            let writer = try await BenchWriter.start(synchronous: "full")
            rates.append(try benchRunnerProcesses(writer: writer, processes: processes, perRunner: perRunner * 2 / processes, window: 256).rate)
            try await writer.stop()
        }
        print("| durable ingest from \(processes) runner process\(processes == 1 ? "" : "es"), synchronous=full | \(format(median(rawBatched), unit: "rows/s")) raw SQLite, 512 rows/txn | \(format(median(rates), unit: "events/s")) | \(String(format: "%.0f%%", median(rates) / median(rawBatched) * 100)) |")
    }

    let screenshot = syntheticPNG(size: 200 * 1024)
    var shotRates: [Double] = [], rawFiles: [Double] = []
    let count = Int(2_000 / scale)
    for _ in 0..<rounds {
        rawFiles.append(try rawFileWrites(count: UInt64(count), size: screenshot.count).rate)
        let writer = try await BenchWriter.start(synchronous: "full")
        let image = UncheckedSendable(screenshot)
        shotRates.append(try benchWriterIngest(writer: writer, runners: 2, perRunner: count / 2, window: 32) { runner, audit, seq in
            AuditEvent(eventID: .generate(), auditID: audit, seq: seq, timestamp: .now, runnerID: runner,
                       payload: .screenshot(index: seq % 1000, label: "viewport", contentType: .png, image: image.value))
        }.rate)
        try await writer.stop()
    }
    print("| 200 KiB screenshots (check, sha256, temp+fsync+rename, row) | \(format(median(rawFiles), unit: "files/s")) raw write+fsync+rename | \(format(median(shotRates), unit: "screenshots/s")) | \(String(format: "%.0f%%", median(shotRates) / median(rawFiles) * 100)) |")

    let writer = try await BenchWriter.start(synchronous: "full")
    let latencies = try benchStatusLatency(writer: writer, count: Int(20_000 / scale))
    try await writer.stop()
    // The raw limit in the same run: REQ/REP in C, 100 B request, 1 KiB reply.
    var rawLatencies = [Double](repeating: 0, count: Int(20_000 / scale))
    let rawCount = rawLatencies.count
    _ = rawLatencies.withUnsafeMutableBufferPointer { veritas_raw_req_rep(100, 1024, UInt64(rawCount), $0.baseAddress) }
    let rawP99 = percentile(rawLatencies, 0.99)
    print("| `status` query round trip (REQ, SQLite read) p50 / p99, idle | raw C REQ/REP p99 \(String(format: "%.0f µs", rawP99)) | \(String(format: "%.0f µs / %.0f µs", percentile(latencies, 0.5), percentile(latencies, 0.99))) | p99 \(String(format: "%.1fx", percentile(latencies, 0.99) / rawP99)) raw |")
    let loadedCount = Int(5_000 / scale)
    let loaded = try await benchStatusUnderLoad(perRunner: perRunner) { writer in try benchStatusLatency(writer: writer, count: loadedCount) }
    // The raw limit under the same load: the C REQ/REP pair while the same ingest runs beside it,
    // so the machine's scheduling delays (2 cores, every thread busy) count on both sides.
    let rawLoaded = try await benchStatusUnderLoad(perRunner: perRunner) { _ in
        var latencies = [Double](repeating: 0, count: loadedCount)
        _ = latencies.withUnsafeMutableBufferPointer { veritas_raw_req_rep(100, 1024, UInt64(loadedCount), $0.baseAddress) }
        return latencies
    }
    let rawLoadedP99 = percentile(rawLoaded, 0.99)
    print("| `status` p50 / p99 while 2 runners stream events at full speed | raw C REQ/REP p99 \(String(format: "%.0f µs", rawLoadedP99)) under the same load | \(String(format: "%.0f µs / %.0f µs", percentile(loaded, 0.5), percentile(loaded, 0.99))) | p99 \(String(format: "%.1fx", percentile(loaded, 0.99) / rawLoadedP99)) raw |")
}

// MARK: - Under load, and after a million events

/// `probe`'s latencies while two runners stream events into a writer as fast as it takes them.
func benchStatusUnderLoad(perRunner: Int, probe: (BenchWriter) throws -> [Double]) async throws -> [Double] {
    let writer = try await BenchWriter.start(synchronous: "full")
    let progress: @Sendable (RunnerID, AuditID, Int) -> AuditEvent = { runner, audit, seq in
        AuditEvent(eventID: .generate(), auditID: audit, seq: seq, timestamp: .now, runnerID: runner,
                   payload: .progress(ProgressEventPayload(phase: "fetching", percent: 42, message: "fetching the page and its headers")))
    }
    let load = UncheckedSendable(writer)
    let ingest = spawn { _ = try? benchWriterIngest(writer: load.value, runners: 2, perRunner: perRunner, window: 1000, makeEvent: progress) }
    let latencies = try probe(writer)
    ingest()
    try await writer.stop()
    return latencies
}

/// The writer's peak resident memory (`VmHWM` of this process, which is mostly the writer: the
/// runners encode each event just before sending it), its database size and its
/// `processed_events` rows after `audits × 20` events: each audit `started`, 18 progress events
/// and `completed`, as real audits report, at the default memory bound, ended audits' event ids
/// kept `retentionMilliseconds` (`persistence.processed_events_retention_ms`).
func benchMemoryAfterEvents(audits: Int, retentionMilliseconds: Int = 10_000) async throws {
    let writer = try await BenchWriter.start(synchronous: "full", memoryMaxAudits: nil, processedEventsRetentionMilliseconds: retentionMilliseconds)
    let endpoints = writer.endpoints
    let baseline = peakResidentKiB()
    let submitted = try submitAudits(writer: writer, count: audits)
    let start = monotonicSeconds()
    let context = try Context()
    let halves = [Array(submitted[..<(audits / 2)]), Array(submitted[(audits / 2)...])]
    let joins = halves.enumerated().map { index, ids in
        let ids = UncheckedSendable(ids)
        return spawn {
            guard let runnerID = try? RunnerID("memory-\(index)") else { return }
            // Encoded as they go, so the runners' side adds little to the peak memory measured.
            streamEvents(context: context, to: endpoints.runners, routingID: "memory-\(index)", count: ids.value.count * 20, window: 1000) { sent in
                    let audit = ids.value[sent / 20], step = sent % 20
                    let payload: EventPayload = switch step {
                    case 0: .started(StartedEventPayload(url: "https://bench.example/", tier: .standard, verdictMode: .simple))
                    case 19: .completed(CompletedEventPayload(
                        trustScore: 70, riskLevel: .medium, narrative: "A sample verdict of about the usual length for a simple narrative.",
                        signalScores: ["security": 80, "dark_patterns": 60], siteType: .shop, securityResults: .object(["grade": .string("B")]),
                        darkPatternSummary: DarkPatternSummary(findings: [Finding(patternType: .lowStock, severity: .low, confidence: 0.8, evidence: "Only 2 left", location: nil)])))
                    default: .progress(ProgressEventPayload(phase: "analysing", percent: Double(step * 5), message: nil))
                    }
                    let event = AuditEvent(eventID: .generate(), auditID: audit, seq: step + 1, timestamp: .now, runnerID: runnerID, payload: payload)
                    return RunnerMessage.event(event).encodeFrames()
            }
        }
    }
    for join in joins { join() }
    let seconds = monotonicSeconds() - start
    let peak = peakResidentKiB()
    let database = writer.directory.appendingPathComponent(ProtocolDefaults.databaseFileName).path
    let size = [database, database + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
    let rows = processedEventRows(database)
    try await writer.stop()
    print("| \(audits * 20) events (\(audits) audits × 20), default memory bound, ended audits' event ids kept \(retentionMilliseconds / 1000) s | \(String(format: "%.0f s, %.1f k events/s", seconds, Double(audits * 20) / seconds / 1000)) | peak RSS \(peak / 1024) MiB (\(baseline / 1024) MiB before) | database \(size / 1_048_576) MiB, processed_events \(rows) rows |")
}

/// `VmHWM` of this process in KiB (Linux), 0 elsewhere.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// `SELECT COUNT(*) FROM processed_events`, through the sqlite3 C API the raw benchmark uses.
func processedEventRows(_ path: String) -> Int {
    Int(veritas_raw_sqlite_count(path, "processed_events"))
}
