import Testing
import ZeroMQ

/// `AsyncSocket.receive(upTo:timeout:)`: the batch receive that group commit is built on.
@Suite struct AsyncBatchReceiveTests {
    /// A PULL on a fresh loop, its plain PUSH peer, and a barrier on the same loop.
    private struct Fixture {
        let context: Context
        let loop: SocketLoop
        let pull: AsyncSocket
        let push: Socket
        let barrier: LoopBarrier

        init(_ name: String) throws {
            context = try Context()
            loop = try SocketLoop(name: name)
            let socket = try Socket(context, type: .pull)
            try socket.bind("inproc://\(name)")
            pull = loop.register(socket)
            push = try Socket(context, type: .push)
            try push.connect("inproc://\(name)")
            barrier = try LoopBarrier(context, loop, name: name)
        }

        func finish() async {
            push.close()
            barrier.close()
            await loop.shutdown()
        }
    }

    @Test func returnsAnEmptyBatchWhenTheTimeoutPasses() async throws {
        let fixture = try Fixture("batch-timeout")
        let pull = fixture.pull
        let clock = ContinuousClock()
        let start = clock.now
        let batch = await awaitWithin(asyncLimit) { await pull.receive(upTo: 10, timeout: .milliseconds(100)) }
        let elapsed = start.duration(to: clock.now)
        #expect(batch == .some([]), "an empty batch, not nil: the socket is still open")
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < asyncLimit, "the timeout must end the wait")
        await fixture.finish()
    }

    @Test func takesWhatIsBufferedInOrderUpToTheMaximum() async throws {
        let fixture = try Fixture("batch-buffered")
        for index in 0..<10 { try fixture.push.send("\(index)") }
        try await fixture.barrier.wait()
        try #require(fixture.pull.statistics.received == 10)

        var batches: [[String]] = []
        for _ in 0..<3 {
            let batch = await fixture.pull.receive(upTo: 4, timeout: .milliseconds(100))
            batches.append(try #require(batch).map { strings($0).joined() })
        }
        #expect(batches == [["0", "1", "2", "3"], ["4", "5", "6", "7"], ["8", "9"]])
        await fixture.finish()
    }

    @Test func aMessageArrivingDuringTheWaitIsReturned() async throws {
        let fixture = try Fixture("batch-wait")
        let pull = fixture.pull
        let waiting = Task { await pull.receive(upTo: 10, timeout: .seconds(3)) }
        try fixture.push.send("late but welcome")
        let batch = try #require(await awaitWithin(asyncLimit) { await waiting.value })
        #expect(batch.map { $0.map(strings) } == [["late but welcome"]])
        await fixture.finish()
    }

    @Test func returnsNilOnceClosedAndDrained() async throws {
        let fixture = try Fixture("batch-closed")
        for index in 0..<3 { try fixture.push.send("\(index)") }
        try await fixture.barrier.wait()
        await fixture.pull.close()

        // What was buffered before the close is still handed out, then the stream ends.
        let last = await fixture.pull.receive(upTo: 10, timeout: .milliseconds(100))
        #expect(last.map { $0.map(strings) } == [["0"], ["1"], ["2"]])
        #expect(await fixture.pull.receive(upTo: 10, timeout: .milliseconds(100)) == nil)
        await fixture.finish()
    }

    @Test func closeWhileWaitingEndsTheWaitWithNil() async throws {
        let fixture = try Fixture("batch-close-wait")
        let pull = fixture.pull
        let (started, signalStarted) = AsyncStream.makeStream(of: Void.self)
        let waiting = Task {
            signalStarted.yield()
            return await pull.receive(upTo: 10, timeout: .seconds(60))
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        await pull.close()

        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try #require(await awaitWithin(asyncLimit) { await waiting.value })
        #expect(outcome == nil)
        #expect(start.duration(to: clock.now) < asyncLimit, "close must not wait for the 60 s timeout")
        await fixture.finish()
    }
}
