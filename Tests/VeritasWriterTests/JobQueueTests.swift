import Foundation
import Synchronization
import Testing
import VeritasProtocol
import VeritasTestSupport

/// Jobs collected by concurrent runner tasks.
private final class HandOuts: Sendable {
    let items = Mutex<[(runner: String, audit: AuditID)]>([])
}

/// The job queue: oldest first, runner capacity, recovery from silent runners, attempts,
/// release / bye, restarts, and several writers sharing one database.
@Suite("Job queue", .timeLimit(.minutes(1)))
struct JobQueueTests {
    /// Submits `count` audits, each in a later millisecond than the one before.
    private static func submitInOrder(_ client: QueryClient, count: Int, prefix: String = "q") async throws -> [AuditID] {
        var ids: [AuditID] = []
        for index in 0..<count {
            let audit = try await client.submit(url: "https://\(prefix).example/\(index)")
            ids.append(audit.id)
            while Timestamp.now <= audit.createdAt { try await Task.sleep(for: .milliseconds(1)) }
        }
        return ids
    }

    @Test("jobs are handed out oldest first, attempt 1")
    func oldestFirst() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let ids = try await Self.submitInOrder(client, count: 4)
            let runner = try bed.runner(writer, "runner-fifo")
            try await runner.connect(capacity: 1)
            var order: [AuditID] = []
            for _ in ids {
                let job = try await runner.nextJob()
                #expect(job.attempt == 1)
                order.append(job.auditID)
                try await runner.complete(job)
            }
            #expect(order == ids)
            let first = try await client.status(ids[0])
            #expect(first.attempts == 1)
        }
    }

    @Test("jobs submitted within one millisecond are still handed out in submission order")
    func oldestFirstWithinOneMillisecond() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let dealer = try bed.dealer(writer)
            let count = 200
            let submitted = try await dealer.submitBurst(count: count)
            let runner = try bed.runner(writer, "runner-burst")
            try await runner.connect(capacity: count)
            let jobs = try await runner.jobs(count)
            let audits = try await bed.client(writer).list(limit: count).audits
            let sharedMilliseconds = count - Set(audits.map(\.createdAt)).count
            #expect(jobs.map(\.auditID) == submitted,
                    "oldest first must follow submission order (\(sharedMilliseconds) of \(count) audits shared a created_at millisecond)")
        }
    }

    @Test("capacity is respected: capacity 2, 5 queued → exactly 2 jobs until one completes")
    func capacityRespected() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let ids = try await Self.submitInOrder(client, count: 5)
            let runner = try bed.runner(writer, "runner-cap")
            try await runner.connect(capacity: 2)
            let first = try await runner.jobs(2)
            #expect(first.map(\.auditID) == Array(ids.prefix(2)))
            // Several housekeeping rounds (every 250 ms) pass without a third job.
            #expect(await runner.receivesJob(within: .milliseconds(900)) == false)
            #expect(runner.snapshot.allJobs.count == 2)
            #expect(try await client.health().queueDepth == 3)

            try await runner.complete(first[0])
            let third = try await runner.nextJob()
            #expect(third.auditID == ids[2])
            #expect(await runner.receivesJob(within: .milliseconds(600)) == false)
            #expect(runner.snapshot.allJobs.count == 3)
            #expect(try await client.health().queueDepth == 2)
        }
    }

    @Test("a silent runner's job is requeued and handed to another runner with attempt 2", arguments: ["stops heartbeating", "closes its socket"])
    func silentRunnerRequeued(how: String) async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let audit = try await client.submit()
            let silent = try bed.runner(writer, "runner-silent")
            try await silent.connect()
            let job = try await silent.nextJob()
            #expect(job.attempt == 1)
            try await silent.sendAndAwaitAcks([silent.started(job)])
            #expect(try await client.status(audit.id).status == .running)

            let healthy = try bed.runner(writer, "runner-healthy")
            try await healthy.connect()
            #expect(try await client.health().connectedRunners == 2)
            if how == "closes its socket" { await silent.close() } else { await silent.stopHeartbeats() }

            let second = try await healthy.nextJob(timeout: .seconds(10))
            #expect(second.auditID == audit.id)
            #expect(second.attempt == 2)
            #expect(try await eventually { try await client.health().connectedRunners == 1 })
            try await healthy.complete(second)
            let final = try await client.status(audit.id)
            #expect(final.status == .completed)
            #expect(final.attempts == 2)
            #expect(final.runnerID == healthy.runnerID)
        }
    }

    @Test("attempts exhausted (max 2): the audit ends in error with a clear message")
    func attemptsExhausted() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter {
                $0.maxJobAttempts = 2
            }
            let client = try bed.client(writer)
            let audit = try await client.submit()

            // Each runner starts the audit, then goes silent: two started attempts.
            let first = try bed.runner(writer, "runner-gone-1")
            try await first.connect()
            let job = try await first.nextJob()
            #expect(job.attempt == 1)
            try await first.sendAndAwaitAcks([first.started(job)])
            let second = try bed.runner(writer, "runner-gone-2")
            try await second.connect()
            await first.stopHeartbeats()
            let retry = try await second.nextJob(timeout: .seconds(10))
            #expect(retry.auditID == audit.id)
            #expect(retry.attempt == 2)
            try await second.sendAndAwaitAcks([second.started(retry, seq: 1)])

            let bystander = try bed.runner(writer, "runner-bystander")
            try await bystander.connect()
            await second.stopHeartbeats()
            #expect(try await eventually(timeout: .seconds(10)) { try await client.status(audit.id).status == .error })
            let failed = try await client.status(audit.id)
            #expect(failed.status == .error)
            let message = try #require(failed.errorMessage)
            #expect(message.contains("runner-gone-2"), "error_message: \(message)")
            #expect(message.contains("2 attempts"), "error_message: \(message)")
            #expect(failed.completedAt != nil)
            #expect(await bystander.receivesJob(within: .milliseconds(500)) == false, "an audit out of attempts is not handed out again")
            #expect(try await client.health().queueDepth == 0)
        }
    }

    @Test("attempts exhausted (max 1): the first silence ends the audit in error")
    func singleAttempt() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter {
                $0.maxJobAttempts = 1
            }
            let client = try bed.client(writer)
            let audit = try await client.submit()
            let runner = try bed.runner(writer, "runner-once")
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])
            await runner.stopHeartbeats()
            #expect(try await eventually(timeout: .seconds(10)) { try await client.status(audit.id).status == .error })
            let failed = try await client.status(audit.id)
            #expect(failed.errorMessage?.contains("silent") == true, "error_message: \(failed.errorMessage ?? "nil")")
            #expect(failed.attempts == 1)
        }
    }

    @Test("a heartbeat that follows bye does not bring the runner back: it must say hello")
    func heartbeatAfterByeIsRefused() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-leaving")
            try await runner.connect(capacity: 1, heartbeats: false)
            try await runner.send(.bye(runnerID: runner.runnerID))
            try await runner.send(.heartbeat(RunnerHeartbeat(runnerID: runner.runnerID, capacity: 1, active: [])))
            let refusal = try await runner.waitFor("an error for the heartbeat") { $0.errors.last }
            #expect(refusal.code == .notRegistered, "its own code: the runner must send hello again")
            #expect(refusal.message.contains("hello"))
            // Work submitted now is not handed to the departed runner.
            _ = try await client.submit()
            #expect(await runner.receivesJob(within: .milliseconds(500)) == false)
            // A new hello brings it back.
            try await runner.connect(capacity: 1, heartbeats: false)
            _ = try await runner.nextJob(timeout: .seconds(2))
        }
    }

    @Test("release: the job is requeued at once, not handed back to the releasing runner, and another runner gets it (attempt 2)")
    func releaseRequeues() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let audit = try await client.submit()
            let runner = try bed.runner(writer, "runner-release")
            try await runner.connect(capacity: 2)
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])
            try await runner.send(.release(JobRelease(runnerID: runner.runnerID, auditID: job.auditID, reason: "shutting down")))
            // The runner keeps heartbeating, so only the release can requeue it; the bound leaves
            // room for a loaded machine running the whole suite.
            #expect(try await eventually(timeout: .seconds(10)) { try await client.status(audit.id).status == .queued })
            // A runner that releases is stopping: it gets no more jobs, even with free slots.
            #expect(await runner.receivesJob(within: .milliseconds(500)) == false)

            let other = try bed.runner(writer, "runner-takeover")
            try await other.connect(capacity: 1)
            let again = try await other.nextJob(timeout: .seconds(2))
            #expect(again.auditID == audit.id)
            #expect(again.attempt == 2)
            try await other.complete(again)
            #expect(try await client.status(audit.id).status == .completed)
        }
    }

    @Test("a release naming another runner does not take that runner's job away")
    func releaseOfSomeoneElsesJob() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let audit = try await client.submit()
            let owner = try bed.runner(writer, "runner-owner")
            try await owner.connect(capacity: 1)
            let job = try await owner.nextJob()
            try await owner.sendAndAwaitAcks([owner.started(job)])

            // Another runner hands back the owner's job, claiming to be the owner.
            let intruder = try bed.runner(writer, "runner-intruder")
            try await intruder.connect(capacity: 1)
            try await intruder.send(.release(JobRelease(runnerID: owner.runnerID, auditID: job.auditID, reason: "not mine")))
            // Its heartbeat round trip proves the release was read.
            let beats = intruder.snapshot.writerHeartbeats
            _ = try await intruder.waitFor("a heartbeat reply") { $0.writerHeartbeats > beats + 1 ? true : nil }

            #expect(await intruder.receivesJob(within: .milliseconds(500)) == false, "the owner's job was handed to the intruder")
            #expect(try await client.status(audit.id).status == .running)
            #expect(try await client.health().queueDepth == 0)
            try await owner.complete(job)
            #expect(try await client.status(audit.id).attempts == 1)
        }
    }

    @Test("bye: the runner's jobs are requeued and go to the next runner (attempt 2)")
    func byeRequeues() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let audit = try await client.submit()
            let leaving = try bed.runner(writer, "runner-bye")
            try await leaving.connect(capacity: 1)
            let job = try await leaving.nextJob()
            try await leaving.sendAndAwaitAcks([leaving.started(job)])
            await leaving.stopHeartbeats()
            try await leaving.send(.bye(runnerID: leaving.runnerID))

            #expect(try await eventually { try await client.health().queueDepth == 1 })
            let health = try await client.health()
            #expect(health.connectedRunners == 0)
            #expect(try await client.status(audit.id).status == .queued)

            let next = try bed.runner(writer, "runner-next")
            try await next.connect()
            let again = try await next.nextJob()
            #expect(again.auditID == audit.id)
            #expect(again.attempt == 2)
        }
    }

    @Test("restart: queued audits survive a writer restart on the same folder and are handed out")
    func restartKeepsQueue() async throws {
        try await TestBed.run { bed in
            let first = try await bed.startWriter()
            let firstClient = try bed.client(first)
            let ids = try await Self.submitInOrder(firstClient, count: 3, prefix: "restart")
            try await bed.stop(first)

            let second = try await bed.startWriter(dataDirectory: bed.dataDirectory)
            let client = try bed.client(second)
            for id in ids {
                let audit = try await client.status(id)
                #expect(audit.status == .queued)
                #expect(audit.source == .database)
            }
            let health = try await client.health()
            #expect(health.queueDepth == 3)
            #expect(health.counts.queued == 3)

            let runner = try bed.runner(second, "runner-restart")
            try await runner.connect(capacity: 3)
            let jobs = try await runner.jobs(3)
            #expect(jobs.map(\.auditID) == ids)
            #expect(jobs.allSatisfy { $0.attempt == 1 })
            #expect(jobs.map(\.url) == (0..<3).map { "https://restart.example/\($0)" })
        }
    }

    @Test("two writers on one database: 30 audits, each handed out exactly once, all completed")
    func twoWritersOneDatabase() async throws {
        try await TestBed.run { bed in
            // Not a test of silence: a generous timeout keeps a loaded machine from requeueing a
            // heartbeating runner's job (which would rightly hand it out twice).
            let writers = [
                try await bed.startWriter { $0.writerID = "writer-a"; $0.runnerSilentTimeoutMilliseconds = 30_000 },
                try await bed.startWriter { $0.writerID = "writer-b"; $0.runnerSilentTimeoutMilliseconds = 30_000 },
            ]
            #expect(writers[0].databasePath == writers[1].databasePath)
            let clients = try writers.map { try bed.client($0) }
            let runners = try [bed.runner(writers[0], "runner-a"), bed.runner(writers[1], "runner-b")]
            for runner in runners { try await runner.connect(capacity: 3) }

            var submitted: [AuditID] = []
            for index in 0..<30 {
                submitted.append(try await clients[index % 2].submit(url: "https://shared.example/\(index)").id)
            }

            let handedOut = HandOuts()
            let deadline = ContinuousClock.now + .seconds(20)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for runner in runners {
                    group.addTask {
                        while handedOut.items.withLock({ $0.count }) < 30, ContinuousClock.now < deadline {
                            guard let job = await runner.poll(timeout: .milliseconds(200), { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) else { continue }
                            handedOut.items.withLock { $0.append((runner.runnerID.rawValue, job.auditID)) }
                            try await runner.complete(job)
                        }
                    }
                }
                try await group.waitForAll()
            }

            let all = handedOut.items.withLock { $0 }
            #expect(all.count == 30)
            #expect(Set(all.map(\.audit)).count == all.count, "an audit was handed out twice")
            #expect(Set(all.map(\.audit)) == Set(submitted))
            let perRunner = Dictionary(grouping: all, by: \.runner).mapValues(\.count)
            #expect(perRunner.values.reduce(0, +) == 30)
            // Each runner's full job history agrees: no job was handed out twice, even one not taken yet.
            let everyJob = runners.flatMap { $0.snapshot.allJobs.map(\.auditID) }
            #expect(everyJob.count == 30)

            for client in clients {
                let completed = try await client.list(status: .completed, limit: 100)
                #expect(completed.audits.count == 30)
                #expect(completed.source == .database)
            }
            #expect(try DatabaseProbe.count(writers[0].databasePath, "jobs") == 0)
            #expect(try DatabaseProbe.count(writers[0].databasePath, "audits", where: "attempts = 1") == 30)
        }
    }
}
