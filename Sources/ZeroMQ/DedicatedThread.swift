#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OS thread for code that blocks (zmq_poll), so it never occupies Swift's cooperative pool.
final class DedicatedThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let thread: pthread_t

    private init(thread: pthread_t) { self.thread = thread }

    /// Starts `body` on a new thread; `name` appears in errors.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(ZMQError) -> DedicatedThread {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            // Leave signals to the process's own threads: on Linux, libdispatch (and so
            // swift-service-lifecycle's SIGTERM handling) reads them through a signalfd, which
            // misses a signal that a stray thread picked up.
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw ZMQError(errno: status, operation: "pthread_create(\(name))")
        }
        return DedicatedThread(thread: thread)
    }

    /// Waits for the thread to finish. Call `join` or ``detach()`` exactly once, never from
    /// the thread itself.
    func join() {
        pthread_join(thread, nil)
    }

    /// Lets the system reclaim the thread when it ends, for owners that wait some other way.
    func detach() {
        pthread_detach(thread)
    }
}

/// A file descriptor that a thread blocked in `zmq_poll` watches, so others can wake it.
final class WakeSignal: Sendable {
    let fileDescriptor: Int32
    private let writeDescriptor: Int32

    init() throws(ZMQError) {
        // A non-blocking pipe: POSIX, and zmq_poll watches plain descriptors for readability.
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw ZMQError(errno: errno, operation: "pipe") }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(fileDescriptor)
        close(writeDescriptor)
    }

    /// Makes ``fileDescriptor`` readable until the next ``drain()``.
    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(writeDescriptor, $0.baseAddress, $0.count) }
    }

    /// Consumes pending signals.
    func drain() {
        var buffer: UInt64 = 0
        while withUnsafeMutableBytes(of: &buffer, { read(fileDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}
