import Foundation
import Testing
import VeritasProtocol

/// Applying runner events: idempotent by event id, order-tolerant, status only forward, invalid
/// events rejected (with their id) and not applied, acks routed to the right runner.
@Suite("Event ingest", .timeLimit(.minutes(1)))
struct EventIngestTests {
    @Test("a duplicate event is acknowledged both times and changes nothing")
    func duplicateEvent() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-dup")
            let submitted = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            let started = runner.started(job)
            let completed = runner.event(job.auditID, seq: 2, Samples.completed())
            try await runner.sendAndAwaitAcks([started, completed])
            let before = try await client.status(submitted.id)
            let findingsBefore = try await client.findings(submitted.id).findings
            let processedBefore = try DatabaseProbe.count(writer.databasePath, "processed_events")

            // Same event ids, same bytes, again.
            try await runner.send(.event(started))
            try await runner.send(.event(completed))
            try await runner.awaitAcks([started.eventID, completed.eventID], times: 2)
            #expect(runner.ackCount(started.eventID) == 2)
            #expect(runner.ackCount(completed.eventID) == 2)

            let after = try await client.status(submitted.id)
            #expect(after == before)
            #expect(after.status == .completed)
            #expect(try await client.findings(submitted.id).findings == findingsBefore)
            #expect(findingsBefore.count == 1)
            #expect(try DatabaseProbe.count(writer.databasePath, "processed_events") == processedBefore)
            #expect(try DatabaseProbe.count(writer.databasePath, "audit_findings", where: "audit_id = ?", [submitted.id.rawValue]) == 1)
        }
    }

    @Test("memory only, out of order: completed before started yields a completed audit whose url comes from the late started")
    func completedBeforeStarted() async throws {
        try await TestBed.run { bed in
            // Memory-only writers accept events for audits they never saw (a restart forgets all).
            let writer = try await bed.startWriter { $0.persistenceEnabled = false }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-ooo")
            try await runner.connect()
            let id = AuditID.generate()   // an audit this writer never saw
            let startedAt = Timestamp.now
            let started = runner.event(id, seq: 1, Samples.started("https://late.example/path", tier: .deep), timestamp: startedAt)
            let completed = runner.event(id, seq: 2, Samples.completed(), timestamp: startedAt.adding(milliseconds: 500))

            try await runner.sendAndAwaitAcks([completed])
            let early = try await client.status(id)
            #expect(early.status == .completed)
            #expect(early.trustScore == 72)

            try await runner.sendAndAwaitAcks([started])
            let audit = try await client.status(id)
            #expect(audit.status == .completed)
            #expect(audit.url == "https://late.example/path")
            #expect(audit.tier == .deep)
            #expect(audit.trustScore == 72)
            #expect(audit.riskLevel == .medium)
            #expect(audit.siteType == .shop)
            #expect(audit.completedAt == startedAt.adding(milliseconds: 500))
            #expect(audit.source == .memory)
            #expect(try await client.findings(id).findings == [Samples.finding])
        }
    }

    @Test("with persistence, an event for an audit nobody submitted is rejected not_found and creates nothing")
    func eventForUnknownAuditIsRejected() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-bogus")
            try await runner.connect()
            let id = AuditID.generate()
            let progress = runner.event(id, seq: 1, Samples.progress(30))
            try await runner.send(.event(progress))
            let error = try await runner.awaitReject(of: progress.eventID)
            #expect(error.code == .notFound)
            #expect(error.message.contains(id.rawValue))
            #expect(runner.ackCount(progress.eventID) == 0)
            // Nothing stuck 'running' for an audit that never existed.
            #expect(try await client.error(for: #"{"op":"status","audit_id":"\#(id)"}"#).code == .notFound)
            #expect(try DatabaseProbe.count(writer.databasePath, "audits", where: "id = ?", [id.rawValue]) == 0)
            #expect(try DatabaseProbe.count(writer.databasePath, "processed_events", where: "audit_id = ?", [id.rawValue]) == 0)
            #expect(try await client.health().errorReplies >= 1)
        }
    }

    @Test("memory only: audit.error for an audit the writer never saw creates it in error")
    func errorForUnknownAudit() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.persistenceEnabled = false }
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-err")
            try await runner.connect()
            let id = AuditID.generate()
            #expect(try await client.error(for: #"{"op":"status","audit_id":"\#(id)"}"#).code == .notFound)

            try await runner.sendAndAwaitAcks([runner.event(id, seq: 1, .error(ErrorEventPayload(errorMessage: "TLS handshake failed:\ncertificate expired")))])
            let audit = try await client.status(id)
            #expect(audit.status == .error)
            #expect(audit.errorMessage == "TLS handshake failed:\ncertificate expired")
            #expect(audit.completedAt != nil)
            #expect(audit.source == .memory)
        }
    }

    @Test("status never moves backwards: started after completed leaves it completed")
    func statusNeverBackwards() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-fwd")
            let submitted = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.complete(job)
            let completed = try await client.status(submitted.id)
            #expect(completed.status == .completed)

            // A new (not duplicate) started and progress after completion.
            try await runner.sendAndAwaitAcks([
                runner.started(job, seq: 3),
                runner.event(job.auditID, seq: 4, Samples.progress(50)),
            ])
            let after = try await client.status(submitted.id)
            #expect(after.status == .completed)
            #expect(after.completedAt == completed.completedAt)
            #expect(after.trustScore == completed.trustScore)

            // An error after completion changes nothing either.
            try await runner.sendAndAwaitAcks([runner.event(job.auditID, seq: 5, .error(ErrorEventPayload(errorMessage: "late failure")))])
            let final = try await client.status(submitted.id)
            #expect(final.status == .completed)
            #expect(final.errorMessage == nil)
        }
    }

    @Test("an invalid event (trust_score 500) is rejected with its event_id and not applied")
    func invalidEventRejected() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-bad")
            let submitted = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])

            let event = runner.event(job.auditID, seq: 2, Samples.completed())
            var header = event.headerJSON
            guard case var .object(payload) = header["payload"] else { Issue.record("no payload"); return }
            payload["trust_score"] = .number(500)
            header["payload"] = .object(payload)
            try await runner.sendRaw([JSONValue.frame(header)])

            let error = try await runner.awaitReject(of: event.eventID)
            #expect(error.code == .badRequest)
            #expect(error.message.contains("trust_score"))
            #expect(runner.ackCount(event.eventID) == 0)

            let audit = try await client.status(submitted.id)
            #expect(audit.status == .running)
            #expect(audit.trustScore == nil)
            #expect(try DatabaseProbe.count(writer.databasePath, "processed_events", where: "event_id = ?", [event.eventID.rawValue]) == 0)
            #expect(try await client.findings(submitted.id).findings.isEmpty)
        }
    }

    @Test("events of several runners interleaved in one batch are each acknowledged to their own runner")
    func interleavedRunners() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter { $0.runnerSilentTimeoutMilliseconds = 30_000 }
            let client = try bed.client(writer)
            let runners = try (1...3).map { try bed.runner(writer, "runner-mix-\($0)") }
            var eventsByRunner: [[AuditEvent]] = []
            var urls: [String] = []
            // One runner at a time joins and takes the one queued job: these scripted runners read
            // their sockets only when the test waits on them, so a runner that has not read its job
            // yet would look idle to the writer once the in-flight grace passed.
            for (index, runner) in runners.enumerated() {
                try await runner.connect(capacity: 1)
                _ = try await client.submit(url: "https://mix-\(index).example/")
                let job = try await runner.nextJob()
                let id = job.auditID
                urls.append(job.url)
                eventsByRunner.append([
                    runner.event(id, seq: 1, Samples.started(job.url)),
                    runner.event(id, seq: 2, Samples.progress(10)),
                    runner.event(id, seq: 3, Samples.progress(60)),
                    runner.event(id, seq: 4, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
                    runner.event(id, seq: 5, Samples.completed()),
                ])
            }
            // Interleave: event i of every runner, then event i + 1 ... without waiting for acks.
            for index in 0..<5 {
                for (runner, events) in zip(runners, eventsByRunner) { try await runner.send(.event(events[index])) }
            }
            for (runner, events) in zip(runners, eventsByRunner) {
                try await runner.awaitAcks(events.map(\.eventID))
            }
            for (position, runner) in runners.enumerated() {
                let own = Set(eventsByRunner[position].map(\.eventID))
                let acked = Set(runner.snapshot.ackCounts.keys)
                #expect(acked == own, "\(runner.runnerID) got acks for events that are not its own")
                let status = try await client.status(eventsByRunner[position][0].auditID)
                #expect(status.status == .completed)
                #expect(status.url == urls[position])
                #expect(status.runnerID == runner.runnerID)
            }
            #expect(try DatabaseProbe.count(writer.databasePath, "processed_events") == 15)
        }
    }
}
