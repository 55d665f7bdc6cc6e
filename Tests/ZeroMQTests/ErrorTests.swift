import Foundation
import Testing
import ZeroMQ

/// Errors: what libzmq reports, how the binding names it, and what it says in a log line.
@Suite struct ErrorTests {
    @Test(arguments: ["not an endpoint", "tcp://", "tcp://127.0.0.1:notaport", "bogus://somewhere"])
    func invalidEndpointsAreRejected(endpoint: String) throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        let error = #expect(throws: ZMQError.self) { try socket.bind(endpoint) }
        #expect(error == .invalidArgument || error == .protocolNotSupported, "\(String(describing: error))")
        #expect(error?.operation == "zmq_bind(\(endpoint))")
        socket.close()
    }

    @Test func unknownTransportIsProtocolNotSupported() throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        #expect(throws: ZMQError.protocolNotSupported) { try socket.bind("bogus://somewhere") }
        #expect(throws: ZMQError.protocolNotSupported) { try socket.connect("bogus://somewhere") }
        socket.close()
    }

    @Test func bindingTheSamePortTwiceIsAddressInUse() throws {
        let context = try Context()
        let first = try Socket(context, type: .pull)
        let endpoint = try first.bindEphemeral()
        let second = try Socket(context, type: .pull)
        let error = #expect(throws: ZMQError.addressInUse) { try second.bind(endpoint) }
        #expect(error?.description.contains(endpoint) == true)

        try first.bind("inproc://taken")
        #expect(throws: ZMQError.addressInUse) { try second.bind("inproc://taken") }
        first.close()
        second.close()
    }

    @Test func operationsOnAClosedSocketThrowNotSocket() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        socket.close()

        #expect(throws: ZMQError.notSocket) { try socket.bind("inproc://closed") }
        #expect(throws: ZMQError.notSocket) { try socket.connect("inproc://closed") }
        #expect(throws: ZMQError.notSocket) { try socket.unbind("inproc://closed") }
        #expect(throws: ZMQError.notSocket) { try socket.disconnect("inproc://closed") }
        #expect(throws: ZMQError.notSocket) { try socket.send("text") }
        #expect(throws: ZMQError.notSocket) { try socket.send([1, 2] as [UInt8]) }
        #expect(throws: ZMQError.notSocket) { try socket.send(Frame("frame")) }
        #expect(throws: ZMQError.notSocket) { try socket.send([Frame("a"), Frame("b")]) }
        #expect(throws: ZMQError.notSocket) { try socket.receive(dontWait: true) }
        #expect(throws: ZMQError.notSocket) { try socket.receiveFrame(dontWait: true) }
        #expect(throws: ZMQError.notSocket) { try socket.set(.linger, .zero) }
        #expect(throws: ZMQError.notSocket) { try socket.get(.linger) }
        let error = #expect(throws: ZMQError.notSocket) { try socket.send("text") }
        #expect(error?.operation.contains("closed socket") == true)
        #expect(socket.lastEndpoint == nil)
        #expect(socket.hasMoreFrames == false)
    }

    @Test func socketTypeRefusesWhatItCannotDo() throws {
        let context = try Context()
        let publisher = try Socket(context, type: .pub)
        #expect(throws: ZMQError.notSupported) { try publisher.receive(dontWait: true) }
        let pull = try Socket(context, type: .pull)
        #expect(throws: ZMQError.notSupported) { try pull.send("nope", dontWait: true) }
        publisher.close()
        pull.close()
    }

    @Test func invalidOptionValuesAreRejected() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        // A routing id may not be empty (libzmq requires 1 to 255 bytes).
        #expect(throws: ZMQError.invalidArgument) { try socket.set(.routingID, []) }
        #expect(throws: ZMQError.invalidArgument) { try socket.set(.routingID, [UInt8](repeating: 1, count: 256)) }
        // A subscription on a socket that is not a SUB.
        #expect(throws: ZMQError.invalidArgument) { try socket.set(.subscribe, Array("topic".utf8)) }
        socket.close()
    }

    @Test func equalityAndHashingLookAtErrnoOnly() {
        let timedOut = ZMQError(errno: EAGAIN, operation: "zmq_msg_recv(PULL)")
        #expect(timedOut == .again)
        #expect(timedOut != .contextTerminated)
        #expect(timedOut.hashValue == ZMQError.again.hashValue)
        #expect(Set([timedOut, .again, ZMQError(errno: EAGAIN, operation: "other")]).count == 1)
        #expect(ZMQError.hostUnreachable.errno == EHOSTUNREACH)
        #expect(ZMQError.messageTooLarge.errno == EMSGSIZE)
    }

    @Test func descriptionNamesTheOperationAndTheErrno() {
        let error = ZMQError(errno: EADDRINUSE, operation: "zmq_bind(tcp://127.0.0.1:5555)")
        #expect(error.description.hasPrefix("zmq_bind(tcp://127.0.0.1:5555): "))
        #expect(error.description.hasSuffix("(errno \(EADDRINUSE))"))
        #expect(error.description.contains(error.message))
        #expect(!error.message.isEmpty)
        #expect(ZMQError.again.description == "\(ZMQError.again.message) (errno \(EAGAIN))")
        // libzmq's own errors get libzmq's own text.
        #expect(ZMQError.efsm.message.contains("state"))
    }

    @Test func thrownErrorsCarryTheFailingCall() throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        do throws(ZMQError) {
            try socket.bind("bogus://x")
            Issue.record("bind should have failed")
        } catch {
            #expect(error.operation == "zmq_bind(bogus://x)")
            #expect("\(error)".contains("zmq_bind(bogus://x)"))
        }
        socket.close()
    }
}
