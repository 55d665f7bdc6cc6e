import Foundation

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it
/// held. For state that changes asynchronously (a requeue after silence, a lock released, a
/// process's log line): the state is re-read each time, so no sleep stands in for
/// synchronisation.
public func eventually(
    timeout: Duration = .seconds(3), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// SplitMix64: a small seeded generator, so random inputs (and fault schedules) are the same on
/// every run with the same seed.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
