import Foundation
import Testing
import VeritasProtocol

/// What both chaos beds (SQLite's one writer, PostgreSQL's two) read their processes' logs through.
protocol ChaosLogSource {
    /// Every log line, with this `msg`, of every process started so far whose name starts with `prefix`.
    func allLogLines(_ message: String, prefix: String) -> [JSONValue]
}

extension ChaosCluster: ChaosLogSource {}
extension PostgresChaosCluster: ChaosLogSource {}

/// The checks and the report both chaos beds end with.
protocol ChaosBedReporting {
    var checks: Checks { get }
    var folder: ChaosFolder { get }
    var logs: any ChaosLogSource { get }
}

extension ChaosBed: ChaosBedReporting {
    var logs: any ChaosLogSource { cluster }
}

extension PostgresChaosBed: ChaosBedReporting {
    var logs: any ChaosLogSource { cluster }
}

extension ChaosBedReporting {
    /// Jobs must start at their runner well within their lease (3 × the silence timeout): a job
    /// that waits longer inside a runner is requeued while it waits, and runs twice. Over every
    /// writer's hand-outs.
    func checkJobStartDelays(summary: inout ChaosSummary) {
        let delays = JobStartDelays(
            writerLogs: logs.allLogLines("job handed out", prefix: "writer"),
            runnerLogs: logs.allLogLines("audit started", prefix: "chaos-runner"))
        let lease = Int64(ChaosTests.silentTimeoutMilliseconds * 3)
        let late = delays.longer(than: lease)
        checks.expect(late.isEmpty, "jobs that waited in a runner longer than their \(lease) ms lease (\(late.count)):\n\(late.prefix(10).joined(separator: "\n"))")
        summary.set("jobs_started", delays.delays.count)
        summary.set("longest_job_start_delay_ms", Int(delays.longest))
    }

    func record(_ figures: EndStateFigures, in summary: inout ChaosSummary) {
        summary.set("audits", figures.audits)
        summary.set("completed", figures.completed)
        summary.set("errored", figures.errored)
        summary.set("attempt_limit_errors", figures.attemptLimitErrors)
        summary.set("requeued_audits", figures.requeuedAudits)
        summary.set("abandoned_attempts", figures.abandonedAttempts)
        summary.set("overlapping_attempts", figures.overlappingAttempts)
        summary.set("events_checked", figures.events)
        summary.set("screenshots_checked", figures.screenshots)
        summary.set("findings_checked", figures.findings)
        summary.set("check_failures", checks.failures)
    }

    func report(_ summary: ChaosSummary) throws {
        print(summary.line)
        let file = try summary.write(into: folder.url)
        print("chaos: summary written to \(file.path)\(ChaosSettings.keepFolder ? "" : " (removed with its folder unless the test failed; VERITAS_CHAOS_KEEP=1 keeps it)")")
    }
}
