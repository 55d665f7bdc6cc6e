import Testing
import ZeroMQ

/// Multipart messages: sent and received as one unit, frame boundaries and empty frames kept.
@Suite struct MultipartTests {
    @Test func fiveFramesArriveAsOneMessage() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        let message = [
            Frame("header"), Frame((0...255).map { UInt8($0) }), Frame(), Frame(randomBytes(4096)), Frame("end"),
        ]
        try sender.send(message)
        try sender.send("next message")

        let received = try receiver.receive()
        #expect(received.count == 5)
        #expect(received == message)
        #expect(received.map(\.count) == [6, 256, 0, 4096, 3])
        #expect(receiver.hasMoreFrames == false)
        #expect(strings(try receiver.receive()) == ["next message"])
        sender.close()
        receiver.close()
    }

    @Test func emptyFramesArePreserved() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send([Frame(), Frame(), Frame("middle"), Frame([UInt8]()), Frame("")])
        try sender.send([Frame()])

        let received = try receiver.receive()
        #expect(received.map(\.count) == [0, 0, 6, 0, 0])
        #expect(received.map(\.isEmpty) == [true, true, false, true, true])
        #expect(received[2].string == "middle")
        let lone = try receiver.receive()
        #expect(lone.count == 1 && lone[0].isEmpty)
        sender.close()
        receiver.close()
    }

    @Test func tooManyFramesThrowAndTheNextMessageIsIntact() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send((0..<100).map { Frame("part \($0)") })
        try sender.send([Frame("after"), Frame("the flood")])

        #expect(throws: ZMQError.messageTooLarge) { try receiver.receive(maxFrames: 10) }
        // The rest of the oversized message was discarded, not left to corrupt the next one.
        #expect(strings(try receiver.receive(maxFrames: 10)) == ["after", "the flood"])
        #expect(throws: ZMQError.again) { try receiver.receive(dontWait: true) }
        sender.close()
        receiver.close()
    }

    @Test func maxFramesAllowsExactlyThatMany() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send((0..<10).map { Frame("\($0)") })
        #expect(try receiver.receive(maxFrames: 10).count == 10)
        sender.close()
        receiver.close()
    }

    @Test func hasMoreFramesFollowsTheMessage() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send([Frame("one"), Frame("two"), Frame("three")])

        var parts: [String] = []
        var more: [Bool] = []
        repeat {
            parts.append(try receiver.receiveFrame().string ?? "")
            more.append(receiver.hasMoreFrames)
        } while more.last == true
        #expect(parts == ["one", "two", "three"])
        #expect(more == [true, true, false])
        sender.close()
        receiver.close()
    }

    @Test func framesSentOneByOneWithMoreFormOneMessage() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send("text", more: true)
        try sender.send([0xDE, 0xAD] as [UInt8], more: true)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try sender.send($0, more: true) }
        try sender.send(Frame("last"))

        let received = try receiver.receive()
        #expect(received.map(\.bytes) == [Array("text".utf8), [0xDE, 0xAD], [1, 2, 3], Array("last".utf8)])
        sender.close()
        receiver.close()
    }

    @Test func sendingNoFramesSendsNothing() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send([Frame]())
        try sender.send("only")
        #expect(strings(try receiver.receive()) == ["only"])
        sender.close()
        receiver.close()
    }

    @Test func frameAccessorsAgree() {
        let frame = Frame("héllo")
        #expect(frame.count == 6)
        #expect(frame.bytes == Array("héllo".utf8))
        #expect(frame.data.count == 6)
        #expect(frame.string == "héllo")
        #expect(Frame([0xFF, 0xFE]).string == nil)
        #expect(Frame("a") == Frame([0x61]))
        #expect(Frame("a") != Frame("b"))
        #expect(frame.description == "Frame(6 bytes)")
    }
}
