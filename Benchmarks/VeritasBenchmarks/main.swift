// veritas-bench: the Swift ZeroMQ binding against raw C libzmq, the same patterns in the same run.
//
//   swift run -c release veritas-bench [--quick] [--rounds N] [--only zeromq|writer|memory|codec|postgres]
// (`make bench` runs it beside a throwaway PostgreSQL server, scripts/with-postgres.sh.)
//
// Each workload runs `rounds` times, raw C and Swift interleaved so that machine noise hits
// both alike; the table shows medians and the binding's share of raw throughput.
import CZeroMQRawBench
import Foundation
import ZeroMQ

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "--stream-runner" {
    streamRunnerMain(Array(CommandLine.arguments.dropFirst(2)))
}

struct Options {
    var quick = false
    var rounds = 3
    /// `zeromq`, `writer`, or nil for both.
    var only: String?

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--rounds": rounds = max(1, Int(iterator.next() ?? "") ?? 3)
            case "--only": only = iterator.next()
            default:
                print("usage: veritas-bench [--quick] [--rounds N] [--only zeromq|writer|memory|codec|postgres]")
                exit(argument == "--help" || argument == "-h" ? 0 : 2)
            }
        }
    }
}

/// One measured run: `count` operations in `seconds`.
struct Measurement {
    var seconds: Double
    var count: UInt64
    var bytes: UInt64
    var rate: Double { Double(count) / seconds }
    var bytesPerSecond: Double { Double(bytes) / seconds }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` on a new thread and returns a function that waits for it.
func spawn(_ body: @escaping @Sendable () -> Void) -> () -> Void {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 1 << 20
    thread.start()
    return { done.wait() }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Binds a socket of `type` to an ephemeral loopback port; returns it and its endpoint.
func bindLoopback(_ context: Context, _ type: SocketType) throws -> (Socket, String) {
    let socket = try Socket(context, type: type)
    try socket.set(.linger, .zero)
    try socket.bind("tcp://127.0.0.1:*")
    guard let endpoint = socket.lastEndpoint else { throw BenchmarkFailure(description: "no endpoint") }
    return (socket, endpoint)
}

// MARK: Swift versions of the raw C workloads (Benchmarks/CZeroMQRawBench/raw_bench.c)

/// PUSH (thread) -> PULL (here); timed from the first message received to the last.
func swiftPushPull(size: Int, count: UInt64) throws -> Measurement {
    let context = try Context()
    let (pull, endpoint) = try bindLoopback(context, .pull)
    try pull.set(.receiveTimeout, .seconds(30))
    let payload = [UInt8](repeating: 0x5A, count: size)
    let join = spawn {
        guard let push = try? Socket(context, type: .push) else { return }
        // A long linger: the tail must still reach the puller after this close.
        try? push.set(.linger, .seconds(5))
        try? push.connect(endpoint)
        for _ in 0..<count { try? push.send(payload) }
        push.close()
    }
    var sink: UInt8 = 0
    let first = try pull.receiveFrame()
    sink ^= first.withUnsafeBytes { $0.first ?? 0 }
    let start = monotonicSeconds()
    for _ in 1..<count {
        let frame = try pull.receiveFrame()
        sink ^= frame.withUnsafeBytes { $0.first ?? 0 }
    }
    let seconds = monotonicSeconds() - start
    join()
    pull.close()
    blackHole(sink)
    return Measurement(seconds: seconds, count: count, bytes: count * UInt64(size))
}

/// DEALER (here) keeps `inFlight` requests outstanding against a ROUTER echo (thread).
func swiftDealerRouter(size: Int, count: UInt64, inFlight: UInt64) throws -> Measurement {
    let context = try Context()
    let (router, endpoint) = try bindLoopback(context, .router)
    try router.set(.routerMandatory, true)
    let server = UncheckedSendable(router)
    let join = spawn {
        let router = server.value
        for _ in 0..<count {
            guard let message = try? router.receive() else { return }
            guard (try? router.send(message)) != nil else { return }
        }
    }
    let dealer = try Socket(context, type: .dealer)
    try dealer.set(.linger, .zero)
    try dealer.set(.receiveTimeout, .seconds(30))
    try dealer.connect(endpoint)
    let payload = [UInt8](repeating: 0x5A, count: size)
    var sent: UInt64 = 0, done: UInt64 = 0
    var sink: UInt8 = 0
    let start = monotonicSeconds()
    while done < count {
        while sent < count && sent - done < inFlight {
            try dealer.send(payload)
            sent += 1
        }
        let reply = try dealer.receiveFrame()
        sink ^= reply.withUnsafeBytes { $0.first ?? 0 }
        done += 1
    }
    let seconds = monotonicSeconds() - start
    join()
    dealer.close()
    server.value.close()
    blackHole(sink)
    return Measurement(seconds: seconds, count: done, bytes: done * UInt64(size) * 2)
}

/// REQ (here) / REP (thread) round trips; returns each latency in microseconds.
func swiftReqRep(requestSize: Int, replySize: Int, count: Int) throws -> [Double] {
    let context = try Context()
    let (rep, endpoint) = try bindLoopback(context, .rep)
    let server = UncheckedSendable(rep)
    let reply = [UInt8](repeating: 0x5A, count: replySize)
    let join = spawn {
        for _ in 0..<count {
            guard (try? server.value.receiveFrame()) != nil, (try? server.value.send(reply)) != nil else { return }
        }
    }
    let req = try Socket(context, type: .req)
    try req.set(.linger, .zero)
    try req.set(.receiveTimeout, .seconds(30))
    try req.connect(endpoint)
    let request = [UInt8](repeating: 0x5A, count: requestSize)
    var latencies = [Double]()
    latencies.reserveCapacity(count)
    for _ in 0..<count {
        let start = monotonicSeconds()
        try req.send(request)
        _ = try req.receiveFrame()
        latencies.append((monotonicSeconds() - start) * 1e6)
    }
    join()
    req.close()
    server.value.close()
    return latencies
}

/// PUSH (thread) -> PULL owned by a SocketLoop and read with `for await` (the async path the
/// services use); timed from the first message to the last.
func swiftAsyncPushPull(size: Int, count: UInt64) async throws -> Measurement {
    let context = try Context()
    let (pull, endpoint) = try bindLoopback(context, .pull)
    let loop = try SocketLoop(name: "bench-loop")
    let incoming = loop.register(pull, options: .init(receiveBufferLimit: 1024))
    let payload = [UInt8](repeating: 0x5A, count: size)
    let join = spawn {
        guard let push = try? Socket(context, type: .push) else { return }
        try? push.set(.linger, .seconds(5))
        try? push.connect(endpoint)
        for _ in 0..<count { try? push.send(payload) }
        push.close()
    }
    var received: UInt64 = 0
    var start = 0.0
    for await message in incoming.messages {
        if received == 0 { start = monotonicSeconds() }
        received += 1
        blackHole(message[0].withUnsafeBytes { $0.first ?? 0 })
        if received == count { break }
    }
    let seconds = monotonicSeconds() - start
    join()
    await loop.shutdown()
    return Measurement(seconds: seconds, count: received - 1, bytes: (received - 1) * UInt64(size))
}

struct UncheckedSendable<Value>: @unchecked Sendable {
    // Benchmark only: the value is handed to exactly one thread and used there alone.
    let value: Value
    init(_ value: Value) { self.value = value }
}

@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

func rawMeasurement(_ result: veritas_raw_result) throws -> Measurement {
    guard result.error == 0 else { throw BenchmarkFailure(description: "raw C failed: errno \(result.error)") }
    return Measurement(seconds: result.seconds, count: result.messages, bytes: result.bytes)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func format(_ value: Double, unit: String) -> String {
    switch value {
    case 1e9...: String(format: "%.2f G %@", value / 1e9, unit)
    case 1e6...: String(format: "%.2f M %@", value / 1e6, unit)
    case 1e3...: String(format: "%.1f k %@", value / 1e3, unit)
    default: String(format: "%.1f %@", value, unit)
    }
}

// MARK: Main

let options = Options(arguments: CommandLine.arguments)
let scale: UInt64 = options.quick ? 10 : 1
let (major, minor, patch) = ZeroMQLibrary.version
print("veritas-bench: libzmq \(major).\(minor).\(patch), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.rounds) rounds, medians\(options.quick ? ", quick" : "")")

struct Row {
    let name: String
    let unit: String
    let raw: () throws -> Measurement
    let swift: () throws -> Measurement
    let useBytes: Bool
}

let rows: [Row] = [
    Row(name: "PUSH/PULL 200 B", unit: "msg/s",
        raw: { try rawMeasurement(veritas_raw_push_pull(200, 2_000_000 / scale)) },
        swift: { try swiftPushPull(size: 200, count: 2_000_000 / scale) }, useBytes: false),
    Row(name: "PUSH/PULL 200 KiB", unit: "B/s",
        raw: { try rawMeasurement(veritas_raw_push_pull(204_800, 20_000 / scale)) },
        swift: { try swiftPushPull(size: 204_800, count: 20_000 / scale) }, useBytes: true),
    Row(name: "DEALER/ROUTER 200 B, 10 in flight", unit: "round trips/s",
        raw: { try rawMeasurement(veritas_raw_dealer_router(200, 200_000 / scale, 10)) },
        swift: { try swiftDealerRouter(size: 200, count: 200_000 / scale, inFlight: 10) }, useBytes: false),
    Row(name: "DEALER/ROUTER 200 B, 100 in flight", unit: "round trips/s",
        raw: { try rawMeasurement(veritas_raw_dealer_router(200, 500_000 / scale, 100)) },
        swift: { try swiftDealerRouter(size: 200, count: 500_000 / scale, inFlight: 100) }, useBytes: false),
    Row(name: "DEALER/ROUTER 200 B, 1000 in flight", unit: "round trips/s",
        raw: { try rawMeasurement(veritas_raw_dealer_router(200, 500_000 / scale, 1000)) },
        swift: { try swiftDealerRouter(size: 200, count: 500_000 / scale, inFlight: 1000) }, useBytes: false),
]

var worstRatio = Double.infinity
do {
  if options.only == nil || options.only == "codec" {
    try benchCodecs(rounds: options.rounds, scale: scale)
  }
  if options.only != "writer" && options.only != "memory" && options.only != "codec" && options.only != "postgres" {
    print("")
    print("| workload | raw C (libzmq) | Swift binding | binding / raw |")
    print("|---|---|---|---|")
    for row in rows {
        var raw: [Double] = [], swift: [Double] = []
        for _ in 0..<options.rounds {
            let r = try row.raw(), s = try row.swift()
            raw.append(row.useBytes ? r.bytesPerSecond : r.rate)
            swift.append(row.useBytes ? s.bytesPerSecond : s.rate)
        }
        let ratio = median(swift) / median(raw)
        worstRatio = min(worstRatio, ratio)
        print("| \(row.name) | \(format(median(raw), unit: row.unit)) | \(format(median(swift), unit: row.unit)) | \(String(format: "%.0f%%", ratio * 100)) |")
    }

    let count = Int(20_000 / scale)
    var rawLatencies = [Double](repeating: 0, count: count)
    let rawResult = rawLatencies.withUnsafeMutableBufferPointer { veritas_raw_req_rep(100, 1024, UInt64(count), $0.baseAddress) }
    _ = try rawMeasurement(rawResult)
    let swiftLatencies = try swiftReqRep(requestSize: 100, replySize: 1024, count: count)
    print("| REQ/REP 100 B -> 1 KiB, p50 | \(String(format: "%.0f µs", percentile(rawLatencies, 0.5))) | \(String(format: "%.0f µs", percentile(swiftLatencies, 0.5))) | (latency) |")
    print("| REQ/REP 100 B -> 1 KiB, p99 | \(String(format: "%.0f µs", percentile(rawLatencies, 0.99))) | \(String(format: "%.0f µs", percentile(swiftLatencies, 0.99))) | (latency) |")

    var asyncRates: [Double] = []
    for _ in 0..<options.rounds {
        asyncRates.append(try await swiftAsyncPushPull(size: 200, count: 1_000_000 / scale).rate)
    }
    print("| PUSH/PULL 200 B via SocketLoop + for await | | \(format(median(asyncRates), unit: "msg/s")) | (async path) |")
    print("")
    print(String(format: "worst throughput ratio (binding / raw C): %.0f%% (target: at least 80%%)", worstRatio * 100))
  }
  if options.only != "zeromq" && options.only != "memory" && options.only != "codec" && options.only != "postgres" {
    try await runWriterBenchmarks(rounds: options.rounds, scale: scale)
  }
  if options.only == nil || options.only == "postgres" {
    try await runPostgresBenchmarks(rounds: options.rounds, scale: scale)
  }
  if options.only == "memory" {
    // Its own run (`--only memory`), so the peak resident memory is the writer's, not earlier workloads'.
    print("")
    print("| writer after a million events | time | memory | storage |")
    print("|---|---|---|---|")
    try await benchMemoryAfterEvents(audits: Int(50_000 / scale))
  }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
