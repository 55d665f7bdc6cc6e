/// A set that keeps at most `capacity` members, forgetting the oldest inserted first.
struct BoundedSet<Element: Hashable> {
    private var members: Set<Element> = []
    private var order: [Element] = []
    private var oldest = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "a bounded set holds at least one member")
        self.capacity = capacity
    }

    func contains(_ element: Element) -> Bool { members.contains(element) }

    mutating func insert(_ element: Element) {
        guard members.insert(element).inserted else { return }
        if order.count < capacity {
            order.append(element)
            return
        }
        // A ring: overwrite the oldest slot.
        members.remove(order[oldest])
        order[oldest] = element
        oldest = (oldest + 1) % capacity
    }
}
