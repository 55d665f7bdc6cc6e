import Testing
import ZeroMQ

/// Closing sockets and terminating contexts: nothing may hold up shutdown for long.
@Suite struct ShutdownTests {
    @Test func socketsGetAShortLingerByDefault() throws {
        let context = try Context()
        let socket = try Socket(context, type: .push)
        #expect(Socket.defaultLinger == .milliseconds(100))
        #expect(try socket.get(.linger) == Socket.defaultLinger)
        socket.close()
    }

    /// 1000 messages queued for a peer that never comes: with the default linger, closing the
    /// socket and terminating the context take about 100 ms, not forever.
    @Test(arguments: [true, false])
    func queuedMessagesDoNotHoldUpShutdown(closeExplicitly: Bool) async throws {
        let endpoint = try unusedTCPEndpoint(try Context())
        // Blocking work on its own thread, so a hang fails this test instead of the suite.
        let outcome = await awaitWithin(.seconds(4)) {
            await onThread { () -> Result<Duration, ZMQError> in
                Result { () throws(ZMQError) -> Duration in
                    let clock = ContinuousClock()
                    let start = clock.now
                    do {
                        let context = try Context()
                        let push = try Socket(context, type: .push)
                        try push.connect(endpoint)
                        for index in 0..<1000 { try push.send("queued \(index)", dontWait: true) }
                        if closeExplicitly { push.close() }
                    } // The socket (if still open) and the context deinitialise here.
                    return start.duration(to: clock.now)
                }
            }
        }
        let elapsed = try #require(outcome, "closing or terminating the context hung").get()
        #expect(elapsed < .seconds(2))
    }

    @Test func contextShutdownInterruptsABlockedReceive() async throws {
        let context = try Context()
        let (ready, signalReady) = AsyncStream.makeStream(of: Void.self)
        let receiver = Task {
            await onThread { () -> ZMQError? in
                do throws(ZMQError) {
                    let pull = try Socket(context, type: .pull)
                    defer { pull.close() }
                    // Bounded so that a shutdown that fails to interrupt ends in .again, not a hang.
                    try pull.set(.receiveTimeout, .seconds(3))
                    try pull.bind("inproc://blocked")
                    signalReady.yield()
                    _ = try pull.receive()
                    return nil
                } catch {
                    return error
                }
            }
        }
        var readiness = ready.makeAsyncIterator()
        _ = await readiness.next()

        context.shutdown()
        // Interrupted, not timed out: a receive that shutdown failed to wake ends in .again
        // after its 3 s timeout. (No wall-clock bound: a loaded machine may be slow to schedule.)
        let outcome = try #require(await awaitWithin(.seconds(10)) { await receiver.value })
        #expect(outcome == .contextTerminated)
    }

    @Test func afterShutdownEveryCallFailsWithContextTerminated() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.bind("inproc://shut")
        let push = try Socket(context, type: .push)
        try push.connect("inproc://shut")

        context.shutdown()
        #expect(throws: ZMQError.contextTerminated) { try push.send("late") }
        #expect(throws: ZMQError.contextTerminated) { try pull.receive(dontWait: true) }
        #expect(throws: ZMQError.contextTerminated) { _ = try Socket(context, type: .pair) }
        // The sockets can still be closed, and then the context terminates (at the end of the test).
        push.close()
        pull.close()
        #expect(push.isClosed && pull.isClosed)
    }

    @Test func closeIsIdempotent() throws {
        let context = try Context()
        let socket = try Socket(context, type: .dealer)
        #expect(!socket.isClosed)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
    }
}
