import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

/// Z85, CURVE keys, and CURVE servers guarded by the ZAP allowlist.
@Suite struct Z85Tests {
    @Test func encodesTheSpecificationVector() throws {
        // ZeroMQ RFC 32: these 8 bytes are "HelloWorld".
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(bytes) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == bytes)
    }

    @Test func roundTripsArbitraryBytes() throws {
        for count in [0, 4, 32, 400] {
            let bytes = randomBytes(count)
            let text = try Z85.encode(bytes)
            #expect(text.utf8.count == count / 4 * 5)
            #expect(try Z85.decode(text) == bytes)
        }
        #expect(try Z85.encode([0, 0, 0, 0]) == "00000")
        #expect(try Z85.encode([0xFF, 0xFF, 0xFF, 0xFF]) == "%nSc0")
    }

    @Test func rejectsBadLengths() {
        #expect(throws: Z85.Error.self) { try Z85.encode([1, 2, 3]) }
        #expect(throws: Z85.Error.self) { try Z85.decode("Hell") }
        #expect(throws: Z85.Error.self) { try Z85.decode("HelloWorld!") }
    }

    @Test(arguments: ["Hello Worl", "Hello~orld", "Hell\"World", "héllo"])
    func rejectsCharactersOutsideTheAlphabet(text: String) {
        let error = #expect(throws: Z85.Error.self) { try Z85.decode(text) }
        #expect(error?.description.contains("character") == true || error?.description.contains("length") == true)
    }

    @Test func rejectsGroupsThatOverflowThirtyTwoBits() {
        // "#####" is 85^5 - 1, larger than UInt32.max; "%nSc0" is exactly UInt32.max.
        #expect(throws: Z85.Error.self) { try Z85.decode("#####") }
        #expect(throws: Z85.Error.self) { try Z85.decode("%nSc1") }
    }
}

@Suite(.enabled(if: ZeroMQLibrary.has("curve"), "libzmq built without CURVE"))
struct CurveKeyTests {
    @Test func generatedPairsAreFortyCharacterKeys() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.utf8.count == 40)
        #expect(pair.secretKey.z85.utf8.count == 40)
        #expect(pair.publicKey.bytes.count == 32)
        #expect(pair.publicKey != pair.secretKey)
        #expect(try CurveKeyPair.generate() != pair, "each pair is fresh")
    }

    @Test func publicKeyIsDerivedFromTheSecret() throws {
        let pair = try CurveKeyPair.generate()
        let derived = try CurveKeyPair(secretKey: pair.secretKey)
        #expect(derived.publicKey == pair.publicKey)
        #expect(derived == pair)
    }

    @Test func keysParseFromTextWithSurroundingWhitespace() throws {
        let pair = try CurveKeyPair.generate()
        let text = pair.publicKey.z85
        #expect(try CurveKey(z85: "  \(text)\n") == pair.publicKey)
        #expect(try CurveKey(bytes: pair.publicKey.bytes) == pair.publicKey)
        #expect(pair.publicKey.description == text)
    }

    @Test func malformedKeysAreRejected() throws {
        let text = try CurveKeyPair.generate().publicKey.z85
        #expect(throws: Z85.Error.self) { try CurveKey(z85: String(text.dropLast())) }
        #expect(throws: Z85.Error.self) { try CurveKey(z85: text + "00000") }
        #expect(throws: Z85.Error.self) { try CurveKey(z85: String(text.dropLast()) + " ") }
        #expect(throws: Z85.Error.self) { try CurveKey(z85: String(text.dropLast()) + "~") }
        #expect(throws: Z85.Error.self) { try CurveKey(bytes: [UInt8](repeating: 1, count: 31)) }
    }

    @Test func keysRoundTripThroughSocketOptions() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        let pair = try CurveKeyPair.generate()
        try socket.set(.curvePublicKey, pair.publicKey)
        try socket.set(.curveSecretKey, pair.secretKey)
        #expect(try socket.get(.curvePublicKey) == pair.publicKey)
        #expect(try socket.get(.curveSecretKey) == pair.secretKey)
        socket.close()
    }
}

@Suite(.enabled(if: ZeroMQLibrary.has("curve"), "libzmq built without CURVE"))
struct ZAPDecisionTests {
    let client: CurveKey
    let allowlists: [String: Set<CurveKey>]

    init() throws {
        client = try CurveKeyPair.generate().publicKey
        allowlists = ["runners": [client]]
    }

    @Test func admitsAListedCurveKey() {
        let verdict = ZAPAuthenticator.decide(
            domain: "runners", mechanism: "CURVE", credentials: [Frame(client.bytes)], allowlists: allowlists
        )
        #expect(verdict.allowed)
        #expect(verdict.key == client)
    }

    @Test func refusesAnUnlistedKey() throws {
        let stranger = try CurveKeyPair.generate().publicKey
        let verdict = ZAPAuthenticator.decide(
            domain: "runners", mechanism: "CURVE", credentials: [Frame(stranger.bytes)], allowlists: allowlists
        )
        #expect(!verdict.allowed)
        #expect(verdict.key == stranger)
        #expect(verdict.reason.contains("not on the allowlist"))
    }

    @Test func refusesAListedKeyInAnotherDomain() {
        let verdict = ZAPAuthenticator.decide(
            domain: "queries", mechanism: "CURVE", credentials: [Frame(client.bytes)], allowlists: allowlists
        )
        #expect(!verdict.allowed)
        #expect(verdict.key == client)
        #expect(verdict.reason.contains("queries"))
    }

    @Test(arguments: ["NULL", "PLAIN", "curve", ""])
    func refusesOtherMechanisms(mechanism: String) {
        let verdict = ZAPAuthenticator.decide(
            domain: "runners", mechanism: mechanism, credentials: [Frame(client.bytes)], allowlists: allowlists
        )
        #expect(!verdict.allowed)
        #expect(verdict.key == nil)
    }

    @Test func refusesMissingOrMalformedCredentials() {
        for credentials in [[], [Frame()], [Frame(client.bytes.dropLast())], [Frame(client.bytes + [0])]] {
            let verdict = ZAPAuthenticator.decide(
                domain: "runners", mechanism: "CURVE", credentials: credentials, allowlists: allowlists
            )
            #expect(!verdict.allowed)
            #expect(verdict.key == nil)
        }
    }
}

/// Records the authenticator's decisions and lets a test wait for the next one.
private final class DecisionLog: Sendable {
    private let decisions = Mutex<[ZAPAuthenticator.Decision]>([])
    private let arrived = DispatchSemaphore(value: 0)

    func record(_ decision: ZAPAuthenticator.Decision) {
        decisions.withLock { $0.append(decision) }
        arrived.signal()
    }

    /// Waits (bounded) until a decision has been recorded.
    func waitForDecision() -> Bool {
        arrived.wait(timeout: .now() + .seconds(2)) == .success
    }

    var all: [ZAPAuthenticator.Decision] { decisions.withLock { $0 } }
}

@Suite(.enabled(if: ZeroMQLibrary.has("curve"), "libzmq built without CURVE"))
struct CurveHandshakeTests {
    static let domain = "tests"

    /// A CURVE REP server behind an authenticator that admits `allowed`.
    private struct Server {
        let keys: CurveKeyPair
        let log: DecisionLog
        let authenticator: ZAPAuthenticator
        let socket: Socket
        let endpoint: String

        init(_ context: Context, allowing allowed: Set<CurveKey>) throws {
            keys = try CurveKeyPair.generate()
            let log = DecisionLog()
            self.log = log
            // The ZAP handler must be bound before the guarded socket binds.
            authenticator = try ZAPAuthenticator(
                context: context, allowlists: [CurveHandshakeTests.domain: allowed], onDecision: { log.record($0) }
            )
            socket = try Socket(context, type: .rep)
            try socket.configureCurveServer(secretKey: keys.secretKey, zapDomain: CurveHandshakeTests.domain)
            #expect(try socket.get(.curveServer))
            #expect(try socket.get(.zapDomain) == CurveHandshakeTests.domain)
            endpoint = try socket.bindEphemeral()
        }

        func close() {
            socket.close()
            authenticator.stop()
        }
    }

    /// Whether any of `sockets` becomes readable within `timeout`.
    private static func anyReadable(_ sockets: [Socket], within timeout: Duration) throws -> Bool {
        var poller = Poller()
        for socket in sockets { poller.add(socket, events: .readable) }
        return try poller.poll(timeout: timeout) > 0
    }

    @Test func listedClientIsAdmitted() throws {
        let context = try Context()
        let clientKeys = try CurveKeyPair.generate()
        let server = try Server(context, allowing: [clientKeys.publicKey])
        try server.socket.failReceives()
        let client = try Socket(context, type: .req)
        try client.failReceives()
        try client.configureCurveClient(serverKey: server.keys.publicKey, keyPair: clientKeys)
        try client.connect(server.endpoint)

        try client.send("hello over curve")
        #expect(strings(try server.socket.receive()) == ["hello over curve"])
        try server.socket.send("welcome")
        #expect(strings(try client.receive()) == ["welcome"])

        let decision = try #require(server.log.all.first)
        #expect(decision.allowed)
        #expect(decision.mechanism == "CURVE")
        #expect(decision.domain == Self.domain)
        #expect(decision.clientKey == clientKeys.publicKey)
        #expect(decision.address == "127.0.0.1")
        #expect(decision.description.hasPrefix("admitted CURVE peer 127.0.0.1"))
        #expect(server.authenticator.statistics.allowed == 1)
        #expect(server.authenticator.statistics.refused == 0)
        client.close()
        server.close()
    }

    @Test func unlistedClientIsRefused() throws {
        let context = try Context()
        let listed = try CurveKeyPair.generate()
        let intruder = try CurveKeyPair.generate()
        let server = try Server(context, allowing: [listed.publicKey])
        let client = try Socket(context, type: .req)
        try client.configureCurveClient(serverKey: server.keys.publicKey, keyPair: intruder)
        try client.connect(server.endpoint)
        try client.send("let me in")

        #expect(server.log.waitForDecision(), "the authenticator was never asked")
        #expect(try !Self.anyReadable([server.socket, client], within: .milliseconds(300)))
        let decision = try #require(server.log.all.first)
        #expect(!decision.allowed)
        #expect(decision.clientKey == intruder.publicKey)
        #expect(decision.reason == "key is not on the allowlist")
        #expect(server.authenticator.statistics.allowed == 0)
        #expect(server.authenticator.statistics.refused >= 1)
        client.close()
        server.close()
    }

    @Test func plaintextClientGetsNothing() throws {
        let context = try Context()
        let server = try Server(context, allowing: [try CurveKeyPair.generate().publicKey])
        let client = try Socket(context, type: .req)
        try client.connect(server.endpoint)
        try client.send("no curve here")

        #expect(try !Self.anyReadable([server.socket, client], within: .milliseconds(300)))
        #expect(server.authenticator.statistics.allowed == 0)
        client.close()
        server.close()
    }

    @Test func clientPinningTheWrongServerKeyGetsNothing() throws {
        let context = try Context()
        let clientKeys = try CurveKeyPair.generate()
        let server = try Server(context, allowing: [clientKeys.publicKey])
        let impostorKey = try CurveKeyPair.generate().publicKey
        let client = try Socket(context, type: .req)
        try client.configureCurveClient(serverKey: impostorKey, keyPair: clientKeys)
        try client.connect(server.endpoint)
        try client.send("who are you?")

        #expect(try !Self.anyReadable([server.socket, client], within: .milliseconds(300)))
        #expect(server.authenticator.statistics.allowed == 0)
        client.close()
        server.close()
    }

    @Test func oneAuthenticatorPerContext() throws {
        let context = try Context()
        let first = try ZAPAuthenticator(context: context, allowlists: [:])
        #expect(throws: ZMQError.addressInUse) { _ = try ZAPAuthenticator(context: context, allowlists: [:]) }
        #expect(first.statistics.allowed == 0 && first.statistics.refused == 0)
        first.stop()
        first.stop() // idempotent
    }
}
