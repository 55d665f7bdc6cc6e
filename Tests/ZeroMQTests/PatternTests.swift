import Testing
import ZeroMQ

/// The messaging patterns, each over real sockets on loopback TCP or inproc.
@Suite struct PatternTests {
    @Test func requestReplyRoundTrips() throws {
        let context = try Context()
        let rep = try Socket(context, type: .rep)
        try rep.failReceives()
        let endpoint = try rep.bindEphemeral()
        let req = try Socket(context, type: .req)
        try req.failReceives()
        try req.connect(endpoint)

        for round in 0..<3 {
            try req.send("question \(round)")
            #expect(strings(try rep.receive()) == ["question \(round)"])
            try rep.send("answer \(round)")
            #expect(strings(try req.receive()) == ["answer \(round)"])
        }
        req.close()
        rep.close()
    }

    @Test func requestSendingTwiceIsAStateMachineError() throws {
        let context = try Context()
        let rep = try Socket(context, type: .rep)
        try rep.bind("inproc://rep")
        let req = try Socket(context, type: .req)
        try req.connect("inproc://rep")

        try req.send("first")
        let error = #expect(throws: ZMQError.efsm) { try req.send("second") }
        #expect(error?.operation.contains("REQ") == true)
        req.close()
        rep.close()
    }

    @Test func routerSeesTheDealerRoutingIDAndRepliesToIt() throws {
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.failReceives()
        let endpoint = try router.bindEphemeral()
        var dealers: [String: Socket] = [:]
        for name in ["alice", "bob"] {
            let dealer = try Socket(context, type: .dealer)
            try dealer.set(.routingID, Array(name.utf8))
            #expect(try dealer.get(.routingID) == Array(name.utf8))
            try dealer.failReceives()
            try dealer.connect(endpoint)
            try dealer.send("from \(name)")
            dealers[name] = dealer
        }

        var seen: [String: String] = [:]
        for _ in 0..<2 {
            let message = try router.receive()
            try #require(message.count == 2)
            let sender = try #require(message[0].string)
            seen[sender] = message[1].string
            try router.send([message[0], Frame("reply to \(sender)")])
        }
        #expect(seen == ["alice": "from alice", "bob": "from bob"])
        for (name, dealer) in dealers {
            #expect(strings(try dealer.receive()) == ["reply to \(name)"])
            // Each reply went to its own peer only.
            #expect(throws: ZMQError.again) { try dealer.receive(dontWait: true) }
            dealer.close()
        }
        router.close()
    }

    @Test func mandatoryRouterRefusesAnUnknownPeer() throws {
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.set(.routerMandatory, true)
        try router.failReceives()
        try router.bind("inproc://router")
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, Array("known".utf8))
        try dealer.failReceives()
        try dealer.connect("inproc://router")

        #expect(throws: ZMQError.hostUnreachable) { try router.send([Frame("ghost"), Frame("hello")]) }

        // A connected peer is still reachable, so the error was about the id.
        try dealer.send("hi")
        #expect(strings(try router.receive()) == ["known", "hi"])
        try router.send([Frame("known"), Frame("ok")])
        #expect(strings(try dealer.receive()) == ["ok"])
        dealer.close()
        router.close()
    }

    @Test func routerWithoutMandatoryDropsUnknownPeersSilently() throws {
        let context = try Context()
        let router = try Socket(context, type: .router)
        try router.failReceives()
        try router.bind("inproc://lenient")
        #expect(throws: Never.self) { try router.send([Frame("ghost"), Frame("dropped")]) }

        // The dropped message went nowhere: a peer that connects later gets only its reply.
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, Array("ghost".utf8))
        try dealer.failReceives()
        try dealer.connect("inproc://lenient")
        try dealer.send("hello")
        #expect(strings(try router.receive()) == ["ghost", "hello"])
        try router.send([Frame("ghost"), Frame("reply")])
        #expect(strings(try dealer.receive()) == ["reply"])
        dealer.close()
        router.close()
    }

    @Test func pushPullDeliversAThousandMessagesInOrder() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.failReceives()
        let endpoint = try pull.bindEphemeral()
        let push = try Socket(context, type: .push)
        try push.connect(endpoint)

        let count = 1000
        for index in 0..<count { try push.send("message \(index)") }
        var received: [String] = []
        for _ in 0..<count { received += strings(try pull.receive()) }
        #expect(received == (0..<count).map { "message \($0)" })
        #expect(throws: ZMQError.again) { try pull.receive(dontWait: true) }
        push.close()
        pull.close()
    }

    @Test func subscriberGetsOnlyItsTopic() throws {
        let context = try Context()
        let publisher = try Socket(context, type: .pub)
        let endpoint = try publisher.bindEphemeral()
        let subscriber = try Socket(context, type: .sub)
        try subscriber.failReceives()
        try subscriber.set(.subscribe, Array("a".utf8))
        try subscriber.connect(endpoint)

        // PUB drops messages until the subscription has reached it: probe until one gets through.
        var poller = Poller()
        let item = poller.add(subscriber, events: .readable)
        var subscribed = false
        for attempt in 0..<200 where !subscribed {
            try publisher.send("a-probe \(attempt)")
            subscribed = try poller.poll(timeout: .milliseconds(10)) > 0 && poller.events(at: item).contains(.readable)
        }
        try #require(subscribed, "the subscription never reached the publisher")

        for topic in ["b-1", "a-1", "b-2", "a-2", "a-end"] { try publisher.send(topic) }
        var received: [String] = []
        while received.last != "a-end" {
            received += strings(try subscriber.receive())
        }
        #expect(received.filter { !$0.hasPrefix("a-probe") } == ["a-1", "a-2", "a-end"])
        #expect(!received.contains { $0.hasPrefix("b") })
        subscriber.close()
        publisher.close()
    }

    @Test func unsubscribingStopsDelivery() throws {
        let context = try Context()
        let publisher = try Socket(context, type: .pub)
        try publisher.bind("inproc://feed")
        let subscriber = try Socket(context, type: .sub)
        try subscriber.failReceives()
        try subscriber.set(.subscribe, Array("x".utf8))
        try subscriber.set(.subscribe, Array("y".utf8))
        try subscriber.connect("inproc://feed")
        try subscriber.set(.unsubscribe, Array("x".utf8))

        // Subscriptions travel the pipe in order: once a marker arrives, the publisher has
        // also processed the earlier unsubscription.
        try subscriber.set(.subscribe, Array("marker".utf8))
        var marked = false
        for attempt in 0..<200 where !marked {
            try publisher.send("marker \(attempt)")
            marked = try Poller.wait(for: subscriber, timeout: .milliseconds(10))
        }
        try #require(marked, "the marker subscription never reached the publisher")
        try publisher.send("x-gone")
        try publisher.send("y-kept")
        var received: [String] = []
        while received.last != "y-kept" { received += strings(try subscriber.receive()) }
        #expect(!received.contains("x-gone"))
        subscriber.close()
        publisher.close()
    }
}

extension Poller {
    /// Polls one socket for readability.
    static func wait(for socket: Socket, timeout: Duration) throws -> Bool {
        var poller = Poller()
        let index = poller.add(socket, events: .readable)
        return try poller.poll(timeout: timeout) > 0 && poller.events(at: index).contains(.readable)
    }
}
