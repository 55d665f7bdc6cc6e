import CZeroMQ
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs ZeroMQ sockets on one dedicated thread, so that async code can use them without ever
/// blocking Swift's cooperative thread pool.
///
/// Register a configured socket and get back an ``AsyncSocket``: a `Sendable` handle whose
/// sends and receives are carried out by the loop thread. The thread sleeps in `zmq_poll`
/// on all its sockets plus an eventfd that other threads use to hand it work.
///
/// ```swift
/// let loop = try SocketLoop(name: "writer-io")
/// let router = try Socket(context, type: .router)
/// try router.bind("tcp://*:5555")
/// let queries = loop.register(router)
/// for await request in queries.messages {
///     try await queries.send([request[0], Frame(), Frame(reply)])
/// }
/// await loop.shutdown()
/// ```
///
/// The loop keeps itself alive until ``shutdown()``; call it when done.
public final class SocketLoop: Sendable {
    enum Command {
        case register(id: Int, socket: SocketTransfer, incoming: IncomingBuffer, counters: AsyncSocket.Counters, options: AsyncSocket.Options)
        case send(id: Int, frames: [Frame], counters: AsyncSocket.Counters, completion: CheckedContinuation<Result<Void, ZMQError>, Never>?)
        case close(id: Int, discardUnsent: Bool, completion: CheckedContinuation<Void, Never>?)
        case shutdown
    }

    /// A socket handed to the loop with `sending`: the caller kept no access to it, so the loop
    /// thread is its only owner from here on.
    struct SocketTransfer: @unchecked Sendable {
        let socket: Socket
    }

    private struct Inbox {
        var commands: [Command] = []
        var wakePending = false
        var nextID = 0
        var isShutDown = false
    }

    private let inbox = Mutex(Inbox())
    let wake: WakeSignal
    private let exit = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// The name given to the loop's thread.
    public let name: String

    /// Starts a loop thread called `name`.
    public init(name: String) throws(ZMQError) {
        self.name = name
        self.wake = try WakeSignal()
        let thread = try DedicatedThread.start(name: name) { [self] in
            var runner = LoopRunner(loop: self)
            runner.run()
            finishExit()
        }
        // shutdown() waits on `exit`, not on a join, so let the system reclaim the thread.
        thread.detach()
    }

    /// Hands `socket` to the loop and returns its async handle.
    ///
    /// After a ``shutdown()`` the socket is closed at once and the handle's stream is empty.
    public func register(_ socket: sending Socket, options: AsyncSocket.Options = .init()) -> AsyncSocket {
        let incoming = IncomingBuffer(limit: options.receiveBufferLimit, wake: wake)
        let counters = AsyncSocket.Counters()
        let transfer = SocketTransfer(socket: socket)
        let id = inbox.withLock { inbox in
            inbox.nextID += 1
            return inbox.nextID
        }
        let accepted = enqueue(.register(id: id, socket: transfer, incoming: incoming, counters: counters, options: options))
        if !accepted {
            transfer.socket.close()
            incoming.finish()
        }
        return AsyncSocket(id: id, loop: self, incoming: incoming, counters: counters)
    }

    /// Closes every socket of the loop and stops its thread; returns once the thread is done.
    public func shutdown() async {
        _ = enqueue(.shutdown)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exit.withLock { exit in
                if !exit.done { exit.waiters.append(continuation) }
                return exit.done
            }
            if done { continuation.resume() }
        }
    }

    /// Queues a command for the loop thread; `false` when the loop has shut down.
    @discardableResult
    func enqueue(_ command: Command) -> Bool {
        let (accepted, signal) = inbox.withLock { inbox -> (Bool, Bool) in
            if inbox.isShutDown { return (false, false) }
            inbox.commands.append(command)
            if case .shutdown = command { inbox.isShutDown = true }
            let signal = !inbox.wakePending
            inbox.wakePending = true
            return (true, signal)
        }
        if signal { wake.signal() }
        return accepted
    }

    /// Called by the loop thread: everything queued since the last call.
    func takeCommands() -> [Command] {
        inbox.withLock { inbox in
            inbox.wakePending = false
            defer { inbox.commands.removeAll(keepingCapacity: true) }
            return inbox.commands
        }
    }

    /// Called by the loop thread when the context is terminated under it: refuse new work.
    func markShutDown() -> [Command] {
        inbox.withLock { inbox in
            inbox.isShutDown = true
            defer { inbox.commands.removeAll() }
            return inbox.commands
        }
    }

    private func finishExit() {
        let waiters = exit.withLock { exit in
            exit.done = true
            defer { exit.waiters.removeAll() }
            return exit.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The loop thread's own state; never touched by any other thread.
private struct LoopRunner {
    final class Entry {
        struct PendingSend {
            let frames: [Frame]
            let completion: CheckedContinuation<Result<Void, ZMQError>, Never>?
            let deadline: ContinuousClock.Instant
        }

        let id: Int
        let socket: Socket
        let incoming: IncomingBuffer
        let counters: AsyncSocket.Counters
        let options: AsyncSocket.Options
        var pending: [PendingSend] = []
        var pendingHead = 0

        init(id: Int, socket: Socket, incoming: IncomingBuffer, counters: AsyncSocket.Counters, options: AsyncSocket.Options) {
            self.id = id
            self.socket = socket
            self.incoming = incoming
            self.counters = counters
            self.options = options
        }

        var hasPending: Bool { pendingHead < pending.count }

        func popPending() -> PendingSend {
            let send = pending[pendingHead]
            pendingHead += 1
            if pendingHead == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingHead = 0
            }
            return send
        }

        func close(failingWith error: ZMQError) {
            socket.close()
            incoming.finish()
            while hasPending {
                let send = popPending()
                counters.failedSends.add(1, ordering: .relaxed)
                send.completion?.resume(returning: .failure(error))
            }
        }
    }

    let loop: SocketLoop
    var entries: [Entry] = []
    let clock = ContinuousClock()
    /// How long to wait before retrying a send that hit a full queue. ROUTER sockets report
    /// themselves always writable, so polling for `.writable` alone would spin.
    let retryInterval: Duration = .milliseconds(1)

    init(loop: SocketLoop) { self.loop = loop }

    mutating func run() {
        var poller = Poller()
        while true {
            if !apply(loop.takeCommands()) { break }
            for entry in entries where entry.hasPending { flush(entry) }

            poller.removeAll()
            poller.add(fileDescriptor: loop.wake.fileDescriptor, events: .readable)
            var anyPending = false
            for entry in entries {
                var events: PollEvents = []
                if entry.incoming.acceptsMore() { events.insert(.readable) }
                if entry.hasPending {
                    anyPending = true
                    if entry.socket.type != .router { events.insert(.writable) }
                }
                poller.add(entry.socket, events: events)
            }
            do {
                _ = try poller.poll(timeout: anyPending ? retryInterval : nil)
            } catch {
                // ETERM: the context was shut down under us. Close everything and stop.
                _ = apply(loop.markShutDown() + [.shutdown])
                break
            }
            if poller.events(at: 0).contains(.readable) { loop.wake.drain() }
            for (index, entry) in entries.enumerated() where poller.events(at: index + 1).contains(.readable) {
                receive(from: entry)
            }
        }
    }

    /// Applies commands in order; returns `false` after a shutdown.
    mutating func apply(_ commands: [SocketLoop.Command]) -> Bool {
        for command in commands {
            switch command {
            case let .register(id, transfer, incoming, counters, options):
                entries.append(Entry(id: id, socket: transfer.socket, incoming: incoming, counters: counters, options: options))
            case let .send(id, frames, counters, completion):
                guard let entry = entries.first(where: { $0.id == id }) else {
                    counters.failedSends.add(1, ordering: .relaxed)
                    completion?.resume(returning: .failure(ZMQError(errno: ENOTSOCK, operation: "send on a closed AsyncSocket")))
                    continue
                }
                entry.pending.append(.init(frames: frames, completion: completion, deadline: clock.now.advanced(by: entry.options.sendTimeout)))
            case let .close(id, discardUnsent, completion):
                if let index = entries.firstIndex(where: { $0.id == id }) {
                    if discardUnsent { try? entries[index].socket.set(.linger, Duration.zero) }
                    entries[index].close(failingWith: ZMQError(errno: ENOTSOCK, operation: "AsyncSocket closed before the send"))
                    entries.remove(at: index)
                }
                completion?.resume()
            case .shutdown:
                for entry in entries {
                    entry.close(failingWith: ZMQError(errno: ETERM, operation: "SocketLoop shut down before the send"))
                }
                entries.removeAll()
                // Commands that raced in before the inbox closed: fail them too.
                for late in loop.markShutDown() {
                    switch late {
                    case let .register(_, transfer, incoming, _, _):
                        transfer.socket.close()
                        incoming.finish()
                    case let .send(_, _, counters, completion):
                        counters.failedSends.add(1, ordering: .relaxed)
                        completion?.resume(returning: .failure(ZMQError(errno: ETERM, operation: "SocketLoop shut down")))
                    case let .close(_, _, completion):
                        completion?.resume()
                    case .shutdown:
                        break
                    }
                }
                return false
            }
        }
        return true
    }

    func flush(_ entry: Entry) {
        while entry.hasPending {
            let next = entry.pending[entry.pendingHead]
            do {
                try entry.socket.send(next.frames, dontWait: true)
                _ = entry.popPending()
                entry.counters.sent.add(1, ordering: .relaxed)
                next.completion?.resume(returning: .success(()))
            } catch where error == .again {
                if clock.now < next.deadline { return }
                _ = entry.popPending()
                entry.counters.failedSends.add(1, ordering: .relaxed)
                next.completion?.resume(returning: .failure(ZMQError(errno: EAGAIN, operation: "send timed out after \(entry.options.sendTimeout)")))
            } catch {
                _ = entry.popPending()
                entry.counters.failedSends.add(1, ordering: .relaxed)
                next.completion?.resume(returning: .failure(error))
            }
        }
    }

    func receive(from entry: Entry) {
        // Bounded per wake-up so one busy socket cannot starve the others.
        for _ in 0..<1024 {
            guard entry.incoming.acceptsMore() else { return }
            do {
                let frames = try entry.socket.receive(dontWait: true, maxFrames: entry.options.maxFrames)
                entry.counters.received.add(1, ordering: .relaxed)
                entry.incoming.deliver(frames)
            } catch where error == .again {
                return
            } catch where error == .messageTooLarge {
                entry.counters.droppedOversized.add(1, ordering: .relaxed)
            } catch {
                entry.counters.receiveErrors.add(1, ordering: .relaxed)
                return
            }
        }
    }
}
