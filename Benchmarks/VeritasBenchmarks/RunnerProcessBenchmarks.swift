// Durable ingest with runners as separate processes, as a deployment has them: the benchmark
// starts copies of itself (`veritas-bench --stream-runner ...`), each a DEALER that streams small
// events for its audits and waits for every ack. Each child prints when it started and finished
// streaming on CLOCK_MONOTONIC, which is system-wide, so the parent measures the first start to
// the last finish without counting process start-up.
import Foundation
import VeritasProtocol
import ZeroMQ

/// The child side: `--stream-runner <endpoint> <runner id> <count> <window> <audit id>...`.
func streamRunnerMain(_ arguments: [String]) -> Never {
    guard arguments.count >= 5, let count = Int(arguments[2]), let window = Int(arguments[3]),
          let runnerID = try? RunnerID(arguments[1]) else {
        FileHandle.standardError.write(Data("usage: --stream-runner <endpoint> <runner id> <count> <window> <audit id>...\n".utf8))
        exit(2)
    }
    let audits = arguments[4...].compactMap { try? AuditID($0) }
    guard !audits.isEmpty, let context = try? Context() else { exit(2) }
    let frames = (0..<count).map { n in
        RunnerMessage.event(AuditEvent(
            eventID: .generate(), auditID: audits[n % audits.count], seq: n + 1, timestamp: .now, runnerID: runnerID,
            payload: .progress(ProgressEventPayload(phase: "fetching", percent: 42, message: "fetching the page and its headers")))).encodeFrames()
    }
    let start = monotonicSeconds()
    let complete = streamEvents(context: context, to: arguments[0], routingID: runnerID.rawValue, count: count, window: window) { frames[$0] }
    print(String(format: "%.9f %.9f", start, monotonicSeconds()))
    exit(complete ? 0 : 1)
}

/// Durable ingest from `processes` runner processes, `perRunner` events each, into `writer`.
func benchRunnerProcesses(writer: BenchWriter, processes: Int, perRunner: Int, window: Int) throws -> Measurement {
    let submitted = try submitAudits(writer: writer, count: processes * 8)
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var children: [(Process, Pipe)] = []
    for index in 0..<processes {
        let process = Process()
        process.executableURL = executable
        let audits = submitted[(index * 8)..<(index * 8 + 8)].map(\.rawValue)
        process.arguments = ["--stream-runner", writer.endpoints.runners, "bench-process-\(index)", String(perRunner), String(window)] + audits
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        children.append((process, output))
    }
    var starts: [Double] = [], ends: [Double] = []
    for (process, output) in children {
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let times = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard process.terminationStatus == 0, times.count == 2 else {
            throw BenchmarkFailure(description: "runner process \(process.processIdentifier) failed (status \(process.terminationStatus)): \(text)")
        }
        starts.append(times[0])
        ends.append(times[1])
    }
    return Measurement(seconds: (ends.max() ?? 0) - (starts.min() ?? 0), count: UInt64(processes * perRunner), bytes: 0)
}
