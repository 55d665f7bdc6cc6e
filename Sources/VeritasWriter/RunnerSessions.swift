import VeritasProtocol
import ZeroMQ

/// The runner sessions of one writer and the rules for them (PROTOCOL.md §6.2): `hello`,
/// `heartbeat` (adopting a runner the writer does not know after a restart, refusing one that
/// said `bye`), `release`, `bye`, silence, and which runners have room for jobs.
///
/// A value owned by the gateway's loop: no locks, no I/O, no clock of its own (every call is
/// given `now`), so each rule is tested on its own (`RunnerSessionsTests`). The gateway carries
/// out what the answers say: replies, reclaims and requeues.
struct RunnerSessions {
    /// Sessions by connection (the ZeroMQ routing id's bytes).
    private(set) var byConnection: [[UInt8]: RunnerSession] = [:]
    /// Runners that said `bye`, and when. A heartbeat such a runner sent while closing must not
    /// bring its session back (and win it the job it just handed back); it has to say `hello`.
    private var departed: [RunnerID: ContinuousClock.Instant] = [:]
    /// Silence after which a runner is dropped; a `bye` is remembered for twice this.
    let silentTimeout: Duration
    /// How long a job handed out stays held while no heartbeat has listed it (it may still be on
    /// its way, or the runner may not have read it yet); past that it counts as lost.
    let unconfirmedHold: Duration

    init(silentTimeout: Duration, unconfirmedHold: Duration) {
        self.silentTimeout = silentTimeout
        self.unconfirmedHold = unconfirmedHold
    }

    var count: Int { byConnection.count }

    subscript(connection: [UInt8]) -> RunnerSession? { byConnection[connection] }

    /// Anything arrived on `connection`.
    mutating func heard(from connection: [UInt8], at now: ContinuousClock.Instant) {
        byConnection[connection]?.lastSeen = now
    }

    /// `hello`: a fresh session holding exactly `active`. Any other connection's session of the
    /// same runner is stale (the runner came back on a new connection) and goes, without its
    /// jobs being requeued.
    mutating func hello(_ routing: Frame, runnerID: RunnerID, capacity: Int, active: [AuditID], at now: ContinuousClock.Instant) {
        departed.removeValue(forKey: runnerID)
        for (other, session) in byConnection where other != routing.bytes && session.runnerID == runnerID {
            byConnection.removeValue(forKey: other)
        }
        byConnection[routing.bytes] = RunnerSession(routingID: routing, runnerID: runnerID, capacity: capacity, assigned: Set(active), lastSeen: now)
    }

    /// What a `heartbeat` does.
    enum HeartbeatOutcome: Equatable {
        /// A known session took the runner's capacity and active list.
        case renewed
        /// A runner this writer had no session for (it restarted, or the session expired) was
        /// adopted as by `hello`: its active audits should be reclaimed for it.
        case adopted
        /// Refused with this error; the session table is unchanged.
        case refused(ProtocolError)
    }

    mutating func heartbeat(_ routing: Frame, _ heartbeat: RunnerHeartbeat, at now: ContinuousClock.Instant) -> HeartbeatOutcome {
        let connection = routing.bytes
        if let session = byConnection[connection] {
            guard session.runnerID == heartbeat.runnerID else {
                return .refused(ProtocolError(.badRequest, "this connection belongs to runner \(session.runnerID), not \(heartbeat.runnerID)"))
            }
            byConnection[connection]?.capacity = heartbeat.capacity
            byConnection[connection]?.reconcile(active: heartbeat.active, now: now, unconfirmedHold: unconfirmedHold)
            return .renewed
        }
        if let left = departed[heartbeat.runnerID], now - left < silentTimeout * 2 {
            return .refused(ProtocolError(.notRegistered, "runner \(heartbeat.runnerID) said bye; send hello to take jobs again"))
        }
        hello(routing, runnerID: heartbeat.runnerID, capacity: heartbeat.capacity, active: heartbeat.active, at: now)
        return .adopted
    }

    /// `release` of `auditID` by the runner on `connection`: only the session holding it may hand
    /// it back, and then it takes no more jobs. Returns the runner, or the refusal.
    mutating func release(on connection: [UInt8], runnerID: RunnerID, auditID: AuditID) -> Result<RunnerID, ProtocolError> {
        guard let session = byConnection[connection], session.runnerID == runnerID, session.assigned.contains(auditID) else {
            return .failure(ProtocolError(.badRequest, "runner \(runnerID) on this connection does not hold audit \(auditID)"))
        }
        byConnection[connection]?.assigned.remove(auditID)
        byConnection[connection]?.unconfirmed.removeValue(forKey: auditID)
        byConnection[connection]?.isDraining = true
        return .success(session.runnerID)
    }

    /// What a `bye` does.
    enum ByeOutcome: Equatable {
        /// The session went: requeue every job of this runner.
        case ended(RunnerID)
        /// There was no session on that connection; nothing to requeue.
        case noSession
        /// The connection belongs to another runner.
        case refused(ProtocolError)
    }

    mutating func bye(on connection: [UInt8], runnerID: RunnerID, at now: ContinuousClock.Instant) -> ByeOutcome {
        if let session = byConnection[connection], session.runnerID != runnerID {
            return .refused(ProtocolError(.badRequest, "this connection belongs to runner \(session.runnerID), not \(runnerID)"))
        }
        departed[runnerID] = now
        guard let session = byConnection.removeValue(forKey: connection) else { return .noSession }
        return .ended(session.runnerID)
    }

    /// Removes and returns the sessions silent for longer than the timeout (their jobs are to
    /// be requeued), and forgets `bye`s older than twice the timeout.
    mutating func dropSilent(at now: ContinuousClock.Instant) -> [RunnerSession] {
        let silent = byConnection.filter { now - $0.value.lastSeen > silentTimeout }
        for connection in silent.keys { byConnection.removeValue(forKey: connection) }
        departed = departed.filter { now - $0.value < silentTimeout * 2 }
        return Array(silent.values)
    }

    /// Sessions with room for jobs, as (connection, runner, free slots).
    var wantingJobs: [(connection: [UInt8], runnerID: RunnerID, slots: Int)] {
        byConnection.compactMap { connection, session in
            session.freeSlots > 0 ? (connection, session.runnerID, session.freeSlots) : nil
        }
    }

    /// Records jobs handed to the session on `connection`.
    mutating func assign(_ jobs: [AuditJob], on connection: [UInt8], at now: ContinuousClock.Instant) {
        for job in jobs {
            byConnection[connection]?.assigned.insert(job.auditID)
            byConnection[connection]?.unconfirmed[job.auditID] = now
        }
    }

    /// An audit ended (`completed` or `error` stored): no session holds it any more.
    mutating func finished(_ auditID: AuditID) {
        for connection in byConnection.keys where byConnection[connection]?.assigned.contains(auditID) == true {
            byConnection[connection]?.assigned.remove(auditID)
            byConnection[connection]?.unconfirmed.removeValue(forKey: auditID)
        }
    }

    /// What each runner in session holds, for lease renewals.
    var holdings: [(runnerID: RunnerID, audits: Set<AuditID>)] {
        byConnection.values.filter { !$0.assigned.isEmpty }.map { ($0.runnerID, $0.assigned) }
    }
}
