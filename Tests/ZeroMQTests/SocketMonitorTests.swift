import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

/// Handshake refusals reported by ``SocketMonitor`` on both sides: the server sees who it
/// turned away, the client learns why it got nothing.
@Suite(.enabled(if: ZeroMQLibrary.has("curve"), "libzmq built without CURVE"), .timeLimit(.minutes(1)))
struct SocketMonitorTests {
    /// Events collected from a monitor's thread; ``wait(for:)`` blocks until one matches.
    final class EventLog: Sendable {
        private let events = Mutex<[SocketMonitor.Event]>([])
        private let arrived = DispatchSemaphore(value: 0)

        func record(_ event: SocketMonitor.Event) {
            events.withLock { $0.append(event) }
            arrived.signal()
        }

        var all: [SocketMonitor.Event] { events.withLock { $0 } }

        /// The first event matching `predicate`, waiting up to `limit` for it.
        func wait(for limit: Duration = .seconds(5), _ predicate: (SocketMonitor.Event) -> Bool) -> SocketMonitor.Event? {
            let deadline = ContinuousClock.now + limit
            while true {
                if let found = all.first(where: predicate) { return found }
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { return nil }
                _ = arrived.wait(timeout: .now() + .milliseconds(Int(remaining.components.seconds * 1000 + 1)))
            }
        }
    }

    /// A CURVE ROUTER admitting `allowed`, with a monitor on it.
    private struct GuardedServer {
        let keys: CurveKeyPair
        let authenticator: ZAPAuthenticator
        let socket: Socket
        let monitor: SocketMonitor
        let log = EventLog()
        let endpoint: String

        init(_ context: Context, allowing allowed: Set<CurveKey>) throws {
            keys = try CurveKeyPair.generate()
            authenticator = try ZAPAuthenticator(context: context, allowlists: ["test": allowed])
            socket = try Socket(context, type: .router)
            try socket.configureCurveServer(secretKey: keys.secretKey, zapDomain: "test")
            let log = self.log
            monitor = try SocketMonitor(watching: socket, events: .handshakeFailures) { log.record($0) }
            endpoint = try socket.bindEphemeral()
        }

        func close() {
            socket.close()
            monitor.stop()
            authenticator.stop()
        }
    }

    @Test func plaintextPeerIsReportedAsAMechanismMismatchOnBothSides() throws {
        let context = try Context()
        let server = try GuardedServer(context, allowing: [try CurveKeyPair.generate().publicKey])
        defer { server.close() }
        let client = try Socket(context, type: .dealer)
        let clientLog = EventLog()
        let clientMonitor = try SocketMonitor(watching: client, events: .handshakeFailures) { clientLog.record($0) }
        defer { clientMonitor.stop() }
        try client.connect(server.endpoint)
        try client.send("plaintext knock")

        let seen = try #require(server.log.wait { $0.kind == .handshakeFailedProtocol })
        #expect(seen.reason.contains("mechanism mismatch"), "\(seen.reason)")
        #expect(seen.endpoint.hasPrefix("tcp://127.0.0.1:"))
        let felt = try #require(clientLog.wait { $0.kind.isSubset(of: .handshakeFailures) })
        #expect(!felt.reason.isEmpty)
        client.close()
    }

    @Test func unlistedKeyIsReportedAsAnAuthenticationFailure() throws {
        let context = try Context()
        let server = try GuardedServer(context, allowing: [try CurveKeyPair.generate().publicKey])
        defer { server.close() }
        let client = try Socket(context, type: .dealer)
        let clientLog = EventLog()
        let clientMonitor = try SocketMonitor(watching: client, events: .handshakeFailures) { clientLog.record($0) }
        defer { clientMonitor.stop() }
        try client.configureCurveClient(serverKey: server.keys.publicKey, keyPair: try CurveKeyPair.generate())
        try client.connect(server.endpoint)

        let seen = try #require(server.log.wait { $0.kind == .handshakeFailedAuth })
        #expect(seen.value == 400, "the ZAP status is the event's value")
        #expect(seen.reason.contains("refused"))
        let felt = try #require(clientLog.wait { $0.kind == .handshakeFailedAuth })
        #expect(felt.value == 400)
        client.close()
    }

    @Test func wrongServerKeyIsReportedAsACryptographicFailure() throws {
        let context = try Context()
        let clientKeys = try CurveKeyPair.generate()
        let server = try GuardedServer(context, allowing: [clientKeys.publicKey])
        defer { server.close() }
        let client = try Socket(context, type: .dealer)
        try client.configureCurveClient(serverKey: try CurveKeyPair.generate().publicKey, keyPair: clientKeys)
        try client.connect(server.endpoint)

        let seen = try #require(server.log.wait { $0.kind.isSubset(of: .handshakeFailures) })
        #expect(seen.kind == .handshakeFailedProtocol)
        #expect(seen.reason.contains("decrypted"), "\(seen.reason)")
        client.close()
    }

    @Test func admittedPeerProducesNoFailureAndStopIsIdempotent() throws {
        let context = try Context()
        let clientKeys = try CurveKeyPair.generate()
        let server = try GuardedServer(context, allowing: [clientKeys.publicKey])
        let client = try Socket(context, type: .dealer)
        try client.failReceives()
        try server.socket.failReceives()
        try client.configureCurveClient(serverKey: server.keys.publicKey, keyPair: clientKeys)
        try client.connect(server.endpoint)
        try client.send("hello")
        let received = try server.socket.receive()
        #expect(received.count == 2)
        #expect(received.last?.string == "hello")
        #expect(server.log.all.isEmpty)
        server.monitor.stop()
        server.monitor.stop()
        client.close()
        server.close()
    }

    @Test func decodesTheEventFrames() throws {
        var header = [UInt8](repeating: 0, count: 6)
        withUnsafeBytes(of: UInt16(SocketMonitor.Kind.handshakeFailedAuth.rawValue)) { header.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: UInt32(400)) { header.replaceSubrange(2..<6, with: $0) }
        let event = try #require(SocketMonitor.decode([Frame(header), Frame("tcp://0.0.0.0:5556")]))
        #expect(event.kind == .handshakeFailedAuth)
        #expect(event.value == 400)
        #expect(event.endpoint == "tcp://0.0.0.0:5556")
        #expect(SocketMonitor.decode([Frame([1, 2] as [UInt8])]) == nil, "one frame is not an event")
        #expect(SocketMonitor.decode([Frame([1, 2, 3] as [UInt8]), Frame("x")]) == nil, "a short header is not an event")
    }
}
