import Testing
import VeritasProtocol
@testable import VeritasRunner

@Suite("runner state: slots")
struct RunnerStateTests {
    @Test("a job is taken only into a free slot; one held already is not taken twice; a freed slot takes the next")
    func slots() {
        let state = RunnerState()
        let (first, second, third) = (AuditID.generate(), AuditID.generate(), AuditID.generate())
        #expect(state.accept(first, capacity: 2) == .accepted)
        #expect(state.accept(first, capacity: 2) == .alreadyHeld)
        #expect(state.accept(second, capacity: 2) == .accepted)
        // Two writers that each counted this runner's slots: the third job goes back.
        #expect(state.accept(third, capacity: 2) == .full)
        #expect(state.active == [first, second])
        state.end(first, finished: true)
        #expect(state.accept(third, capacity: 2) == .accepted)
        #expect(state.active == [second, third])
    }
}
