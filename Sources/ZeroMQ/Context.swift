import CZeroMQ

/// A libzmq context: the owner of I/O threads and the factory of sockets.
///
/// A context is thread-safe and `Sendable`. Every ``Socket`` keeps its context alive, so a
/// context is terminated only after its last socket is closed; termination waits at most
/// for the sockets' linger period, which the binding keeps short by default.
public final class Context: @unchecked Sendable {
    // libzmq documents zmq_ctx_* as thread-safe; the pointer is never reassigned.
    let handle: UnsafeMutableRawPointer

    /// Creates a context.
    /// - Parameter ioThreads: libzmq I/O threads; one moves about a gigabyte a second.
    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if ioThreads != 1 {
            guard zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) == 0 else {
                let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS)")
                zmq_ctx_term(handle)
                throw error
            }
        }
    }

    /// Makes every blocking call on this context's sockets fail with
    /// ``ZMQError/contextTerminated``, so the threads that own them can close them.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        // All sockets are closed here (each retains the context); retry on EINTR.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

/// Facts about the linked libzmq.
public enum ZeroMQLibrary {
    /// The libzmq version as (major, minor, patch).
    public static var version: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether libzmq was built with a capability such as `"curve"` or `"ipc"`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
