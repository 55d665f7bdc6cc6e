import Foundation
import Testing
import VeritasProtocol

/// The queries endpoint, op by op, over REQ and DEALER sockets.
@Suite("Queries", .timeLimit(.minutes(1)))
struct QueryTests {
    /// Waits until the clock has moved past `timestamp`, so the next audit gets a later created_at.
    private static func afterMillisecond(_ timestamp: Timestamp) async throws {
        while Timestamp.now <= timestamp { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test("submit: a valid request is queued; ftp://, credentials, a missing url and an unknown tier are bad_request")
    func submitValidation() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)

            let reply = try await client.requestJSON(#"{"op":"submit","url":"https://example.com/a?b=c","tier":"deep","verdict_mode":"expert"}"#)
            #expect(reply["ok"]?.boolValue == true)
            #expect(reply["op"]?.stringValue == "submit")
            #expect(reply["status"]?.stringValue == "queued")
            let id = try AuditID(try #require(reply["audit_id"]?.stringValue))
            #expect(reply["audit"]?["id"]?.stringValue == id.rawValue)
            #expect(reply["audit"]?["tier"]?.stringValue == "deep")
            #expect(reply["audit"]?["verdict_mode"]?.stringValue == "expert")
            let defaults = try await client.requestJSON(#"{"op":"submit","url":"http://example.org"}"#)
            #expect(defaults["audit"]?["tier"]?.stringValue == "standard")
            #expect(defaults["audit"]?["verdict_mode"]?.stringValue == "simple")

            for bad in [
                #"{"op":"submit","url":"ftp://example.com/file"}"#,
                #"{"op":"submit","url":"https://user:secret@example.com/"}"#,
                #"{"op":"submit","url":"https://"}"#,
                #"{"op":"submit"}"#,
                #"{"op":"submit","url":null}"#,
                #"{"op":"submit","url":"https://example.com","tier":"fast"}"#,
                #"{"op":"submit","url":"https://example.com","verdict_mode":"loud"}"#,
            ] {
                let error = try await client.error(for: bad)
                #expect(error.code == .badRequest, "\(bad)")
            }
            let tierError = try await client.error(for: #"{"op":"submit","url":"https://example.com","tier":"fast"}"#)
            #expect(tierError.message.contains("tier"))
            #expect(tierError.message.contains("fast"))
            // Nothing but the two valid submissions was stored.
            #expect(try await client.list().audits.count == 2)
        }
    }

    @Test("status: every audit field on the wire, nulls included")
    func statusFields() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let audit = try await client.submit(url: "https://fields.example/")
            let reply = try await client.requestJSON(#"{"op":"status","audit_id":"\#(audit.id)"}"#)
            #expect(reply["ok"]?.boolValue == true)
            #expect(reply["op"]?.stringValue == "status")
            guard case let .object(fields) = reply["audit"] else { Issue.record("no audit object: \(reply)"); return }
            let expected: Set = [
                "id", "url", "tier", "verdict_mode", "status", "trust_score", "risk_level", "narrative", "signal_scores",
                "site_type", "security_results", "error_message", "runner_id", "attempts", "created_at", "started_at",
                "completed_at", "progress", "source",
            ]
            #expect(Set(fields.keys) == expected)
            #expect(fields["trust_score"] == .null)
            #expect(fields["progress"] == .null, "no progress before the runner reports any")
            #expect(fields["completed_at"] == .null)
            #expect(fields["status"]?.stringValue == "queued")
            #expect(fields["url"]?.stringValue == "https://fields.example/")
            // Uppercase ids are accepted and normalised.
            let upper = try await client.status(try AuditID(audit.id.rawValue.uppercased()))
            #expect(upper.id == audit.id)
        }
    }

    @Test("list: status filter, newest first, paging with limit / offset / next_offset")
    func listPaging() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            var ids: [AuditID] = []
            for index in 0..<5 {
                let audit = try await client.submit(url: "https://list.example/\(index)")
                ids.append(audit.id)
                try await Self.afterMillisecond(audit.createdAt)
            }
            // The two oldest get completed.
            let runner = try bed.runner(writer, "runner-list")
            try await runner.connect(capacity: 2)
            for job in try await runner.jobs(2) { try await runner.complete(job) }

            let completed = try await client.list(status: .completed)
            #expect(completed.audits.map(\.id) == [ids[1], ids[0]])
            #expect(completed.nextOffset == nil)
            #expect(completed.audits.allSatisfy { $0.status == .completed })
            let queued = try await client.list(status: .queued)
            #expect(queued.audits.map(\.id) == [ids[4], ids[3], ids[2]])
            #expect(try await client.list(status: .error).audits.isEmpty)

            let first = try await client.list(limit: 2)
            #expect(first.audits.map(\.id) == [ids[4], ids[3]])
            #expect(first.limit == 2)
            #expect(first.offset == 0)
            #expect(first.nextOffset == 2)
            let second = try await client.list(limit: 2, offset: 2)
            #expect(second.audits.map(\.id) == [ids[2], ids[1]])
            #expect(second.nextOffset == 4)
            let last = try await client.list(limit: 2, offset: 4)
            #expect(last.audits.map(\.id) == [ids[0]])
            #expect(last.nextOffset == nil)
            let beyond = try await client.list(limit: 2, offset: 10)
            #expect(beyond.audits.isEmpty)
            #expect(beyond.nextOffset == nil)
            let exact = try await client.list(limit: 5)
            #expect(exact.audits.count == 5)
            #expect(exact.nextOffset == nil, "no next page when the page ends exactly at the last audit")
            // Without limit: the default 50.
            let all = try await client.requestJSON(#"{"op":"list"}"#)
            #expect(all["limit"]?.doubleValue == 50)
            #expect(all["next_offset"] == .null)
            #expect(all["source"]?.stringValue == "database")

            for bad in [#"{"op":"list","limit":0}"#, #"{"op":"list","limit":501}"#, #"{"op":"list","offset":-1}"#,
                        #"{"op":"list","status":"done"}"#, #"{"op":"list","limit":2.5}"#] {
                #expect(try await client.error(for: bad).code == .badRequest, "\(bad)")
            }
        }
    }

    @Test("list: audits submitted within one millisecond are still newest first")
    func listOrderWithinOneMillisecond() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let dealer = try bed.dealer(writer)
            let count = 200
            let submitted = try await dealer.submitBurst(count: count)
            let client = try bed.client(writer)
            let audits = try await client.list(limit: count).audits
            #expect(audits.count == count)
            let sharedMilliseconds = count - Set(audits.map(\.createdAt)).count
            #expect(audits.map(\.id) == submitted.reversed(),
                    "newest first must follow submission order (\(sharedMilliseconds) of \(count) audits shared a created_at millisecond)")
        }
    }

    @Test("findings, screenshots and screenshot bytes")
    func findingsAndScreenshots() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let runner = try bed.runner(writer, "runner-q")
            let audit = try await client.submit()
            try await runner.connect()
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])
            #expect(try await client.findings(audit.id).findings.isEmpty, "no findings until the audit completes")

            try await runner.sendAndAwaitAcks([
                runner.event(audit.id, seq: 2, .screenshot(index: 2, label: "full page", contentType: .jpeg, image: Samples.jpeg)),
                runner.event(audit.id, seq: 3, .screenshot(index: 0, label: "viewport", contentType: .png, image: Samples.png)),
                runner.event(audit.id, seq: 4, Samples.completed(findings: [Samples.finding, Samples.secondFinding])),
            ])

            let findings = try await client.findings(audit.id)
            #expect(findings.auditID == audit.id)
            #expect(findings.findings == [Samples.finding, Samples.secondFinding])
            let rawFindings = try await client.requestJSON(#"{"op":"findings","audit_id":"\#(audit.id)"}"#)
            guard case let .array(items) = rawFindings["findings"], case let .object(first) = items.first else {
                Issue.record("findings on the wire: \(rawFindings)"); return
            }
            #expect(Set(first.keys) == ["category", "pattern_type", "severity", "confidence", "evidence", "location"])
            #expect(first["category"]?.stringValue == "urgency")

            let screenshots = try await client.screenshots(audit.id)
            #expect(screenshots.screenshots.map(\.index) == [0, 2])
            #expect(screenshots.screenshots.map(\.label) == ["viewport", "full page"])
            #expect(screenshots.screenshots.map(\.contentType) == [.png, .jpeg])

            let (reply, image) = try await client.request(#"{"op":"screenshot","audit_id":"\#(audit.id)","index":2}"#)
            guard case let .screenshot(info, source) = reply.reply else { Issue.record("screenshot failed: \(reply)"); return }
            #expect(info.index == 2)
            #expect(source == .database)
            #expect(image == Samples.jpeg)
            let frames = try await client.roundTrip([Data(#"{"op":"screenshot","audit_id":"\#(audit.id)","index":0}"#.utf8)])
            #expect(frames.count == 2)
            #expect(frames.last == Samples.png)

            #expect(try await client.error(for: #"{"op":"screenshot","audit_id":"\#(audit.id)","index":1}"#).code == .notFound)
            #expect(try await client.error(for: #"{"op":"screenshot","audit_id":"\#(audit.id)","index":1000}"#).code == .badRequest)
            #expect(try await client.error(for: #"{"op":"screenshot","audit_id":"\#(audit.id)"}"#).code == .badRequest)
        }
    }

    @Test("not_found for an unknown audit id on status, findings, screenshots and screenshot")
    func notFound() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let unknown = AuditID.generate()
            for op in ["status", "findings", "screenshots"] {
                let error = try await client.error(for: #"{"op":"\#(op)","audit_id":"\#(unknown)"}"#)
                #expect(error.code == .notFound, "\(op)")
                #expect(error.message.contains(unknown.rawValue))
            }
            #expect(try await client.error(for: #"{"op":"screenshot","audit_id":"\#(unknown)","index":0}"#).code == .notFound)
            #expect(try await client.error(for: #"{"op":"status","audit_id":"not-a-uuid"}"#).code == .badRequest)
        }
    }

    @Test("health: every field, with counts, queue depth and connected runners")
    func health() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            _ = try await client.submit()
            _ = try await client.submit()
            let runner = try bed.runner(writer, "runner-health")
            try await runner.connect(capacity: 1)
            let job = try await runner.nextJob()
            try await runner.sendAndAwaitAcks([runner.started(job)])

            let reply = try await client.requestJSON(#"{"op":"health"}"#)
            #expect(reply["ok"]?.boolValue == true)
            #expect(reply["op"]?.stringValue == "health")
            guard case let .object(fields) = reply["health"] else { Issue.record("no health object: \(reply)"); return }
            #expect(Set(fields.keys) == [
                "status", "persistence_enabled", "database", "version", "protocol_version", "uptime_seconds", "counts",
                "counts_source", "queue_depth", "connected_runners", "memory_audits", "curve", "dropped_messages", "error_replies",
                "refused_connections",
            ])
            #expect(fields["curve"]?.boolValue == false, "no keys configured: plaintext")
            #expect(fields["counts_source"]?.stringValue == "database")
            #expect(fields["refused_connections"]?.doubleValue == 0)
            let health = try await client.health()
            #expect(health.status == .ok)
            #expect(health.persistenceEnabled)
            #expect(health.database == .ok)
            #expect(!health.version.isEmpty)
            #expect(health.protocolVersion == 1)
            #expect(health.uptimeSeconds >= 0)
            #expect(health.counts == AuditStatusCounts(queued: 1, running: 1, completed: 0, error: 0))
            #expect(health.queueDepth == 1)
            #expect(health.connectedRunners == 1)
            #expect(health.memoryAudits == 2)
        }
    }

    @Test("a DEALER with the empty delimiter and one without both get answers; request_id is echoed")
    func dealerFramings() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let withDelimiter = try bed.dealer(writer)
            try await withDelimiter.send([Data(), Data(#"{"op":"health","request_id":"with-delimiter"}"#.utf8)])
            let first = try #require(await withDelimiter.receive())
            #expect(first.count == 2)
            #expect(first.first == Data(), "the delimiter comes back")
            let (envelope, _) = try QueryReplyEnvelope.decode(frames: Array(first.dropFirst()))
            #expect(envelope.requestID == "with-delimiter")
            if case .health = envelope.reply {} else { Issue.record("expected health, got \(envelope.reply)") }

            let bare = try bed.dealer(writer)
            try await bare.send([Data(#"{"op":"health","request_id":"bare"}"#.utf8)])
            let second = try #require(await bare.receive())
            #expect(second.count == 1, "answered without a delimiter")
            let (bareEnvelope, _) = try QueryReplyEnvelope.decode(frames: second)
            #expect(bareEnvelope.requestID == "bare")
            if case .health = bareEnvelope.reply {} else { Issue.record("expected health, got \(bareEnvelope.reply)") }

            // Pipelined requests on one DEALER are matched by request_id.
            for index in 0..<5 { try await withDelimiter.send([Data(), Data(#"{"op":"health","request_id":"p\#(index)"}"#.utf8)]) }
            var ids: Set<String> = []
            for _ in 0..<5 {
                let frames = try #require(await withDelimiter.receive())
                ids.insert(try QueryReplyEnvelope.decode(frames: Array(frames.dropFirst())).envelope.requestID ?? "")
            }
            #expect(ids == Set((0..<5).map { "p\($0)" }))
        }
    }

    @Test("request_id is echoed on successes and failures")
    func requestIDEchoed() async throws {
        try await TestBed.run { bed in
            let writer = try await bed.startWriter()
            let client = try bed.client(writer)
            let success = try await client.requestJSON(#"{"op":"health","request_id":"req-17"}"#)
            #expect(success["request_id"]?.stringValue == "req-17")
            let submitted = try await client.requestJSON(#"{"op":"submit","url":"https://example.com","request_id":"é-ü 42"}"#)
            #expect(submitted["request_id"]?.stringValue == "é-ü 42")
            let notFound = try await client.requestJSON(#"{"op":"status","audit_id":"\#(AuditID.generate())","request_id":"nf"}"#)
            #expect(notFound["ok"]?.boolValue == false)
            #expect(notFound["request_id"]?.stringValue == "nf")
            let badRequest = try await client.requestJSON(#"{"op":"submit","url":"ftp://x","request_id":"br"}"#)
            #expect(badRequest["request_id"]?.stringValue == "br")
            let unsupported = try await client.requestJSON(#"{"op":"delete","request_id":"us"}"#)
            #expect(unsupported["error"]?["code"]?.stringValue == "unsupported_op")
            #expect(unsupported["request_id"]?.stringValue == "us")
            // Without one, the reply has none.
            let plain = try await client.requestJSON(#"{"op":"health"}"#)
            #expect(plain["request_id"] == nil)
        }
    }
}
