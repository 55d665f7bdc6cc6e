import Foundation

/// A value that may only be touched while holding a mutex.
///
/// This is the single place in the module that uses `@unchecked Sendable`. It is sound because
/// `value` is private and is only reachable through ``withLock(_:)``, which holds `lock` for the
/// whole duration of the access, so no two threads can ever read or write `value` concurrently.
/// `Value` itself is required to be `Sendable`, because whatever is stored by one thread is later
/// read by another.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the protected value. `body` must not block for long
    /// and must not call back into the same `Locked` instance (the lock is not recursive).
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
