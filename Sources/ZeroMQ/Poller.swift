import CZeroMQ

/// Events to wait for, or that happened, on a polled socket or file descriptor.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A message can be received (or the descriptor read) without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (file descriptors only).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Waits on several sockets and plain file descriptors at once with `zmq_poll`.
///
/// ```swift
/// var poller = Poller()
/// let jobs = poller.add(router, events: .readable)
/// let wake = poller.add(fileDescriptor: signal.fileDescriptor, events: .readable)
/// if try poller.poll(timeout: .seconds(1)) > 0, poller.events(at: jobs).contains(.readable) { ... }
/// ```
///
/// Not `Sendable`: like the sockets it holds, a poller belongs to one thread.
public struct Poller {
    private var items: [zmq_pollitem_t] = []
    // Keeps the polled sockets alive (and so their handles valid) while they are polled.
    private var sockets: [Socket?] = []

    public init() {}

    /// The number of registered items.
    public var count: Int { items.count }

    /// Adds `socket`, returning its index.
    @discardableResult
    public mutating func add(_ socket: Socket, events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        sockets.append(socket)
        return items.count - 1
    }

    /// Adds a plain file descriptor (a pipe, an eventfd), returning its index.
    @discardableResult
    public mutating func add(fileDescriptor: Int32, events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        sockets.append(nil)
        return items.count - 1
    }

    /// Changes what the item at `index` waits for (empty: ignore it for now).
    public mutating func setEvents(_ events: PollEvents, at index: Int) {
        items[index].events = events.rawValue
    }

    /// Removes every item.
    public mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        sockets.removeAll(keepingCapacity: true)
    }

    /// What happened on the item at `index` in the last ``poll(timeout:)``.
    public func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }

    /// Waits until an item is ready or `timeout` passes (`nil`: wait forever; `.zero`: check
    /// and return). Returns how many items are ready. Signals do not cut the wait short.
    public mutating func poll(timeout: Duration?) throws(ZMQError) -> Int {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            let milliseconds: Int
            if let deadline {
                milliseconds = Int(max(.zero, clock.now.duration(to: deadline)).clampedMilliseconds)
            } else {
                milliseconds = -1
            }
            let ready = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), milliseconds) }
            if ready >= 0 { return Int(ready) }
            let error = zmq_errno()
            if error != EINTR { throw ZMQError(errno: error, operation: "zmq_poll") }
        }
    }
}
