import Testing
import VeritasProtocol

@Suite("Vocabulary and limits")
struct VocabularyTests {
    @Test func statusNeverMovesBackwards() {
        #expect(AuditStatus.queued.canTransition(to: .running))
        #expect(AuditStatus.queued.canTransition(to: .completed))
        #expect(AuditStatus.queued.canTransition(to: .error))
        #expect(AuditStatus.running.canTransition(to: .completed))
        #expect(AuditStatus.running.canTransition(to: .error))
        #expect(!AuditStatus.running.canTransition(to: .queued))
        #expect(!AuditStatus.running.canTransition(to: .running))
        for terminal in [AuditStatus.completed, .error] {
            #expect(terminal.isTerminal)
            for next in AuditStatus.allCases {
                #expect(!terminal.canTransition(to: next), "\(terminal) -> \(next)")
            }
        }
        #expect(AuditStatus.allCases.map(\.rank) == [0, 1, 2, 2])
    }

    @Test func theFifteenPatternTypesMapToTheirCategories() {
        #expect(DarkPatternType.allCases.count == 15)
        let expected: [DarkPatternCategory: Set<String>] = [
            .sneaking: ["sneak_into_basket", "hidden_costs", "hidden_subscription"],
            .urgency: ["countdown_timer", "limited_time_message"],
            .misdirection: ["confirmshaming", "visual_interference", "trick_questions", "pressured_selling"],
            .socialProof: ["activity_notification", "testimonials_of_uncertain_origin"],
            .scarcity: ["low_stock", "high_demand"],
            .obstruction: ["hard_to_cancel"],
            .forcedAction: ["forced_enrollment"],
        ]
        for category in DarkPatternCategory.allCases {
            #expect(Set(category.patternTypes.map(\.rawValue)) == expected[category], "\(category)")
        }
        #expect(DarkPatternCategory.socialProof.rawValue == "social_proof")
        #expect(DarkPatternCategory.forcedAction.rawValue == "forced_action")
    }

    @Test func wireNamesAreExact() {
        #expect(EventName.allCases.map(\.rawValue) == [
            "audit.started", "audit.progress", "audit.screenshot", "audit.completed", "audit.error", "audit.queued",
            "audit.requeued",
        ])
        #expect(EventName.allCases.filter(\.isRunnerEvent).count == 5)
        #expect(ErrorCode.allCases.map(\.rawValue) == [
            "bad_request", "not_found", "unsupported_op", "too_large", "unavailable", "not_registered", "internal",
        ])
        #expect(ImageContentType.allCases.map(\.fileExtension) == ["png", "jpg", "webp"])
        #expect(ImageContentType.jpeg.rawValue == "image/jpeg")
        #expect(Tier.allCases.map(\.rawValue) == ["quick", "standard", "deep"])
        #expect(SiteType.allCases.count == 7)
        #expect(DatabaseState.allCases.map(\.rawValue) == ["ok", "degraded", "disabled"])
    }

    @Test func limitsAndDefaultsMatchTheContract() {
        #expect(ProtocolLimits.maxQueryFrameBytes == 65_536)
        #expect(ProtocolLimits.maxRunnerHeaderBytes == 1_048_576)
        #expect(ProtocolLimits.maxScreenshotBytes == 16_777_216)
        #expect(ProtocolLimits.maxJSONDepth == 32)
        #expect(ProtocolLimits.maxEventSeq == 2_147_483_647)
        #expect(DefaultEndpoints.queriesBind == "tcp://*:5555")
        #expect(DefaultEndpoints.runnersBind == "tcp://*:5556")
        #expect(DefaultEndpoints.feedBind == "tcp://*:5557")
        #expect(DefaultEndpoints.feedConnect == "tcp://127.0.0.1:5557")
        #expect(ProtocolDefaults.protocolVersion == 1)
        #expect(ProtocolDefaults.runnerSilentTimeoutMilliseconds > ProtocolDefaults.heartbeatIntervalMilliseconds)
        #expect(ProtocolDefaults.databaseFileName == "veritas.sqlite")
    }

    @Test func protocolErrorMessagesAreBounded() {
        let error = ProtocolError(.internal, String(repeating: "x", count: 10_000))
        #expect(error.message.unicodeScalars.count == ProtocolLimits.maxErrorMessageLength)
        #expect(error.description.hasPrefix("internal: "))
    }
}
