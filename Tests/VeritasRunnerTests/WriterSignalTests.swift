import Foundation
import Testing
import VeritasProtocol
import VeritasTestSupport
import ZeroMQ
@testable import VeritasRunner

/// How a real runner answers the writer's signals, against a scripted writer (a ROUTER).
@Suite("runner: the writer's signals")
struct WriterSignalTests {
    @Test("not_registered makes the runner say hello again; any other error does not")
    func notRegisteredMeansHello() async throws {
        let folder = try TemporaryFolder("writer-signals")
        defer { folder.remove() }
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try #require(router.lastEndpoint)
        let loop = try SocketLoop(name: "scripted-writer")
        let writer = loop.register(router)
        let runner = try await InProcessRunner.start(dataDirectory: folder.url, writer: endpoint)

        /// The next `hello` the runner sends, and the connection it came on.
        func nextHello() async throws -> Frame {
            for _ in 0..<200 {
                let frames = try #require(await writer.receive(), "the runner went quiet")
                if case .hello = try RunnerMessage.decode(frames: frames.dropFirst().map(\.data)) { return frames[0] }
            }
            throw RunnerTestError(description: "no hello among the runner's messages")
        }
        func say(_ message: WriterMessage, to routing: Frame) async throws {
            try await writer.send([routing, Frame(message.encode())])
        }

        let first = try await nextHello()
        let writerID = try RunnerID("scripted-writer")
        try await say(.welcome(WriterWelcome(writerID: writerID, heartbeatIntervalMilliseconds: 100, heartbeatTimeoutMilliseconds: 5_000)), to: first)
        // An ordinary error is logged, not a reason to start over: the runner goes on heartbeating.
        try await say(.error(ProtocolError(.badRequest, "something the runner sent was wrong")), to: first)
        let before = runner.handle.link.statistics.connections
        try await say(.error(ProtocolError(.notRegistered, "runner said bye; send hello to take jobs again")), to: first)
        _ = try await nextHello()
        #expect(runner.handle.link.statistics.connections > before, "a new connection, then hello")

        try await runner.stop()
        await loop.shutdown()
    }
}
