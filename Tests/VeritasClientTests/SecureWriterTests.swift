import Foundation
import Testing
import VeritasClient
import VeritasProtocol
import VeritasTestSupport
import VeritasWriter
import ZeroMQ

/// A writer given CURVE keys: every endpoint requires CURVE and admits only listed keys; runners
/// and clients are separate allowlists; refusals are counted in `health` and logged.
@Suite("CURVE on every endpoint", .timeLimit(.minutes(1)))
struct SecureWriterTests {
    /// Key files as `veritas keygen` writes them: the writer's pair, allowlist folders of runner
    /// and client public keys, and peers' secret files.
    struct Keys {
        let folder: TemporaryFolder
        let writer: CurveKeyPair
        let writerPublicFile: String
        let writerSecretFile: String
        let runnerSecretFile: String
        let clientSecretFile: String
        let strangerSecretFile: String

        init() throws {
            folder = try TemporaryFolder("veritas-curve")
            let root = folder.url.path
            writer = try CurveKeyPair.generate()
            (writerPublicFile, writerSecretFile) = try CurveCertificate.write(writer, name: "writer", in: "\(root)/writer")
            // Each peer keeps its secret file; its public file goes into the writer's allowlist.
            runnerSecretFile = try CurveCertificate.write(try CurveKeyPair.generate(), name: "runner-1", in: "\(root)/runners").secretFile
            clientSecretFile = try CurveCertificate.write(try CurveKeyPair.generate(), name: "alice", in: "\(root)/clients").secretFile
            strangerSecretFile = try CurveCertificate.write(try CurveKeyPair.generate(), name: "mallory", in: "\(root)/strangers").secretFile
        }

        var runnerKeys: String { folder.url.appendingPathComponent("runners").path }
        var clientKeys: String { folder.url.appendingPathComponent("clients").path }

        func credentials(_ secretFile: String) throws -> CurveClientCredentials {
            try CurveClientCredentials(secretKeyFile: secretFile, serverKeyFile: writerPublicFile)
        }
    }

    /// Expects a runner's hello to be refused. How it fails depends on when the refused CURVE
    /// handshake tears the connection down: the hello is queued and no welcome comes
    /// (``ScriptedRunnerError``), or no connection is left to queue it on and the send times out
    /// (``ZMQError/again``). Either is the refusal; any other error is not.
    private static func expectHelloRefused(_ runner: ScriptedRunner, sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try await runner.hello() }
        #expect(error is ScriptedRunnerError || (error as? ZMQError) == .again,
                "a refused hello fails by no welcome or a send timeout, not: \(String(describing: error))", sourceLocation: sourceLocation)
    }

    private func withSecureWriter(_ body: (InProcessWriter, Keys, LogCapture) async throws -> Void) async throws {
        let keys = try Keys()
        defer { keys.folder.remove() }
        let data = try TemporaryFolder("veritas-curve-data")
        defer { data.remove() }
        let logs = LogCapture()
        let writer = try await InProcessWriter.start(dataDirectory: data.url, logs: logs) { configuration in
            configuration.curveSecretKeyFile = keys.writerSecretFile
            configuration.curveRunnerKeys = keys.runnerKeys
            configuration.curveClientKeys = keys.clientKeys
            configuration.runnerSilentTimeoutMilliseconds = 60_000
        }
        do {
            try await body(writer, keys, logs)
        } catch {
            try? await writer.stop()
            throw error
        }
        try await writer.stop()
    }

    @Test("listed client and runner: a whole audit over CURVE; health says curve")
    func listedPeersWork() async throws {
        try await withSecureWriter { writer, keys, logs in
            let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3), curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await client.close() } }
            let health = try await client.health()
            #expect(health.curveEnabled)
            #expect(health.refusedConnections == 0)

            let watcher = try FeedWatcher(endpoint: writer.endpoints.feed, auditID: nil, curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await watcher.close() } }
            // The feed is up once a submit's `queued` message reaches the watcher.
            var audit = try await client.submit(url: "https://secure.example/", tier: .quick)
            var queued = await watcher.next(timeout: .seconds(2))
            for _ in 0..<10 where queued == nil {
                audit = try await client.submit(url: "https://secure.example/", tier: .quick)
                queued = await watcher.next(timeout: .milliseconds(500))
            }
            #expect(queued?.event == .queued, "the listed client's feed subscription delivers over CURVE")

            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "runner-curve", curve: try keys.credentials(keys.runnerSecretFile))
            defer { Task { await runner.close() } }
            try await runner.hello(capacity: 20)
            var finished = Set<AuditID>()
            while !finished.contains(audit.id) {
                let job = try await runner.nextJob()
                try await runner.complete(job)
                finished.insert(job.auditID)
            }
            #expect(try await client.status(audit.id).status == .completed)
            #expect(logs.records("writer ready").first?.metadata["curve"] == "true")
            #expect(logs.records("CURVE on every endpoint").count == 1)
        }
    }

    @Test("a plaintext client is refused, told why, counted and logged")
    func plaintextClientIsRefused() async throws {
        try await withSecureWriter { writer, keys, logs in
            let plaintext = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(5))
            defer { Task { await plaintext.close() } }
            let error = await #expect(throws: ClientError.self) { _ = try await plaintext.health() }
            #expect(error?.code == .unreachable)
            #expect(error?.message.contains("refused the connection") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("--writer-key") == true, "the message says how to connect: \(error?.message ?? "")")

            let listed = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3), curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await listed.close() } }
            #expect(try await listed.health().refusedConnections >= 1)
            let refusals = logs.records("connection refused")
            // Usually "mechanism mismatch"; a peer that hangs up first leaves a plainer reason.
            #expect(refusals.contains { $0.metadata["endpoint"] == "queries" && $0.metadata["reason"] != nil },
                    "\(refusals.map(\.metadata))")
        }
    }

    @Test("an unlisted key is refused on every endpoint, and the refusal names the key")
    func unlistedKeyIsRefused() async throws {
        try await withSecureWriter { writer, keys, logs in
            let strangerCredentials = try keys.credentials(keys.strangerSecretFile)
            let stranger = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(5), curve: strangerCredentials)
            defer { Task { await stranger.close() } }
            let error = await #expect(throws: ClientError.self) { _ = try await stranger.health() }
            #expect(error?.code == .unreachable)
            #expect(error?.message.contains("allowlist") == true, "\(error?.message ?? "")")

            let refused = logs.records("connection refused").filter { $0.metadata["client_key"] == strangerCredentials.keyPair.publicKey.z85 }
            #expect(refused.contains { $0.metadata["domain"] == WriterSecurity.clientsDomain && $0.metadata["reason"] == "key is not on the allowlist" })

            // The same stranger on the runners endpoint gets no welcome, and is logged there too.
            let runner = try ScriptedRunner(endpoint: writer.endpoints.runners, name: "runner-stranger", curve: strangerCredentials)
            defer { Task { await runner.close() } }
            await Self.expectHelloRefused(runner)
            #expect(logs.records("connection refused").contains {
                $0.metadata["domain"] == WriterSecurity.runnersDomain && $0.metadata["client_key"] == strangerCredentials.keyPair.publicKey.z85
            })
        }
    }

    @Test("runner and client allowlists are separate: a runner key cannot query, a client key cannot feed events")
    func domainsAreSeparate() async throws {
        try await withSecureWriter { writer, keys, _ in
            let runnerAsClient = try WriterClient(
                endpoint: writer.endpoints.queries, timeout: .seconds(5), curve: try keys.credentials(keys.runnerSecretFile))
            defer { Task { await runnerAsClient.close() } }
            let error = await #expect(throws: ClientError.self) { _ = try await runnerAsClient.health() }
            #expect(error?.code == .unreachable)

            let clientAsRunner = try ScriptedRunner(
                endpoint: writer.endpoints.runners, name: "runner-impostor", curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await clientAsRunner.close() } }
            await Self.expectHelloRefused(clientAsRunner)

            let listed = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3), curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await listed.close() } }
            let health = try await listed.health()
            #expect(health.refusedConnections >= 2)
            #expect(health.connectedRunners == 0)
        }
    }

    @Test("a plaintext feed subscriber gets nothing while a listed one gets the message")
    func plaintextFeedGetsNothing() async throws {
        try await withSecureWriter { writer, keys, _ in
            let client = try WriterClient(endpoint: writer.endpoints.queries, timeout: .seconds(3), curve: try keys.credentials(keys.clientSecretFile))
            defer { Task { await client.close() } }
            let listed = try FeedWatcher(endpoint: writer.endpoints.feed, auditID: nil, curve: try keys.credentials(keys.clientSecretFile))
            let plaintext = try FeedWatcher(endpoint: writer.endpoints.feed, auditID: nil)
            defer { Task { await listed.close(); await plaintext.close() } }
            var received: FeedMessage?
            for _ in 0..<20 where received == nil {
                _ = try await client.submit(url: "https://feed.example/", tier: .quick)
                received = await listed.next(timeout: .milliseconds(300))
            }
            #expect(received != nil, "the listed subscriber receives over CURVE")
            // Everything published so far reached the listed subscriber; the plaintext one has none of it.
            #expect(await plaintext.next(timeout: .milliseconds(300)) == nil)
        }
    }

    @Test("configuration: CURVE needs all three settings; unreadable keys stop the start-up")
    func configurationIsChecked() async throws {
        let partial = #expect(throws: ConfigurationError.self) {
            _ = try WriterConfiguration.load(file: nil, environment: ["VERITAS_CURVE_SECRET_KEY_FILE": "/keys/writer.key_secret"])
        }
        #expect(partial?.description.contains("security.runner_keys") == true)

        let keys = try Keys()
        defer { keys.folder.remove() }
        let data = try TemporaryFolder("veritas-curve-bad")
        defer { data.remove() }
        // The public file instead of the secret one: refused before any endpoint is bound.
        await #expect(throws: (any Error).self) {
            let writer = try await InProcessWriter.start(dataDirectory: data.url) { configuration in
                configuration.curveSecretKeyFile = keys.writerPublicFile
                configuration.curveRunnerKeys = keys.runnerKeys
                configuration.curveClientKeys = keys.clientKeys
            }
            try await writer.stop()
        }
        #expect(!FileManager.default.fileExists(atPath: data.url.appendingPathComponent("veritas.sqlite").path), "nothing was opened")
    }
}
