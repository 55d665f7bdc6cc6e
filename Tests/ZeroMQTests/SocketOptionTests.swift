import Testing
import ZeroMQ

/// Typed socket options: each value type round-trips through libzmq.
@Suite struct SocketOptionTests {
    @Test func integerOptionsRoundTrip() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        #expect(try socket.get(.sendHighWaterMark) == 1000)
        try socket.set(.sendHighWaterMark, 10)
        try socket.set(.receiveHighWaterMark, 20)
        try socket.set(.tcpKeepalive, 1)
        #expect(try socket.get(.sendHighWaterMark) == 10)
        #expect(try socket.get(.receiveHighWaterMark) == 20)
        #expect(try socket.get(.tcpKeepalive) == 1)
        #expect(try socket.get(.maxMessageSize) == -1)
        try socket.set(.maxMessageSize, 1 << 40)
        #expect(try socket.get(.maxMessageSize) == 1 << 40)
        socket.close()
    }

    @Test func booleanOptionsRoundTrip() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        #expect(try socket.get(.immediate) == false)
        try socket.set(.immediate, true)
        #expect(try socket.get(.immediate) == true)
        try socket.set(.ipv6, true)
        #expect(try socket.get(.ipv6) == true)
        socket.close()
    }

    @Test func durationOptionsRoundTripInWholeMilliseconds() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        try socket.set(.heartbeatInterval, .seconds(2))
        try socket.set(.reconnectInterval, .milliseconds(250))
        try socket.set(.handshakeInterval, .milliseconds(1500))
        try socket.set(.linger, .zero)
        try socket.set(.sendTimeout, .milliseconds(10))
        #expect(try socket.get(.heartbeatInterval) == .seconds(2))
        #expect(try socket.get(.reconnectInterval) == .milliseconds(250))
        #expect(try socket.get(.handshakeInterval) == .milliseconds(1500))
        #expect(try socket.get(.linger) == .zero)
        #expect(try socket.get(.sendTimeout) == .milliseconds(10))
        // Rounded up, never down to "don't wait"; negative durations clamp to zero.
        try socket.set(.linger, .microseconds(1500))
        #expect(try socket.get(.linger) == .milliseconds(2))
        try socket.set(.linger, .milliseconds(-5))
        #expect(try socket.get(.linger) == .zero)
        socket.close()
    }

    @Test func stringOptionsRoundTrip() throws {
        let context = try Context()
        let socket = try Socket(context, type: .router)
        #expect(socket.lastEndpoint == "")
        try socket.bind("inproc://named-endpoint")
        #expect(socket.lastEndpoint == "inproc://named-endpoint")
        try socket.set(.zapDomain, "runners")
        #expect(try socket.get(.zapDomain) == "runners")
        socket.close()
    }

    @Test func socketTypesMapToLibzmq() {
        for type in SocketType.allCases {
            #expect(SocketType(rawValue: type.rawValue) == type)
        }
        #expect(SocketType(rawValue: 999) == nil)
        #expect(SocketType.router.description == "ROUTER")
        #expect(ZeroMQLibrary.version.major == 4)
    }

    @Test func socketRemembersItsType() throws {
        let context = try Context()
        for type in SocketType.allCases {
            let socket = try Socket(context, type: type)
            #expect(socket.type == type)
            socket.close()
        }
    }
}
