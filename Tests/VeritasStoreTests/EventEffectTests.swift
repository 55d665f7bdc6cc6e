import Testing
import VeritasProtocol
import VeritasStore

/// `Audit.effect(of:)`: the one rule both stores carry out. (The conformance suite checks that
/// memory and SQLite carry it out alike.)
@Suite("EventEffect: what an event changes")
struct EventEffectTests {
    @Test("completed ends the audit once: findings and the job's end the first time, nothing new the second")
    func completedOnce() {
        let queued = makeAudit(createdAt: at(1))
        let first = queued.effect(of: event(queued.id, completed()))
        #expect(first.audit.status == .completed)
        #expect(first.findings == sampleFindings)
        #expect(first.endsJob)
        #expect(first.becameTerminal)
        let again = first.audit.effect(of: event(queued.id, completed(verdict(trustScore: 5))))
        #expect(again.findings.isEmpty, "a second completed adds no findings")
        #expect(again.audit.trustScore == first.audit.trustScore, "nor changes the verdict")
        #expect(again.endsJob)
        #expect(!again.becameTerminal)
    }

    @Test("a screenshot is a row of its audit; progress changes only the audit; error ends the job without findings")
    func otherEvents() {
        let audit = makeAudit(createdAt: at(1))
        let shot = audit.effect(of: event(audit.id, screenshot(audit.id, index: 2)))
        #expect(shot.screenshot?.index == 2)
        #expect(shot.screenshot?.auditID == audit.id)
        #expect(shot.audit.status == .running)
        #expect(!shot.endsJob)
        let progress = audit.effect(of: event(audit.id, progress(50)))
        #expect(progress.screenshot == nil && progress.findings.isEmpty && !progress.endsJob)
        let failed = audit.effect(of: event(audit.id, failure("boom")))
        #expect(failed.audit.status == .error)
        #expect(failed.audit.errorMessage == "boom")
        #expect(failed.endsJob && failed.becameTerminal && failed.findings.isEmpty)
    }
}
