import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Splits the DevTools pipe's byte stream into messages, each terminated by a single NUL byte.
///
/// Bytes are appended to one growing buffer. Only the newly appended bytes are searched for the
/// terminator, and consumed messages are dropped from the front once per `append`, so a message of
/// several megabytes arriving in many small reads costs linear time overall.
struct MessageFramer {
    /// Bytes of incomplete messages. Invariant between calls: contains no terminator.
    private var buffer: [UInt8] = []
    /// Capacity kept after a huge message has been consumed; anything above is released.
    private let retainedCapacity = 1 << 20

    /// Bytes received that do not yet form a complete message.
    var pendingByteCount: Int { buffer.count }

    /// Appends freshly read bytes and returns every message completed by them, in order,
    /// without their terminators.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> [Data] {
        guard !bytes.isEmpty else { return [] }
        // Everything already buffered is known to be terminator-free: search only the new bytes.
        let alreadyScanned = buffer.count
        buffer.append(contentsOf: bytes)
        var messages: [Data] = []
        var messageStart = 0
        buffer.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            var searchFrom = alreadyScanned
            while searchFrom < raw.count,
                  let hit = memchr(base + searchFrom, 0, raw.count - searchFrom) {
                let end = base.distance(to: UnsafeRawPointer(hit))
                if end > messageStart {
                    messages.append(Data(bytes: base + messageStart, count: end - messageStart))
                }
                messageStart = end + 1
                searchFrom = end + 1
            }
        }
        if messageStart > 0 {
            if messageStart == buffer.count {
                if buffer.capacity > retainedCapacity {
                    buffer = []
                } else {
                    buffer.removeAll(keepingCapacity: true)
                }
            } else {
                buffer.removeSubrange(0..<messageStart)
            }
        }
        return messages
    }
}
