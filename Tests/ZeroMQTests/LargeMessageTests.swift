import Foundation
import Testing
import ZeroMQ

/// Large payloads, the zero-copy frame initialisers, and `maxMessageSize`.
@Suite struct LargeMessageTests {
    static let sixteenMiB = 16 << 20

    @Test func sixteenMebibytesFromALentArrayArriveIntact() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        let payload = randomBytes(Self.sixteenMiB)

        try sender.send([Frame("screenshot"), Frame(noCopy: payload)])
        let received = try receiver.receive()
        try #require(received.count == 2)
        #expect(received[0].string == "screenshot")
        #expect(received[1].count == Self.sixteenMiB)
        expectSameBytes(received[1], payload)
        sender.close()
        receiver.close()
    }

    @Test func sixteenMebibytesFromLentDataArriveIntact() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        let payload = randomBytes(Self.sixteenMiB)

        try sender.send(Frame(noCopy: Data(payload)))
        let received = try receiver.receive()
        try #require(received.count == 1)
        #expect(received[0].count == Self.sixteenMiB)
        expectSameBytes(received[0], payload)
        sender.close()
        receiver.close()
    }

    @Test(arguments: [0, 1, Frame.noCopyThreshold - 1, Frame.noCopyThreshold, 100_000])
    func lentDataOfAnySizeKeepsItsBytes(count: Int) throws {
        let payload = randomBytes(count)
        // Data(payload) goes out of scope at once: the frame must own or retain the bytes.
        let frame = Frame(noCopy: Data(payload))
        expectSameBytes(frame, payload)

        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        try sender.send(frame)
        let received = try receiver.receive()
        expectSingleFrame(received, holding: payload)
        sender.close()
        receiver.close()
    }

    @Test func lentDataSliceKeepsItsBytes() throws {
        let payload = randomBytes(8192)
        let slice = Data(payload)[100..<5100]
        let frame = Frame(noCopy: slice)
        expectSameBytes(frame, Array(payload[100..<5100]))
    }

    @Test func frameInitialisedInPlaceArrivesIntact() throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        let count = 1 << 20
        let frame = Frame(count: count) { buffer in
            for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index &* 31) }
        }
        #expect(frame.count == count)

        try sender.send(frame)
        let received = try receiver.receive()
        try #require(received.count == 1)
        #expect(received[0] == frame)
        #expect(received[0].withUnsafeBytes { $0[12345] } == UInt8(truncatingIfNeeded: 12345 &* 31))
        sender.close()
        receiver.close()
    }

    @Test func emptyInPlaceFrameGetsAnEmptyBuffer() {
        var seen = -1
        let frame = Frame(count: 0) { seen = $0.count }
        #expect(seen == 0)
        #expect(frame.isEmpty)
    }

    /// A throwing initialiser body must propagate its error without corrupting memory.
    /// Before the fix in Frame.swift, the catch block closed and freed the message that
    /// `deinit` then closed and freed again: a double free that crashed the test process.
    @Test func inPlaceInitialiserRethrows() {
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try Frame(count: 4096) { _ in throw Refused() }
        }
        #expect(throws: Refused.self) {
            _ = try Frame(count: 0) { _ in throw Refused() }
        }
        // The allocator still works after the failed initialisations.
        #expect(Frame(count: 4096) { $0.initializeMemory(as: UInt8.self, repeating: 7) }.bytes == [UInt8](repeating: 7, count: 4096))
    }

    @Test(arguments: [16, 1 << 20])
    func frameSentTwiceStaysValid(count: Int) throws {
        let context = try Context()
        let (sender, receiver) = try connectedPair(context)
        let payload = randomBytes(count)
        let frame = Frame(noCopy: payload)

        try sender.send(frame)
        try sender.send(frame)
        expectSameBytes(frame, payload, "sending must not consume the frame")
        let first = try receiver.receive()
        let second = try receiver.receive()
        expectSingleFrame(first, holding: payload)
        expectSingleFrame(second, holding: payload)
        expectSameBytes(frame, payload)
        sender.close()
        receiver.close()
    }

    @Test func receivedFrameCanBeForwarded() throws {
        let context = try Context()
        let (sender, relayIn) = try connectedPair(context)
        let (relayOut, receiver) = try connectedPair(context)
        let payload = randomBytes(100_000)

        try sender.send(Frame(noCopy: payload))
        let relayed = try relayIn.receive()
        try relayOut.send(relayed)
        let received = try receiver.receive()
        expectSingleFrame(received, holding: payload)
        expectSameBytes(relayed[0], payload)
        for socket in [sender, relayIn, relayOut, receiver] { socket.close() }
    }

    @Test func oversizedMessageIsNotDelivered() throws {
        let context = try Context()
        let receiver = try Socket(context, type: .pull)
        try receiver.set(.maxMessageSize, 1024)
        #expect(try receiver.get(.maxMessageSize) == 1024)
        try receiver.failReceives(after: .milliseconds(300))
        let endpoint = try receiver.bindEphemeral()
        let sender = try Socket(context, type: .push)
        try sender.connect(endpoint)

        // A message within the limit proves the connection works...
        try sender.send(randomBytes(1024))
        #expect(try receiver.receive().first?.count == 1024)
        // ...and one byte over is refused: libzmq drops the connection instead of delivering.
        try sender.send(randomBytes(1025))
        #expect(throws: ZMQError.again) { try receiver.receive() }
        sender.close()
        receiver.close()
    }
}
