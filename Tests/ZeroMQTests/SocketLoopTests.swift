import Testing
import ZeroMQ

/// SocketLoop and AsyncSocket: sockets owned by a dedicated thread, used from async code.
///
/// Every await on the network is bounded (``AsyncSocket/receive(within:)``, ``awaitWithin(_:_:)``)
/// so a lost message fails the test. Plain sockets used from a test body only ever wait for
/// work the loop thread does, never for another task of the cooperative pool.
@Suite struct SocketLoopTests {
    @Test func routerOnTheLoopTalksToAPlainDealer() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "router-test")
        let routerSocket = try Socket(context, type: .router)
        let endpoint = try routerSocket.bindEphemeral()
        let router = loop.register(routerSocket)

        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, Array("runner-1".utf8))
        try dealer.failReceives()
        try dealer.connect(endpoint)
        try dealer.send([Frame("job"), Frame("42")])

        let request = try #require(await router.receive(within: asyncLimit))
        #expect(strings(request) == ["runner-1", "job", "42"])
        try await router.send([request[0], Frame("done")])
        #expect(strings(try dealer.receive()) == ["done"])

        let statistics = router.statistics
        #expect(statistics.received == 1)
        #expect(statistics.sent == 1)
        #expect(statistics.failedSends == 0)
        dealer.close()
        await loop.shutdown()
    }

    @Test func echoServerOverTheMessagesSequence() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "echo-test")
        let routerSocket = try Socket(context, type: .router)
        let endpoint = try routerSocket.bindEphemeral()
        let server = loop.register(routerSocket)
        let dealerSocket = try Socket(context, type: .dealer)
        try dealerSocket.connect(endpoint)
        let client = loop.register(dealerSocket)

        let echo = Task {
            var served = 0
            for await message in server.messages {
                served += 1
                try? await server.send(message)
            }
            return served
        }

        let count = 50
        for index in 0..<count { try await client.send([Frame("echo \(index)"), Frame()]) }
        var replies: [[String]] = []
        for _ in 0..<count {
            replies.append(strings(try #require(await client.receive(within: asyncLimit))))
        }
        #expect(replies == (0..<count).map { ["echo \($0)", ""] })

        await server.close()
        let served = await awaitWithin(asyncLimit) { await echo.value }
        #expect(served == count, "close() must end the for-await loop")
        await loop.shutdown()
    }

    @Test func concurrentSendersAllArrive() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "fan-in-test")
        let pull = try Socket(context, type: .pull)
        try pull.failReceives()
        let endpoint = try pull.bindEphemeral()
        let pushSocket = try Socket(context, type: .push)
        try pushSocket.connect(endpoint)
        let push = loop.register(pushSocket)

        let tasks = 8, perTask = 200
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask { try await push.send([Frame("\(task)"), Frame("\(index)")]) }
                }
            }
            try await group.waitForAll()
        }
        #expect(push.statistics.sent == tasks * perTask)

        // Every send has been queued by libzmq; read them back on this side.
        var sequences = [[Int]](repeating: [], count: tasks)
        for _ in 0..<tasks * perTask {
            let message = strings(try pull.receive())
            try #require(message.count == 2)
            let task = try #require(Int(message[0]))
            sequences[task].append(try #require(Int(message[1])))
        }
        // All arrived, and each task's own messages kept their order.
        #expect(sequences == [[Int]](repeating: Array(0..<perTask), count: tasks))
        pull.close()
        await loop.shutdown()
    }

    @Test func fullBufferStopsReadingUntilTheReaderDrains() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "backpressure-test")
        let limit = 4, total = 100

        let pullSocket = try Socket(context, type: .pull)
        try pullSocket.bind("inproc://work")
        let incoming = loop.register(pullSocket, options: .init(receiveBufferLimit: limit))
        let barrier = try LoopBarrier(context, loop, name: "backpressure")

        let push = try Socket(context, type: .push)
        try push.connect("inproc://work")
        for index in 0..<total { try push.send("\(index)", dontWait: true) }

        // The loop has since polled repeatedly, so it has read all it was willing to.
        try await barrier.wait()
        try await barrier.wait()
        let readWhileFull = incoming.statistics.received
        #expect(readWhileFull >= 1, "the loop never read the socket")
        #expect(readWhileFull <= limit + 1, "the loop kept reading into a full buffer")

        var received: [String] = []
        for _ in 0..<total {
            guard let message = await incoming.receive(within: asyncLimit) else { break }
            received += strings(message)
        }
        #expect(received == (0..<total).map { "\($0)" })
        #expect(incoming.statistics.received == total)
        push.close()
        barrier.close()
        await loop.shutdown()
    }

    @Test func closeEndsTheMessagesSequenceAndFailsLaterSends() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "close-test")
        let socket = try Socket(context, type: .dealer)
        try socket.bind("inproc://closing")
        let dealer = loop.register(socket)

        let consumer = Task {
            var count = 0
            for await _ in dealer.messages { count += 1 }
            return count
        }
        await dealer.close()
        let consumed = await awaitWithin(asyncLimit) { await consumer.value }
        #expect(consumed == 0, "the for-await loop must finish when the socket closes")
        #expect(await dealer.receive() == nil)

        await #expect(throws: ZMQError.notSocket) { try await dealer.send([Frame("too late")]) }
        await dealer.close() // idempotent
        await loop.shutdown()
    }

    @Test func messagesBufferedBeforeCloseAreStillDelivered() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "drain-test")
        let pullSocket = try Socket(context, type: .pull)
        try pullSocket.bind("inproc://drain")
        let pull = loop.register(pullSocket)
        let barrier = try LoopBarrier(context, loop, name: "drain")

        let push = try Socket(context, type: .push)
        try push.connect("inproc://drain")
        for index in 0..<3 { try push.send("\(index)") }
        // By now the loop has moved the three messages into the buffer.
        try await barrier.wait()
        #expect(pull.statistics.received == 3)

        await pull.close()
        var drained: [String] = []
        for await message in pull.messages { drained += strings(message) }
        #expect(drained == ["0", "1", "2"])
        push.close()
        barrier.close()
        await loop.shutdown()
    }

    @Test func shutdownEndsEverythingAndLaterSendsFail() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "shutdown-test")
        let pullSocket = try Socket(context, type: .pull)
        try pullSocket.bind("inproc://shutdown")
        let pull = loop.register(pullSocket)
        let pushSocket = try Socket(context, type: .push)
        try pushSocket.connect("inproc://shutdown")
        let push = loop.register(pushSocket)

        let consumer = Task {
            for await _ in pull.messages {}
            return true
        }
        let finished: Void? = await awaitWithin(asyncLimit) { await loop.shutdown() }
        #expect(finished != nil, "shutdown() hung")
        #expect(await awaitWithin(asyncLimit) { await consumer.value } == true)

        await #expect(throws: ZMQError.contextTerminated) { try await push.send([Frame("late")]) }
        push.post([Frame("late too")])
        #expect(push.statistics.failedSends == 1)

        // After shutdown, registering closes the socket at once and yields an ended stream.
        let late = loop.register(try Socket(context, type: .pull))
        #expect(await late.receive() == nil)
        await late.close()
        await loop.shutdown() // idempotent, returns at once
    }

    @Test func contextShutdownStopsTheLoop() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "context-shutdown-test")
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://terminated")
        let pull = loop.register(socket)

        context.shutdown()
        // The loop sees ETERM, closes its sockets and ends their streams.
        #expect(await awaitWithin(asyncLimit) { await pull.receive() } == .some(nil))
        await #expect(throws: ZMQError.contextTerminated) { try await pull.send([Frame("x")]) }
        let finished: Void? = await awaitWithin(asyncLimit) { await loop.shutdown() }
        #expect(finished != nil, "shutdown() after ETERM hung")
    }

    @Test func postFailuresAreCounted() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "post-test")
        let socket = try Socket(context, type: .router)
        try socket.set(.routerMandatory, true)
        try socket.bind("inproc://post")
        let router = loop.register(socket)

        router.post([Frame("ghost"), Frame("one")])
        router.post([Frame("ghost"), Frame("two")])
        // Commands run in order: once this send has failed, both posts have been tried.
        await #expect(throws: ZMQError.hostUnreachable) { try await router.send([Frame("ghost"), Frame("three")]) }
        #expect(router.statistics.failedSends == 3)
        #expect(router.statistics.sent == 0)
        await loop.shutdown()
    }

    @Test func postAfterCloseIsCounted() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "post-close-test")
        let socket = try Socket(context, type: .push)
        try socket.bind("inproc://post-close")
        let push = loop.register(socket)

        await push.close()
        push.post([Frame("into the void")])
        // Commands run in order: once this send has failed, the post has been tried too.
        await #expect(throws: ZMQError.notSocket) { try await push.send([Frame("also lost")]) }
        // post() documents that "a failure is only counted (failedSends)".
        #expect(push.statistics.failedSends >= 1, "a post to a closed AsyncSocket was lost without being counted")
        await loop.shutdown()
    }

    @Test func sendToAnUnknownRouterPeerThrowsHostUnreachable() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "unreachable-test")
        let socket = try Socket(context, type: .router)
        try socket.set(.routerMandatory, true)
        try socket.bind("inproc://mandatory")
        let router = loop.register(socket)

        let error = await #expect(throws: ZMQError.hostUnreachable) {
            try await router.send([Frame("nobody"), Frame("hello")])
        }
        #expect(error?.description.isEmpty == false)
        #expect(router.statistics.failedSends == 1)
        await loop.shutdown()
    }

    @Test func oversizedMessagesAreDroppedAndCounted() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "max-frames-test")
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://frames")
        let pull = loop.register(socket, options: .init(maxFrames: 4))
        let push = try Socket(context, type: .push)
        try push.connect("inproc://frames")

        try push.send((0..<10).map { Frame("\($0)") })
        try push.send([Frame("a"), Frame("b"), Frame("c"), Frame("d")])
        #expect(await pull.receive(within: asyncLimit).map(strings) == ["a", "b", "c", "d"])
        #expect(pull.statistics.droppedOversized == 1)
        #expect(pull.statistics.received == 1)
        push.close()
        await loop.shutdown()
    }

    @Test func cancellingAWaitingReceiveReturnsNil() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "cancel-test")
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://cancel")
        let pull = loop.register(socket)

        let (started, signalStarted) = AsyncStream.makeStream(of: Void.self)
        let waiting = Task {
            signalStarted.yield()
            return await pull.receive()
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        waiting.cancel()
        let outcome = try #require(await awaitWithin(asyncLimit) { await waiting.value }, "cancellation did not end the receive")
        #expect(outcome == nil)

        // The socket is unharmed: the next message goes to the next reader.
        let push = try Socket(context, type: .push)
        try push.connect("inproc://cancel")
        try push.send("after cancel")
        #expect(await pull.receive(within: asyncLimit).map(strings) == ["after cancel"])
        push.close()
        await loop.shutdown()
    }

    @Test func alreadyCancelledTaskGetsNilAtOnce() async throws {
        let context = try Context()
        let loop = try SocketLoop(name: "cancelled-test")
        let socket = try Socket(context, type: .pull)
        try socket.bind("inproc://cancelled")
        let pull = loop.register(socket)

        let waiting = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await pull.receive()
        }
        let outcome = try #require(await awaitWithin(asyncLimit) { await waiting.value })
        #expect(outcome == nil)
        await loop.shutdown()
    }
}
