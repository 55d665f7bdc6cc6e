import Crypto
import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ

/// `WriterClient` against a real in-process writer (and, for the failure modes, against nothing
/// or a hand-driven ROUTER).
@Suite("WriterClient", .timeLimit(.minutes(1)))
struct WriterClientTests {
    @Test("submit, status, list, findings, screenshots, screenshot and health against a real writer")
    func everyQuery() async throws {
        try await withWriter { writer, client in
            let health = try await client.health()
            #expect(health.status == .ok)
            #expect(health.protocolVersion == ProtocolDefaults.protocolVersion)

            let audit = try await client.submit(url: "https://shop.example/", tier: .deep, verdictMode: .expert)
            #expect(audit.status == .queued)
            #expect(audit.url == "https://shop.example/")
            #expect(audit.tier == .deep)
            #expect(audit.verdictMode == .expert)
            let other = try await client.submit(url: "https://other.example/")
            #expect(other.tier == .standard)
            #expect(other.verdictMode == .simple)

            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners)
            try await runner.hello(capacity: 1)
            let job = try await runner.nextJob()
            #expect(job.auditID == audit.id)
            try await runner.complete(job)
            await runner.close()

            let done = try await client.status(audit.id)
            #expect(done.status == .completed)
            #expect(done.trustScore == 72)
            #expect(done.riskLevel == .medium)
            #expect(done.siteType == .shop)

            let all = try await client.list()
            #expect(all.audits.map(\.id) == [other.id, audit.id])
            #expect(all.nextOffset == nil)
            let completed = try await client.list(status: .completed)
            #expect(completed.audits.map(\.id) == [audit.id])
            let firstPage = try await client.list(limit: 1)
            #expect(firstPage.audits.map(\.id) == [other.id])
            #expect(firstPage.nextOffset == 1)
            let secondPage = try await client.list(limit: 1, offset: 1)
            #expect(secondPage.audits.map(\.id) == [audit.id])
            #expect(secondPage.nextOffset == nil)

            let findings = try await client.findings(audit.id)
            #expect(findings.auditID == audit.id)
            #expect(findings.findings == Samples.findings)

            let screenshots = try await client.screenshots(audit.id)
            #expect(screenshots.screenshots.count == 1)
            let listed = try #require(screenshots.screenshots.first)
            #expect(listed.index == 0)
            #expect(listed.label == "Viewport (1280x800)")
            #expect(listed.contentType == .png)

            let (info, image) = try await client.screenshot(audit.id, index: 0)
            #expect(info == listed)
            #expect(image == Samples.png)
            #expect(SHA256.hash(data: image).map { String(format: "%02x", $0) }.joined() == info.sha256)

            let after = try await client.health()
            #expect(after.counts.completed == 1)
            #expect(after.counts.queued == 1)
        }
    }

    @Test("error replies become ClientError.server with the writer's code and message")
    func serverErrors() async throws {
        try await withWriter { _, client in
            let unknown = AuditID.generate()
            let notFound = await #expect(throws: ClientError.self) { try await client.status(unknown) }
            #expect(notFound?.code == .server(.notFound))
            #expect(notFound?.message.contains(unknown.rawValue) == true)
            #expect(notFound?.serverError?.code == .notFound)

            let badURL = await #expect(throws: ClientError.self) { try await client.submit(url: "ftp://example.com/") }
            #expect(badURL?.code == .server(.badRequest))
            #expect(badURL?.description.hasPrefix("bad_request: ") == true)

            let queued = try await client.submit(url: "https://a.example/")
            let noScreenshot = await #expect(throws: ClientError.self) { try await client.screenshot(queued.id, index: 3) }
            #expect(noScreenshot?.code == .server(.notFound))

            // The client still works after errors.
            #expect(try await client.health().status == .ok)
        }
    }

    @Test("nothing listening: the call fails as unreachable at once (the connection is refused), not after its timeout")
    func unreachable() async throws {
        let endpoint = unusedEndpoint()
        let client = try WriterClient(endpoint: endpoint, timeout: .seconds(30))
        let started = ContinuousClock.now
        let error = await #expect(throws: ClientError.self) { try await client.health() }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains(endpoint) == true)
        #expect(error?.message.contains("nothing is listening") == true)
        #expect(error?.message.contains("veritas-writer") == true)
        // The deadline was 30 s: failing well before it is the refusal, not the timer. Generous,
        // because a parallel suite on 2 cores can starve the pool.
        #expect(elapsed < .seconds(10))
        await client.close()
    }

    @Test("a per-call timeout overrides the client's default")
    func perCallTimeout() async throws {
        // A peer that takes the request and never answers.
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try #require(router.lastEndpoint)
        let patient = try WriterClient(endpoint: endpoint, timeout: .seconds(30))
        let quick = ContinuousClock.now
        let error = await #expect(throws: ClientError.self) { try await patient.list(timeout: .milliseconds(100)) }
        // Sent and never answered: a timeout, reached long before the 30 s default.
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - quick < .seconds(10))
        await patient.close()
        router.close()
    }

    @Test("a reply that arrives after its call timed out is dropped and does not answer the next call")
    func staleReply() async throws {
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try #require(router.lastEndpoint)
        let loop = try SocketLoop(name: "test-router")
        let server = loop.register(router)
        let client = try WriterClient(endpoint: endpoint, timeout: .seconds(3))

        // Call 1: the server reads it and stays silent, so the call times out (it was sent:
        // timeout, not unreachable).
        let firstCall = Task { try await client.health(timeout: .milliseconds(300)) }
        let first = try #require(await server.receive())
        #expect(first.count == 3)
        #expect(first[1].isEmpty)
        let firstRequest = try QueryEnvelope.decode(first[2].data)
        #expect(firstRequest.request == .health)
        let timedOut = await #expect(throws: ClientError.self) { try await firstCall.value }
        #expect(timedOut?.code == .timeout)
        #expect(timedOut?.message.contains(endpoint) == true)

        // Call 2: the server answers call 1 first (stale), then call 2.
        let secondCall = Task { try await client.health() }
        let second = try #require(await server.receive())
        let secondRequest = try QueryEnvelope.decode(second[2].data)
        #expect(secondRequest.requestID != firstRequest.requestID)
        for (request, version) in [(firstRequest, "stale"), (secondRequest, "fresh")] {
            let reply = QueryReplyEnvelope(requestID: request.requestID, reply: .health(Self.health(version: version)))
            try await server.send([second[0], Frame(), Frame(reply.encode())])
        }
        #expect(try await secondCall.value.version == "fresh")
        #expect(client.unmatchedReplies == 1)

        // A reply of the wrong kind is a bad reply, not a crash or a hang.
        let thirdCall = Task { try await client.status(AuditID.generate()) }
        let third = try #require(await server.receive())
        let thirdRequest = try QueryEnvelope.decode(third[2].data)
        let wrong = QueryReplyEnvelope(requestID: thirdRequest.requestID, reply: .health(Self.health(version: "x")))
        try await server.send([third[0], Frame(), Frame(wrong.encode())])
        let badReply = await #expect(throws: ClientError.self) { try await thirdCall.value }
        #expect(badReply?.code == .badReply)

        await client.close()
        await loop.shutdown()
    }

    @Test("concurrent calls on one client each get their own reply")
    func concurrentCalls() async throws {
        try await withWriter { _, client in
            let urls = (0..<8).map { "https://site\($0).example/" }
            let audits = try await withThrowingTaskGroup(of: (String, Audit).self) { group in
                for url in urls { group.addTask { (url, try await client.submit(url: url)) } }
                var audits: [String: Audit] = [:]
                for try await (url, audit) in group { audits[url] = audit }
                return audits
            }
            #expect(audits.count == urls.count)
            for (url, audit) in audits { #expect(audit.url == url) }
            #expect(Set(audits.values.map(\.id)).count == urls.count)
        }
    }

    private static func health(version: String) -> HealthReport {
        HealthReport(
            status: .ok, persistenceEnabled: false, database: .disabled, version: version, uptimeSeconds: 1,
            counts: AuditStatusCounts(), queueDepth: 0, connectedRunners: 0, memoryAudits: 0)
    }
}
