import Testing
import VeritasProtocol
@testable import VeritasWriter
import ZeroMQ

/// The session rules on their own, without sockets or clocks (the gateway tests run them for real).
@Suite("Runner sessions: the rules")
struct RunnerSessionsTests {
    static let start = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }
    static func runner(_ name: String) throws -> RunnerID { try RunnerID(name) }
    static func connection(_ name: String) -> Frame { Frame(Array(name.utf8)) }
    static func job(_ id: AuditID = .generate()) -> AuditJob {
        AuditJob(auditID: id, url: "https://example.com/", tier: .quick, verdictMode: .simple, attempt: 1, createdAt: .now)
    }

    var sessions = RunnerSessions(silentTimeout: .seconds(5), unconfirmedHold: .seconds(15))

    @Test("hello on a new connection replaces the runner's old session; capacity less what it holds is free")
    mutating func helloReplacesOldConnection() throws {
        let runner = try Self.runner("runner-1")
        let busy = AuditID.generate()
        sessions.hello(Self.connection("old"), runnerID: runner, capacity: 2, active: [], at: Self.at(0))
        sessions.hello(Self.connection("new"), runnerID: runner, capacity: 3, active: [busy], at: Self.at(1))
        #expect(sessions.count == 1)
        #expect(sessions[Self.connection("old").bytes] == nil)
        #expect(sessions.wantingJobs.map(\.slots) == [2])
    }

    @Test("a heartbeat from an unknown runner is adopted; after bye it is refused with not_registered, then adopted again")
    mutating func heartbeatAfterBye() throws {
        let runner = try Self.runner("runner-2")
        let beat = RunnerHeartbeat(runnerID: runner, capacity: 1, active: [])
        #expect(sessions.heartbeat(Self.connection("c"), beat, at: Self.at(0)) == .adopted)
        #expect(sessions.bye(on: Self.connection("c").bytes, runnerID: runner, at: Self.at(1)) == .ended(runner))
        guard case .refused(let error) = sessions.heartbeat(Self.connection("c"), beat, at: Self.at(2)) else {
            Issue.record("a heartbeat right after bye was not refused")
            return
        }
        #expect(error.code == .notRegistered)
        #expect(sessions.count == 0)
        // Twice the silence timeout after the bye, a heartbeat is a restarted writer's runner again.
        #expect(sessions.heartbeat(Self.connection("c"), beat, at: Self.at(12)) == .adopted)
    }

    @Test("a connection speaks for one runner: heartbeat, release and bye in another's name are refused")
    mutating func oneRunnerPerConnection() throws {
        let owner = try Self.runner("owner"), other = try Self.runner("other")
        let held = AuditID.generate()
        sessions.hello(Self.connection("c"), runnerID: owner, capacity: 1, active: [held], at: Self.at(0))
        #expect(sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: other, capacity: 1, active: []), at: Self.at(1)) != .renewed)
        #expect((try? sessions.release(on: Self.connection("c").bytes, runnerID: other, auditID: held).get()) == nil)
        #expect((try? sessions.release(on: Self.connection("c").bytes, runnerID: owner, auditID: .generate()).get()) == nil, "not held")
        guard case .refused = sessions.bye(on: Self.connection("c").bytes, runnerID: other, at: Self.at(2)) else {
            Issue.record("bye in another runner's name was accepted")
            return
        }
        #expect(sessions.count == 1)
    }

    @Test("release hands one job back and stops new jobs for the session")
    mutating func releaseDrains() throws {
        let runner = try Self.runner("runner-3")
        let held = AuditID.generate()
        sessions.hello(Self.connection("c"), runnerID: runner, capacity: 4, active: [held], at: Self.at(0))
        #expect((try? sessions.release(on: Self.connection("c").bytes, runnerID: runner, auditID: held).get()) == runner)
        #expect(sessions.wantingJobs.isEmpty, "a releasing runner gets no more jobs")
        #expect(sessions[Self.connection("c").bytes]?.assigned.isEmpty == true)
    }

    @Test("heartbeats reconcile held jobs, keeping those no heartbeat has listed yet; silence drops the session")
    mutating func reconcileAndSilence() throws {
        let runner = try Self.runner("runner-4")
        let done = AuditID.generate()
        sessions.hello(Self.connection("c"), runnerID: runner, capacity: 3, active: [done], at: Self.at(0))
        let fresh = Self.job()
        sessions.assign([fresh], on: Self.connection("c").bytes, at: Self.at(1))
        // The runner no longer lists `done`; `fresh` may still be in flight to it.
        #expect(sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 3, active: []), at: Self.at(1.5)) == .renewed)
        #expect(sessions[Self.connection("c").bytes]?.assigned == [fresh.auditID])
        #expect(sessions.holdings.map(\.audits) == [[fresh.auditID]])
        sessions.finished(fresh.auditID)
        #expect(sessions.holdings.isEmpty)
        _ = sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 3, active: []), at: Self.at(1.5))
        #expect(sessions.holdings.isEmpty, "a finished job is not brought back by a heartbeat that never listed it")
        sessions.heard(from: Self.connection("c").bytes, at: Self.at(1.5))
        #expect(sessions.dropSilent(at: Self.at(6)).isEmpty, "heard 4.5 s ago")
        #expect(sessions.dropSilent(at: Self.at(7)).map(\.runnerID) == [runner])
        #expect(sessions.count == 0)
    }

    @Test("a job stays held through late heartbeats that were sent before the runner read it, until one lists it")
    mutating func unconfirmedJobHeldUntilListed() throws {
        let runner = try Self.runner("runner-5")
        sessions.hello(Self.connection("c"), runnerID: runner, capacity: 1, active: [], at: Self.at(0))
        let job = Self.job()
        sessions.assign([job], on: Self.connection("c").bytes, at: Self.at(1))
        // A loaded runner: its heartbeats lag the hand-out by seconds and still list nothing.
        for late in [3.0, 6.0, 9.0] {
            #expect(sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 1, active: []), at: Self.at(late)) == .renewed)
            #expect(sessions[Self.connection("c").bytes]?.assigned == [job.auditID], "still held at \(late) s")
            #expect(sessions.wantingJobs.isEmpty, "a capacity-1 runner holding a job gets no second one")
        }
        // Once listed, the runner's word rules: leaving it out frees the slot at once.
        _ = sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 1, active: [job.auditID]), at: Self.at(10))
        _ = sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 1, active: []), at: Self.at(11))
        #expect(sessions[Self.connection("c").bytes]?.assigned.isEmpty == true)
        #expect(sessions.wantingJobs.map(\.slots) == [1])
    }

    @Test("a job never listed is let go after the hold (lost on the way), leaving it to the lease sweep")
    mutating func unconfirmedJobReleasedAfterHold() throws {
        let runner = try Self.runner("runner-6")
        sessions.hello(Self.connection("c"), runnerID: runner, capacity: 1, active: [], at: Self.at(0))
        let job = Self.job()
        sessions.assign([job], on: Self.connection("c").bytes, at: Self.at(1))
        _ = sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 1, active: []), at: Self.at(15.5))
        #expect(sessions[Self.connection("c").bytes]?.assigned == [job.auditID], "14.5 s after the hand-out: still within the hold")
        _ = sessions.heartbeat(Self.connection("c"), RunnerHeartbeat(runnerID: runner, capacity: 1, active: []), at: Self.at(16.5))
        #expect(sessions[Self.connection("c").bytes]?.assigned.isEmpty == true, "15.5 s after: lost, slot free")
    }
}
