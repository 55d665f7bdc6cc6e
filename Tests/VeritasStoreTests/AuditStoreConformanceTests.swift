import Testing
import VeritasProtocol
import VeritasStore

/// The ``AuditStore`` contract, run against both implementations: memory and SQLite must never
/// disagree.
// One case at a time: every PostgreSQL case makes a schema and migrates it, and 80 of those at once
// (measured) load the 2-core machine enough to starve the timing of the suites running beside them.
@Suite("AuditStore conformance", .serialized)
struct AuditStoreConformanceTests {
    // MARK: Audits

    @Test(arguments: StoreKind.allCases)
    func enqueueStoresEveryFieldAsQueued(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let submitted = Audit(
                id: .generate(), url: "https://example.com/shop?q=1", tier: .deep, verdictMode: .expert,
                status: .running, attempts: 7, createdAt: at(3))
            try await store.enqueue(submitted)

            var expected = submitted
            expected.status = .queued
            expected.attempts = 0
            expected.source = kind.source
            #expect(try await store.audit(submitted.id) == expected)
            #expect(try await store.queueDepth() == 1)

            let again = try await #require(throws: AuditStoreError.self) { try await store.enqueue(submitted) }
            #expect(again.code == .auditExists)
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func unknownAuditsReadAsNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let id = AuditID.generate()
            #expect(try await store.audit(id) == nil)
            #expect(try await store.findings(of: id).isEmpty)
            #expect(try await store.screenshots(of: id).isEmpty)
            #expect(try await store.audits(status: nil, limit: 10, offset: 0).isEmpty)
            #expect(try await store.statusCounts() == AuditStatusCounts())
            #expect(try await store.queueDepth() == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appliesALifecycleEventByEvent(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit(url: "https://shop.example/", tier: .quick, verdictMode: .expert, createdAt: at(1))
            try await store.enqueue(audit)
            var expected = audit
            expected.source = kind.source

            #expect(try await store.apply([event(audit.id, started(url: audit.url), seq: 1, at: at(10))]) == [.applied])
            expected.status = .running
            expected.startedAt = at(10)
            expected.runnerID = runnerA
            #expect(try await store.audit(audit.id) == expected)

            #expect(try await store.apply([event(audit.id, progress(40), seq: 2, at: at(11))]) == [.applied])
            expected.progress = AuditProgress(phase: "fetch", percent: 40, at: at(11))
            #expect(try await store.audit(audit.id) == expected)
            // A late progress event (an older timestamp) does not move it back.
            #expect(try await store.apply([event(audit.id, progress(20), seq: 20, at: at(10))]) == [.applied])
            #expect(try await store.audit(audit.id)?.progress == expected.progress)

            let shot = screenshot(audit.id, index: 0)
            #expect(try await store.apply([event(audit.id, shot, seq: 3, at: at(12))]) == [.applied])
            #expect(try await store.audit(audit.id) == expected)
            guard case .screenshot(let info) = shot else { Issue.record("not a screenshot"); return }
            #expect(try await store.screenshots(of: audit.id) == [info])

            let payload = verdict()
            #expect(try await store.apply([event(audit.id, completed(payload), seq: 4, at: at(13))]) == [.applied])
            expected.status = .completed
            expected.trustScore = payload.trustScore
            expected.riskLevel = payload.riskLevel
            expected.narrative = payload.narrative
            expected.signalScores = payload.signalScores
            expected.siteType = payload.siteType
            expected.securityResults = payload.securityResults
            expected.completedAt = at(13)
            #expect(try await store.audit(audit.id) == expected)
            #expect(try await store.findings(of: audit.id) == sampleFindings)
            #expect(try await store.statusCounts() == AuditStatusCounts(completed: 1))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func errorEndsAnAudit(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            _ = try await store.apply([event(audit.id, started(), at: at(10))])
            #expect(try await store.apply([event(audit.id, failure("DNS lookup failed for example.com"), at: at(15), runner: runnerB)]) == [.applied])

            let stored = try #require(try await store.audit(audit.id))
            #expect(stored.status == .error)
            #expect(stored.errorMessage == "DNS lookup failed for example.com")
            #expect(stored.completedAt == at(15))
            #expect(stored.runnerID == runnerB)
            #expect(stored.startedAt == at(10))
            #expect(stored.trustScore == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateEventsChangeNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            let start = event(audit.id, started(), at: at(10))
            let finish = event(audit.id, completed(), at: at(20))
            #expect(try await store.apply([start, start]) == [.applied, .duplicate])
            #expect(try await store.apply([finish]) == [.applied])
            let before = try await store.audit(audit.id)

            // The same ids again, even within a larger batch, are duplicates and change nothing.
            let fresh = event(audit.id, progress(90), at: at(30))
            #expect(try await store.apply([finish, start, fresh]) == [.duplicate, .duplicate, .applied])
            #expect(try await store.audit(audit.id) == before)
            #expect(try await store.findings(of: audit.id) == sampleFindings)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateOfAStartedAuditChangesNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            let start = event(audit.id, started(), at: at(10))
            _ = try await store.apply([start])
            let before = try await store.audit(audit.id)
            // A repeated `started` carrying a different time would move started_at if applied.
            var repeated = start
            repeated.timestamp = at(99)
            #expect(try await store.apply([repeated]) == [.duplicate])
            #expect(try await store.audit(audit.id) == before)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func completedBeforeStartedYieldsACompletedAudit(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let id = AuditID.generate()
            // The writer never saw the submission: the events alone must build the audit.
            #expect(try await store.apply([event(id, completed(), at: at(20))]) == [.applied])
            let early = try #require(try await store.audit(id))
            #expect(early.status == .completed)
            #expect(early.url == "")
            #expect(early.completedAt == at(20))

            #expect(try await store.apply([event(id, started(url: "https://late.example/", tier: .deep, verdictMode: .expert), at: at(10))]) == [.applied])
            let audit = try #require(try await store.audit(id))
            #expect(audit.status == .completed)
            #expect(audit.url == "https://late.example/")
            #expect(audit.tier == .deep)
            #expect(audit.verdictMode == .expert)
            #expect(audit.startedAt == at(10))
            #expect(audit.completedAt == at(20))
            #expect(audit.trustScore == 42)
            #expect(audit.source == kind.source)
            #expect(try await store.findings(of: id) == sampleFindings)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func errorForAnUnknownAuditCreatesIt(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let id = AuditID.generate()
            #expect(try await store.apply([event(id, failure("timeout after 30 s"), at: at(5))]) == [.applied])
            let audit = try #require(try await store.audit(id))
            #expect(audit.status == .error)
            #expect(audit.errorMessage == "timeout after 30 s")
            #expect(audit.createdAt == at(5))
            #expect(audit.completedAt == at(5))
            #expect(try await store.statusCounts() == AuditStatusCounts(error: 1))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func statusNeverMovesBackwards(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            _ = try await store.apply([event(audit.id, started(), at: at(10)), event(audit.id, completed(), at: at(20))])
            let done = try await store.audit(audit.id)

            // A late start, progress, error or second verdict: applied (recorded as seen), no effect.
            let late = [
                event(audit.id, started(url: "https://other.example/"), at: at(30), runner: runnerB),
                event(audit.id, progress(10), at: at(31), runner: runnerB),
                event(audit.id, failure("too late"), at: at(32), runner: runnerB),
                event(audit.id, completed(verdict(trustScore: 99, findings: [sampleFindings[0]])), at: at(33), runner: runnerB),
            ]
            #expect(try await store.apply(late) == [.applied, .applied, .applied, .applied])
            #expect(try await store.audit(audit.id) == done)
            #expect(try await store.findings(of: audit.id) == sampleFindings)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneBatchMayHoldManyEventsOfOneAudit(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let first = makeAudit(createdAt: at(1))
            let second = makeAudit(createdAt: at(2))
            try await store.enqueue(first)
            try await store.enqueue(second)
            let unknown = AuditID.generate()
            let batch = [
                event(first.id, started(), seq: 1, at: at(10)),
                event(second.id, started(), seq: 1, at: at(11)),
                event(first.id, progress(50), seq: 2, at: at(12)),
                event(unknown, screenshot(unknown, index: 0), seq: 3, at: at(13)),
                event(first.id, screenshot(first.id, index: 0), seq: 3, at: at(13)),
                event(first.id, completed(), seq: 4, at: at(14)),
                event(second.id, failure("not HTML"), seq: 2, at: at(15)),
                event(unknown, completed(verdict(findings: [])), seq: 4, at: at(16)),
            ]
            #expect(try await store.apply(batch) == Array(repeating: .applied, count: batch.count))

            let one = try #require(try await store.audit(first.id))
            #expect(one.status == .completed)
            #expect(one.startedAt == at(10))
            #expect(one.completedAt == at(14))
            #expect(try await store.findings(of: first.id) == sampleFindings)
            #expect(try await store.screenshots(of: first.id).map(\.index) == [0])
            let two = try #require(try await store.audit(second.id))
            #expect(two.status == .error)
            #expect(two.startedAt == at(11))
            let three = try #require(try await store.audit(unknown))
            #expect(three.status == .completed)
            #expect(three.startedAt == at(13))
            #expect(try await store.screenshots(of: unknown).count == 1)
            #expect(try await store.findings(of: unknown).isEmpty)
            #expect(try await store.queueDepth() == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func findingsAreOneRowPerFindingInOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            let many = (0..<40).map { (number: Int) -> Finding in
                let box: FindingBox? = number.isMultiple(of: 3)
                    ? FindingBox(screenshotIndex: number % 2, x: Double(number), y: 10.5 * Double(number), width: 300, height: 42.25) : nil
                return Finding(
                    patternType: DarkPatternType.allCases[number % DarkPatternType.allCases.count],
                    severity: Severity.allCases[number % 3], confidence: Double(number) / 40,
                    evidence: "evidence \(number)", location: number.isMultiple(of: 2) ? "#n\(number)" : nil, box: box)
            }
            _ = try await store.apply([event(audit.id, completed(verdict(findings: many)))])
            let stored = try await store.findings(of: audit.id)
            #expect(stored == many)
            #expect(stored.map(\.category) == many.map(\.patternType.category))
            #expect(stored.filter { $0.box != nil }.count == 14, "boxes are kept, and findings without one stay without")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func screenshotsAreUpsertedByIndex(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            _ = try await store.apply([
                event(audit.id, screenshot(audit.id, index: 1, label: "full page", size: 10)),
                event(audit.id, screenshot(audit.id, index: 0, label: "viewport", size: 20)),
            ])
            _ = try await store.apply([event(audit.id, screenshot(audit.id, index: 1, label: "full page, again", size: 30))])

            let shots = try await store.screenshots(of: audit.id)
            #expect(shots.map(\.index) == [0, 1])
            #expect(shots.map(\.label) == ["viewport", "full page, again"])
            #expect(shots.map(\.fileSizeBytes) == [20, 30])
            #expect(shots.allSatisfy { $0.auditID == audit.id && $0.contentType == .png && $0.createdAt == at(20) })
            #expect(shots[1].filePath == "screenshots/\(audit.id.rawValue)/20261126T150843123Z-1.png")
            #expect(shots[1].sha256 == String(repeating: "1", count: 64))
        }
    }

    // MARK: Listing and counting

    @Test(arguments: StoreKind.allCases)
    func listsNewestFirstWithFilterAndPaging(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            // Enqueued out of order; two share a creation time (the id breaks the tie).
            let audits = [5, 1, 4, 2, 3, 3].map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            let newestFirst = audits.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id)
            _ = try await store.apply([
                event(newestFirst[1], completed()),
                event(newestFirst[3], completed()),
                event(newestFirst[4], started()),
            ])

            let all = try await store.audits(status: nil, limit: 100, offset: 0)
            #expect(all.map(\.id) == newestFirst)
            #expect(all.allSatisfy { $0.source == kind.source })

            var paged: [AuditID] = []
            for offset in stride(from: 0, to: 8, by: 4) {
                let page = try await store.audits(status: nil, limit: 4, offset: offset)
                paged += page.map(\.id)
            }
            #expect(paged == newestFirst)
            #expect(try await store.audits(status: nil, limit: 2, offset: 1).map(\.id) == Array(newestFirst[1...2]))
            #expect(try await store.audits(status: nil, limit: 0, offset: 0).isEmpty)
            #expect(try await store.audits(status: nil, limit: 5, offset: 6).isEmpty)

            #expect(try await store.audits(status: .completed, limit: 10, offset: 0).map(\.id) == [newestFirst[1], newestFirst[3]])
            #expect(try await store.audits(status: .completed, limit: 1, offset: 1).map(\.id) == [newestFirst[3]])
            #expect(try await store.audits(status: .running, limit: 10, offset: 0).map(\.id) == [newestFirst[4]])
            #expect(try await store.audits(status: .queued, limit: 10, offset: 0).map(\.id) == [newestFirst[0], newestFirst[2], newestFirst[5]])
            #expect(try await store.audits(status: .error, limit: 10, offset: 0).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func countsAuditsByStatus(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audits = (0..<7).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            _ = try await store.apply([
                event(audits[0].id, started()),
                event(audits[1].id, completed()),
                event(audits[2].id, completed()),
                event(audits[3].id, failure("boom")),
                event(AuditID.generate(), failure("unknown audit")),
            ])
            #expect(try await store.statusCounts() == AuditStatusCounts(queued: 3, running: 1, completed: 2, error: 2))
        }
    }

    // MARK: Job queue

    @Test(arguments: StoreKind.allCases)
    func claimsOldestFirstAndCountsAttempts(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audits = [3, 1, 2].map { makeAudit(url: "https://site\($0).example/", tier: .deep, verdictMode: .expert, createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            #expect(try await store.queueDepth() == 3)

            let first = try await store.claimJobs(for: runnerA, writer: "writer-1", limit: 2, leaseUntil: at(100))
            #expect(first == [audits[1], audits[2]].map {
                AuditJob(auditID: $0.id, url: $0.url, tier: .deep, verdictMode: .expert, attempt: 1, createdAt: $0.createdAt)
            })
            #expect(try await store.queueDepth() == 1)
            #expect(try await store.audit(audits[1].id)?.attempts == 1)
            #expect(try await store.audit(audits[1].id)?.status == .queued)

            // Claimed jobs are not handed out again.
            let second = try await store.claimJobs(for: runnerB, writer: "writer-2", limit: 5, leaseUntil: at(100))
            #expect(second.map(\.auditID) == [audits[0].id])
            #expect(try await store.claimJobs(for: runnerB, writer: "writer-2", limit: 5, leaseUntil: at(100)).isEmpty)
            #expect(try await store.claimJobs(for: runnerB, writer: "writer-2", limit: 0, leaseUntil: at(100)).isEmpty)
            #expect(try await store.queueDepth() == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func requeuedJobsAreClaimableAgain(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let older = makeAudit(createdAt: at(1))
            let newer = makeAudit(createdAt: at(2))
            try await store.enqueue(older)
            try await store.enqueue(newer)
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
            _ = try await store.apply([event(older.id, started(), at: at(10))])
            #expect(try await store.audit(older.id)?.status == .running)

            let outcome = try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 3, reason: "runner went silent", now: at(50))
            #expect(outcome == RequeueOutcome(requeued: [older.id]))
            let requeued = try #require(try await store.audit(older.id))
            #expect(requeued.status == .queued)
            #expect(requeued.errorMessage == nil)
            #expect(try await store.queueDepth() == 2)

            // Back at its place in the queue: still the oldest, now on its second attempt.
            let again = try await store.claimJobs(for: runnerB, writer: "w", limit: 1, leaseUntil: at(200))
            #expect(again.map(\.auditID) == [older.id])
            #expect(again.first?.attempt == 2)

            // runner-a holds nothing any more.
            #expect(try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 3, reason: "r", now: at(60)) == RequeueOutcome())
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aReturningRunnerReclaimsWhatItStillRuns(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let running = makeAudit(createdAt: at(1))
            let waiting = makeAudit(createdAt: at(2))
            let elsewhere = makeAudit(createdAt: at(3))
            for audit in [running, waiting, elsewhere] { try await store.enqueue(audit) }
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 2, leaseUntil: at(100))
            _ = try await store.apply([event(running.id, started(), at: at(10))])
            // runner-a goes silent: both its jobs go back on the queue.
            _ = try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 3, reason: "silent", now: at(50))
            #expect(try await store.queueDepth() == 3)
            _ = try await store.claimJobs(for: runnerB, writer: "w", limit: 0, leaseUntil: at(100))

            // Heard again, it says it runs `running`: claimed for it again, no new attempt, running again.
            let reclaimed = try await store.reclaimJobs(for: runnerA, writer: "w2", audits: [running.id], leaseUntil: at(200))
            #expect(reclaimed == [running.id])
            let audit = try #require(try await store.audit(running.id))
            #expect(audit.status == .running)
            #expect(audit.attempts == 1)
            #expect(try await store.queueDepth() == 2)
            // Nobody else is handed it.
            let next = try await store.claimJobs(for: runnerB, writer: "w", limit: 5, leaseUntil: at(200))
            #expect(next.map(\.auditID) == [waiting.id, elsewhere.id])
            // A job another runner holds is left alone; one this runner holds just gets the lease.
            #expect(try await store.reclaimJobs(for: runnerA, writer: "w2", audits: [waiting.id], leaseUntil: at(300)).isEmpty)
            #expect(try await store.reclaimJobs(for: runnerA, writer: "w2", audits: [running.id], leaseUntil: at(300)) == [running.id])
            // A never-started audit stays queued in status until its `started` arrives.
            #expect(try await store.audit(waiting.id)?.status == .queued)
            #expect(try await store.reclaimJobs(for: runnerA, writer: "w", audits: [], leaseUntil: at(300)).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func requeueCanBeLimitedToTheClaimsOfOneWriter(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            // A runner's jobs, two claimed through writer w1; it fails over to w2, which takes one over.
            let audits = (0..<2).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            _ = try await store.claimJobs(for: runnerA, writer: "w1", limit: 2, leaseUntil: at(100))
            #expect(try await store.reclaimJobs(for: runnerA, writer: "w2", audits: [audits[1].id], leaseUntil: at(100)) == [audits[1].id])
            // w1 finds the runner silent: only what it still holds through w1 goes back.
            let outcome = try await store.requeueJobs(of: runnerA, claimedThrough: "w1", only: nil, maxAttempts: 3, reason: "silent on w1", now: at(10))
            #expect(outcome == RequeueOutcome(requeued: [audits[0].id]))
            #expect(try await store.requeueJobs(of: runnerA, claimedThrough: "w3", only: nil, maxAttempts: 3, reason: "r", now: at(10)) == RequeueOutcome())
            #expect(try await store.queueDepth() == 1)
            #expect(try await store.requeueJobs(of: runnerA, claimedThrough: "w2", only: nil, maxAttempts: 3, reason: "r", now: at(10))
                == RequeueOutcome(requeued: [audits[1].id]))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func requeueCanBeLimitedToSomeAudits(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audits = (0..<3).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 3, leaseUntil: at(100))
            let outcome = try await store.requeueJobs(of: runnerA, only: [audits[1].id], maxAttempts: 3, reason: "released", now: at(10))
            #expect(outcome == RequeueOutcome(requeued: [audits[1].id]))
            #expect(try await store.queueDepth() == 1)
            #expect(try await store.requeueJobs(of: runnerB, only: nil, maxAttempts: 3, reason: "r", now: at(10)) == RequeueOutcome())
            #expect(try await store.requeueJobs(of: runnerA, only: [], maxAttempts: 3, reason: "r", now: at(10)) == RequeueOutcome())
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func exhaustedAttemptsEndInError(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            for attempt in 1...2 {
                let jobs = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
                #expect(jobs.map(\.attempt) == [attempt])
                // Started, so the attempt counts.
                _ = try await store.apply([event(audit.id, started(), seq: attempt, at: at(5))])
                #expect(try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 2, reason: "lost", now: at(10)).requeued == (attempt < 2 ? [audit.id] : []))
            }
            let ended = try #require(try await store.audit(audit.id))
            #expect(ended.status == .error)
            #expect(ended.errorMessage == "lost")
            #expect(ended.completedAt == at(10))
            #expect(ended.attempts == 2)
            #expect(try await store.queueDepth() == 0)
            #expect(try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100)).isEmpty)
            #expect(try await store.statusCounts() == AuditStatusCounts(error: 1))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func handOutsThatNeverStartGiveTheirAttemptBackButAreBounded(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audit = makeAudit()
            try await store.enqueue(audit)
            // Job messages lost again and again (writer restarts): no attempt is used up...
            for _ in 1..<(2 * ProtocolDefaults.handoutsPerAttempt) {
                let jobs = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
                #expect(jobs.map(\.attempt) == [1], "a hand-out that never started is not an attempt")
                #expect(try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 2, reason: "lost", now: at(10)).requeued == [audit.id])
                #expect(try await store.audit(audit.id)?.attempts == 0)
            }
            // ...but after 3 x max_attempts hand-outs in all, the audit ends in error, saying why.
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
            let outcome = try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 2, reason: "lost", now: at(20))
            #expect(outcome.failed == [audit.id])
            let ended = try #require(try await store.audit(audit.id))
            #expect(ended.status == .error)
            #expect(ended.errorMessage == "handed out \(2 * ProtocolDefaults.handoutsPerAttempt) times without starting; last: lost")
            #expect(try await store.queueDepth() == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func exhaustedAttemptsAreReportedAsFailed(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let fresh = makeAudit(createdAt: at(1))
            let tired = makeAudit(createdAt: at(2))
            try await store.enqueue(fresh)
            try await store.enqueue(tired)
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 2, leaseUntil: at(100))
            _ = try await store.apply([event(fresh.id, started(), seq: 1), event(tired.id, started(), seq: 1)])
            _ = try await store.requeueJobs(of: runnerA, only: [tired.id], maxAttempts: 5, reason: "r", now: at(3))
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(100))
            _ = try await store.apply([event(tired.id, started(), seq: 2)])
            // fresh has had 1 attempt, tired 2: with maxAttempts 2 only tired runs out.
            let outcome = try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 2, reason: "too many attempts", now: at(9))
            #expect(outcome == RequeueOutcome(requeued: [fresh.id], failed: [tired.id]))
            #expect(try await store.audit(tired.id)?.status == .error)
            #expect(try await store.audit(fresh.id)?.status == .queued)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyExpiredLeasesAreRequeued(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audits = (0..<4).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            _ = try await store.claimJobs(for: runnerA, writer: "w1", limit: 1, leaseUntil: at(50))
            _ = try await store.claimJobs(for: runnerB, writer: "w2", limit: 1, leaseUntil: at(50))
            _ = try await store.claimJobs(for: runnerB, writer: "w2", limit: 1, leaseUntil: at(200))
            // runner-a is alive and holds audits[0]: its lease moves past `now`.
            try await store.renewLeases(of: runnerA, holding: [audits[0].id], until: at(300))

            let outcome = try await store.requeueExpiredLeases(now: at(100), maxAttempts: 3, reason: "lease expired")
            #expect(outcome == RequeueOutcome(requeued: [audits[1].id]))
            #expect(try await store.queueDepth() == 2)
            // A lease ending exactly at `now` has not expired yet.
            #expect(try await store.requeueExpiredLeases(now: at(200), maxAttempts: 3, reason: "r") == RequeueOutcome())
            #expect(try await store.requeueExpiredLeases(now: at(201), maxAttempts: 3, reason: "r") == RequeueOutcome(requeued: [audits[2].id]))
            #expect(try await store.requeueExpiredLeases(now: at(301), maxAttempts: 3, reason: "r") == RequeueOutcome(requeued: [audits[0].id]))
            #expect(try await store.queueDepth() == 4)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyHeldJobsAreRenewed(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let audits = (0..<2).map { makeAudit(createdAt: at(Int64($0))) }
            for audit in audits { try await store.enqueue(audit) }
            // runner-a claimed both, then restarted and now holds only the second.
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 2, leaseUntil: at(50))
            try await store.renewLeases(of: runnerA, holding: [audits[1].id], until: at(300))
            // runner-b cannot renew runner-a's claims.
            try await store.renewLeases(of: runnerB, holding: [audits[0].id], until: at(900))

            let outcome = try await store.requeueExpiredLeases(now: at(100), maxAttempts: 3, reason: "lease expired")
            #expect(outcome == RequeueOutcome(requeued: [audits[0].id]))
            #expect(try await store.audit(audits[1].id)?.status == .queued)  // claimed, never started
            #expect(try await store.queueDepth() == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endingAnAuditRemovesItsJob(kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let claimed = makeAudit(createdAt: at(1))
            let waiting = makeAudit(createdAt: at(2))
            let failing = makeAudit(createdAt: at(3))
            for audit in [claimed, waiting, failing] { try await store.enqueue(audit) }
            _ = try await store.claimJobs(for: runnerA, writer: "w", limit: 1, leaseUntil: at(10))

            _ = try await store.apply([
                event(claimed.id, completed()),
                event(waiting.id, completed()),  // finished before any runner claimed it
            ])
            #expect(try await store.queueDepth() == 1)
            _ = try await store.apply([event(failing.id, failure("boom"))])
            #expect(try await store.queueDepth() == 0)
            #expect(try await store.requeueExpiredLeases(now: at(1000), maxAttempts: 3, reason: "r") == RequeueOutcome())
            #expect(try await store.requeueJobs(of: runnerA, only: nil, maxAttempts: 3, reason: "r", now: at(1000)) == RequeueOutcome())
            #expect(try await store.claimJobs(for: runnerA, writer: "w", limit: 10, leaseUntil: at(100)).isEmpty)
            #expect(try await store.audit(claimed.id)?.status == .completed)
        }
    }
}
