import VeritasProtocol

/// An audit's place in age order: `created_at`, then id (the job queue's order, and the
/// reverse of listings' newest-first order).
struct AuditAge: Sendable, Comparable {
    var createdAt: Timestamp
    var id: AuditID

    init(_ audit: Audit) {
        createdAt = audit.createdAt
        id = audit.id
    }

    static func < (lhs: AuditAge, rhs: AuditAge) -> Bool {
        (lhs.createdAt, lhs.id) < (rhs.createdAt, rhs.id)
    }
}

/// Audit ages, oldest on top: a binary min-heap.
///
/// ``MemoryAuditStore`` keeps its terminal audits here to evict the oldest in O(log n). It
/// needs no removal by key: an audit enters when it becomes terminal, a terminal status never
/// changes, and it leaves only by being evicted.
struct AuditAgeHeap: Sendable {
    private var entries: [AuditAge] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func insert(_ entry: AuditAge) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child] < entries[parent] else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the oldest entry.
    mutating func popOldest() -> AuditAge? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let oldest = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left] < entries[smallest] { smallest = left }
            if right < entries.count, entries[right] < entries[smallest] { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return oldest
    }
}
