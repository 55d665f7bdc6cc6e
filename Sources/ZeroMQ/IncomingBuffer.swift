import Synchronization

/// A bounded queue of received messages between a ``SocketLoop`` thread and one async reader.
///
/// Bounded so that a slow reader pushes back on the peer: when the buffer is full the loop
/// stops reading the socket, libzmq's queue fills to its high-water mark, and the sender
/// blocks, instead of this process buffering without limit.
final class IncomingBuffer: Sendable {
    private struct State {
        var queue: [[Frame]] = []
        var head = 0
        var waiter: CheckedContinuation<[Frame]?, Never>?
        var finished = false
        // Set when the loop skipped reading because the buffer was full; the reader then
        // wakes the loop once it has made room.
        var loopStalled = false
        /// Set by ``interrupt()`` while no reader waits: the next wait returns at once.
        var interrupted = false

        var count: Int { queue.count - head }

        mutating func pop() -> [Frame]? {
            guard head < queue.count else { return nil }
            let message = queue[head]
            head += 1
            if head >= 64 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    private let state = Mutex(State())
    private let limit: Int
    private let wake: WakeSignal

    init(limit: Int, wake: WakeSignal) {
        self.limit = max(1, limit)
        self.wake = wake
    }

    // MARK: Loop side

    /// Whether the loop may read another message; when not, remembers to be woken.
    func acceptsMore() -> Bool {
        state.withLock { state in
            if state.finished || state.count < limit { return !state.finished }
            state.loopStalled = true
            return false
        }
    }

    func deliver(_ message: [Frame]) {
        let waiter = state.withLock { state -> CheckedContinuation<[Frame]?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.queue.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// Ends the stream: the reader gets what is queued, then `nil`.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[Frame]?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    // MARK: Reader side

    func next() async -> [Frame]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Frame]?, Never>) in
                let (ready, wakeLoop) = state.withLock { state -> ([Frame]??, Bool) in
                    if let message = state.pop() {
                        let wakeLoop = state.loopStalled && state.count < limit
                        if wakeLoop { state.loopStalled = false }
                        return (.some(message), wakeLoop)
                    }
                    if state.finished || Task.isCancelled { return (.some(nil), false) }
                    if state.interrupted {
                        state.interrupted = false
                        return (.some(nil), false)
                    }
                    state.waiter = continuation
                    return (nil, false)
                }
                if wakeLoop { wake.signal() }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[Frame]?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Takes up to `max` queued messages without waiting.
    func popAvailable(max: Int) -> [[Frame]] {
        let (messages, wakeLoop) = state.withLock { state -> ([[Frame]], Bool) in
            var messages: [[Frame]] = []
            while messages.count < max, let message = state.pop() { messages.append(message) }
            let wakeLoop = state.loopStalled && state.count < limit
            if wakeLoop { state.loopStalled = false }
            return (messages, wakeLoop)
        }
        if wakeLoop { wake.signal() }
        return messages
    }

    /// Ends the current (or next) wait of the reader with `nil`, without ending the stream.
    func interrupt() {
        let waiter = state.withLock { state -> CheckedContinuation<[Frame]?, Never>? in
            guard let waiter = state.waiter else {
                state.interrupted = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Clears an interrupt no wait has taken yet; returns whether there was one.
    func takeInterrupt() -> Bool {
        state.withLock { state in
            defer { state.interrupted = false }
            return state.interrupted
        }
    }

    /// Whether the stream has ended and nothing is left to read.
    var isDrained: Bool { state.withLock { $0.finished && $0.count == 0 } }

}
