import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport

/// A database that waits on a lock held elsewhere for longer than a job's lease. The writer must
/// go on answering runners and clients meanwhile, must not take the silence of its own database
/// for the silence of its runners, and must refuse a submit within a client's timeout. (An
/// independent client found runners reconnecting, healthy runners' audits requeued and `submit`
/// refused after 10–15 s.) Timing-bound, so it runs in the serial phase of `make test`.
@Suite("Slow storage", .timeLimit(.minutes(2)))
struct SlowStorageTests {
    /// Replies a healthy writer gives in milliseconds; the defect made them take 5 s and more.
    static let promptly: Duration = .milliseconds(1_500)

    static func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, ContinuousClock.now - started)
    }

    @Test("database locked past a lease: hello, heartbeat and queries answered at once, submit refused within 2 s, no live runner's job requeued")
    func lockedDatabaseDoesNotStallSessions() async throws {
        try await TestBed.run { bed in
            // Leases last 3 × 1 s; the lock is held for 5 s, with the default 5 s busy timeout.
            let writer = try await bed.startWriter { $0.runnerSilentTimeoutMilliseconds = 1_000 }
            let client = try bed.client(writer)
            let steady = try bed.runner(writer, "runner-steady")
            let audits = [try await client.submit(url: "https://slow-a.example/"), try await client.submit(url: "https://slow-b.example/")]
            let feed = try bed.feed(writer, topics: audits.map { Data($0.id.rawValue.utf8) })
            try await steady.connect(capacity: 2)
            let jobs = try await steady.jobs(2)
            try await steady.sendAndAwaitAcks(jobs.map { steady.started($0) })

            let lock = try await DatabaseWriteLock.acquire(path: writer.databasePath)
            let lockedAt = ContinuousClock.now
            var released = false
            do {
                let progress = steady.event(audits[0].id, seq: 2, Samples.progress(40))
                try await steady.send(.event(progress))

                // A runner joining now is welcomed at once.
                let late = try bed.runner(writer, "runner-late")
                let (_, welcomeTime) = try await Self.timed { try await late.connect(capacity: 2) }
                #expect(welcomeTime < Self.promptly, "welcome took \(welcomeTime) while the database was locked")

                // Queries are answered at once; health turns degraded once the first commit gives up.
                let (status, statusTime) = try await Self.timed { try await client.status(audits[0].id) }
                #expect(statusTime < Self.promptly, "status took \(statusTime)")
                #expect(status.status == .running)
                let (_, healthTime) = try await Self.timed { try await client.health() }
                #expect(healthTime < Self.promptly, "health took \(healthTime)")

                // A submit is refused, never left hanging past a 5 s client timeout.
                let (refusal, submitTime) = try await Self.timed {
                    try await client.error(for: #"{"op":"submit","url":"https://while-locked.example/"}"#)
                }
                #expect(refusal.code == .unavailable)
                #expect(submitTime < .milliseconds(Int64(ProtocolDefaults.submitStoreTimeoutMilliseconds) + 1_000), "submit answered after \(submitTime)")
                #expect(try await eventually(timeout: .seconds(8)) { try await client.health().status == .degraded })

                // The steady runner's heartbeats are answered all along.
                let before = steady.snapshot.writerHeartbeats
                #expect(await steady.poll(timeout: .seconds(2)) { $0.writerHeartbeats >= before + 3 ? true : nil } == true,
                        "the writer stopped answering heartbeats while its database was locked")
                #expect(await steady.anyAcked([progress.eventID], within: .milliseconds(100)) == false, "acknowledged before it was stored")

                // Hold the lock past the leases' end (3 s after the last renewal).
                let heldFor = ContinuousClock.now - lockedAt
                if heldFor < .seconds(5) { try await Task.sleep(for: .seconds(5) - heldFor) }
                try await lock.release()
                released = true

                try await steady.sendUntilAcked([progress], resendEvery: .milliseconds(300), timeout: .seconds(15))
                #expect(try await eventually(timeout: .seconds(5)) { try await client.health().status == .ok })
                // Several sweeps (one per second) run after the lock is gone: none may requeue
                // the jobs of a runner that kept talking, or hand them to the other runner.
                let recovered = try? await feed.collect(timeout: .seconds(3)) { $0.event == .requeued }
                #expect(recovered == nil, "a live runner's job was requeued: \(recovered?.map(\.auditID) ?? [])")
                #expect(await late.receivesJob(within: .milliseconds(500)) == false, "the late runner was handed a live runner's job")
                for audit in audits {
                    let now = try await client.status(audit.id)
                    #expect(now.status == .running)
                    #expect(now.attempts == 1)
                }
            } catch {
                if !released { try? await lock.release() }
                throw error
            }
        }
    }
}
