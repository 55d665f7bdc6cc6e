import Foundation
import Testing
import ZeroMQ

/// Receive timeouts, non-blocking receives and the poller. Time bounds are loose on purpose:
/// the machine is shared and has two cores.
@Suite struct TimeoutTests {
    let clock = ContinuousClock()

    @Test func receiveTimeoutThrowsAgainAfterTheTimeout() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.set(.receiveTimeout, .milliseconds(100))
        try pull.bind("inproc://empty")

        var error: ZMQError?
        let elapsed = clock.measure {
            error = #expect(throws: ZMQError.again) { try pull.receive() }
        }
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < .seconds(2))
        #expect(error?.operation.contains("zmq_msg_recv") == true)
        pull.close()
    }

    @Test func receiveTimeoutRoundTripsThroughTheOption() throws {
        let context = try Context()
        let socket = try Socket(context, type: .pull)
        #expect(try socket.get(.receiveTimeout) == nil, "libzmq's default is to wait forever")
        try socket.set(.receiveTimeout, .milliseconds(250))
        #expect(try socket.get(.receiveTimeout) == .milliseconds(250))
        // Sub-millisecond parts round up, so a tiny timeout never becomes "don't wait".
        try socket.set(.receiveTimeout, .microseconds(1))
        #expect(try socket.get(.receiveTimeout) == .milliseconds(1))
        try socket.set(.receiveTimeout, nil)
        #expect(try socket.get(.receiveTimeout) == nil)
        socket.close()
    }

    @Test func dontWaitReceiveOnAnEmptySocketFailsAtOnce() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.bind("inproc://empty")
        // Even with no timeout set (wait forever), dontWait must not block.
        let elapsed = clock.measure {
            #expect(throws: ZMQError.again) { try pull.receive(dontWait: true) }
            #expect(throws: ZMQError.again) { try pull.receiveFrame(dontWait: true) }
        }
        #expect(elapsed < .milliseconds(500))
        pull.close()
    }

    @Test func pollerTimesOutWithNothingReady() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.bind("inproc://quiet")
        var poller = Poller()
        let index = poller.add(pull, events: .readable)
        #expect(poller.count == 1)

        var ready = -1
        let elapsed = try clock.measure { ready = try poller.poll(timeout: .milliseconds(100)) }
        #expect(ready == 0)
        #expect(poller.events(at: index).isEmpty)
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < .seconds(2))
        #expect(try poller.poll(timeout: .zero) == 0)
        pull.close()
    }

    @Test func pollerReportsAReadableSocket() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.bind("inproc://ready")
        let push = try Socket(context, type: .push)
        try push.connect("inproc://ready")
        var poller = Poller()
        let idle = poller.add(try Socket(context, type: .pull), events: .readable)
        let index = poller.add(pull, events: [.readable, .writable])

        try push.send("wake up")
        #expect(try poller.poll(timeout: lostAfter) == 1)
        #expect(poller.events(at: index) == .readable, "PULL cannot write, so only readable")
        #expect(poller.events(at: idle).isEmpty)
        #expect(strings(try pull.receive(dontWait: true)) == ["wake up"])

        // Not interested in anything: never reported.
        try push.send("ignored")
        poller.setEvents([], at: index)
        #expect(try poller.poll(timeout: .milliseconds(20)) == 0)
        push.close()
        pull.close()
    }

    @Test func pollerWatchesAPlainPipe() throws {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        var poller = Poller()
        let index = poller.add(fileDescriptor: descriptor, events: .readable)

        #expect(try poller.poll(timeout: .milliseconds(20)) == 0)
        #expect(poller.events(at: index).isEmpty)

        pipe.fileHandleForWriting.write(Data([42]))
        #expect(try poller.poll(timeout: lostAfter) == 1)
        #expect(poller.events(at: index).contains(.readable))

        // Level-triggered: still readable until read.
        #expect(try poller.poll(timeout: .zero) == 1)
        #expect(pipe.fileHandleForReading.readData(ofLength: 1) == Data([42]))
        #expect(try poller.poll(timeout: .zero) == 0)

        poller.removeAll()
        #expect(poller.count == 0)
    }

    @Test func pollerMixesSocketsAndDescriptors() throws {
        let context = try Context()
        let pull = try Socket(context, type: .pull)
        try pull.bind("inproc://mixed")
        let push = try Socket(context, type: .push)
        try push.connect("inproc://mixed")
        let pipe = Pipe()
        var poller = Poller()
        let socketIndex = poller.add(pull, events: .readable)
        let pipeIndex = poller.add(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, events: .readable)

        pipe.fileHandleForWriting.write(Data([1]))
        #expect(try poller.poll(timeout: lostAfter) == 1)
        #expect(poller.events(at: pipeIndex) == .readable)
        #expect(poller.events(at: socketIndex).isEmpty)

        try push.send("both")
        #expect(try poller.poll(timeout: lostAfter) == 2)
        #expect(poller.events(at: socketIndex) == .readable)
        push.close()
        pull.close()
    }
}
