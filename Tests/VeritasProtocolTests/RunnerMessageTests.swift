import Foundation
import Testing
import VeritasProtocol

@Suite("Runners endpoint: runner → writer")
struct RunnerMessageTests {
    static let messages: [RunnerMessage] =
        [
            .hello(RunnerHello(runnerID: Fixtures.runnerID, capacity: 4, active: [], version: "0.1.0")),
            .hello(RunnerHello(
                runnerID: Fixtures.runnerID, capacity: 256, active: [Fixtures.auditID, Fixtures.otherAuditID], version: "v2 (linux)")),
            .heartbeat(RunnerHeartbeat(runnerID: Fixtures.runnerID, capacity: 1, active: [Fixtures.auditID])),
            .release(JobRelease(runnerID: Fixtures.runnerID, auditID: Fixtures.auditID, reason: "SIGTERM: shutting down")),
            .release(JobRelease(runnerID: Fixtures.runnerID, auditID: Fixtures.auditID)),
            .bye(runnerID: Fixtures.runnerID),
        ] + Fixtures.payloads.enumerated().map { .event(Fixtures.event($1, seq: $0 + 1)) }

    @Test(arguments: messages)
    func messagesRoundTrip(_ message: RunnerMessage) throws {
        let frames = message.encodeFrames()
        #expect(frames.count == (message.type == .event && isScreenshot(message) ? 2 : 1))
        #expect(try RunnerMessage.decode(frames: frames) == message)
        #expect(message.runnerID == Fixtures.runnerID)
    }

    private func isScreenshot(_ message: RunnerMessage) -> Bool {
        if case .event(let event) = message { return event.name == .screenshot }
        return false
    }

    @Test func screenshotBytesTravelRawInFrameTwo() throws {
        let event = Fixtures.event(.screenshot(index: 3, label: "viewport", contentType: .jpeg, image: Fixtures.image))
        let frames = RunnerMessage.event(event).encodeFrames()
        #expect(frames[1] == Fixtures.image)
        let header = try JSONValue.decode(frames[0])
        #expect(header["payload"] == ["index": 3, "label": "viewport", "content_type": "image/jpeg", "byte_count": 300])
        #expect(header["type"] == "event")
        #expect(header["event"] == "audit.screenshot")
        guard case .event(let decoded) = try RunnerMessage.decode(frames: frames) else {
            Issue.record("expected an event")
            return
        }
        #expect(decoded.payload.imageBytes == Fixtures.image)
        #expect(decoded.name == .screenshot)
    }

    @Test func uppercaseSHA256IsNormalised() throws {
        let header: JSONValue = .object(Fixtures.eventHeader("audit.screenshot", payload: [
            "index": 0, "label": "x", "content_type": "image/png", "byte_count": 1, "sha256": .string(String(repeating: "AB", count: 32)),
        ]))
        guard case .event(let event) = try RunnerMessage.decode(frames: [header.encoded(), Data([0])]),
            case .screenshot(let metadata, _) = event.payload
        else {
            Issue.record("expected a screenshot event")
            return
        }
        #expect(metadata.sha256 == String(repeating: "ab", count: 32))
    }

    @Test func helloAsARunnerInAnotherLanguageWritesIt() throws {
        let message = try RunnerMessage.decode(frames: [frame(
            #"{"type":"hello","protocol":1,"runner_id":"py-runner","capacity":2,"active":[],"version":"py/1.0","extra":true}"#)])
        #expect(message == .hello(RunnerHello(runnerID: try RunnerID("py-runner"), capacity: 2, version: "py/1.0")))
    }

    // MARK: Validation of non-event messages

    @Test(arguments: [
        (#"{"type":"hello","protocol":2,"runner_id":"r","capacity":1,"active":[],"version":"1"}"#, "field 'protocol' is 2 but this side speaks protocol 1"),
        (#"{"type":"hello","runner_id":"r","capacity":1,"active":[],"version":"1"}"#, "field 'protocol' is required"),
        (#"{"type":"hello","protocol":"1","runner_id":"r","capacity":1,"active":[],"version":"1"}"#, "field 'protocol' must be an integer"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":0,"active":[],"version":"1"}"#, "field 'capacity' must be an integer between 1 and 256; got 0"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":257,"active":[],"version":"1"}"#, "field 'capacity'"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"version":"1"}"#, "field 'active' is required"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"active":"x","version":"1"}"#, "field 'active' must be an array"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"active":["0192f7a4-3b1c-7d2e-8f00-0123456789ab","x"],"version":"1"}"#, "invalid active[1]"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"active":[1],"version":"1"}"#, "field 'active[0]' must be a string"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"active":[]}"#, "field 'version' is required"),
        (#"{"type":"hello","protocol":1,"runner_id":"r","capacity":1,"active":[],"version":""}"#, "field 'version' must not be empty"),
        (#"{"type":"hello","protocol":1,"runner_id":"../r","capacity":1,"active":[],"version":"1"}"#, "invalid runner_id"),
        (#"{"type":"heartbeat","runner_id":"r","capacity":1.5,"active":[]}"#, "field 'capacity'"),
        (#"{"type":"heartbeat","runner_id":".r","capacity":1,"active":[]}"#, "invalid runner_id"),
        (#"{"type":"release","runner_id":"r"}"#, "field 'audit_id' is required"),
        (#"{"type":"release","runner_id":"r","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","reason":7}"#, "field 'reason' must be a string"),
        (#"{"type":"bye"}"#, "field 'runner_id' is required"),
        (#"{"type":"goodbye","runner_id":"r"}"#, "field 'type' must be one of hello, heartbeat, event, release, bye; got 'goodbye'"),
        (#"{"runner_id":"r"}"#, "field 'type' is required"),
        (#"[]"#, "runner message header must be a JSON object; got array"),
    ])
    func invalidControlMessages(_ json: String, _ fragment: String) {
        expectProtocolError(.badRequest, mentioning: fragment) { _ = try RunnerMessage.decode(frames: [frame(json)]) }
    }

    @Test func activeListIsBounded() {
        let ids = (0...ProtocolLimits.maxActiveAuditsPerRunner).map { _ in AuditID.generate() }
        let hello = RunnerMessage.hello(RunnerHello(runnerID: Fixtures.runnerID, capacity: 1, active: ids, version: "1"))
        expectProtocolError(.badRequest, mentioning: "field 'active' must have at most 256 items; got 257") {
            _ = try RunnerMessage.decode(frames: hello.encodeFrames())
        }
    }

    @Test func overLongReasonAndVersionAreRejected() {
        let release = RunnerMessage.release(JobRelease(
            runnerID: Fixtures.runnerID, auditID: Fixtures.auditID, reason: String(repeating: "r", count: 513)))
        expectProtocolError(.badRequest, mentioning: "field 'reason' must be at most 512 characters") {
            _ = try RunnerMessage.decode(frames: release.encodeFrames())
        }
        let hello = RunnerMessage.hello(RunnerHello(runnerID: Fixtures.runnerID, capacity: 1, version: String(repeating: "v", count: 65)))
        expectProtocolError(.badRequest, mentioning: "field 'version' must be at most 64 characters") {
            _ = try RunnerMessage.decode(frames: hello.encodeFrames())
        }
    }

    // MARK: Validation of events

    /// Decodes an event whose header is `Fixtures.eventHeader` with `payload`, expecting `fragment`.
    private func expectEventError(
        _ event: String, payload: JSONValue, code: ErrorCode = .badRequest, image: Data? = nil, mentioning fragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let header = JSONValue.object(Fixtures.eventHeader(event, payload: payload)).encoded()
        let frames = image.map { [header, $0] } ?? [header]
        expectProtocolError(code, mentioning: fragment, sourceLocation: sourceLocation) {
            _ = try RunnerMessage.decode(frames: frames)
        }
    }

    @Test func eventHeaderRules() {
        let started = Fixtures.startedPayload
        let cases: [(String, JSONValue?, String)] = [
            ("event_id", "not-an-id", "invalid event_id"),
            ("event_id", nil, "field 'event_id' is required"),
            ("audit_id", "../../etc", "invalid audit_id"),
            ("seq", 0, "field 'seq' must be an integer between 1 and 2147483647; got 0"),
            ("seq", 2_147_483_648, "field 'seq' must be an integer between 1 and 2147483647; got 2147483648"),
            ("seq", 1e19, "field 'seq'"),
            ("seq", "1", "field 'seq' must be an integer between 1 and 2147483647; got string"),
            ("event", "audit.queued", "field 'event' 'audit.queued' is published by the writer only"),
            ("event", "audit.requeued", "field 'event' 'audit.requeued' is published by the writer only"),
            // The five names a runner may send, and not the feed-only ones.
            ("event", "audit.finished",
             "field 'event' must be one of audit.started, audit.progress, audit.screenshot, audit.completed, audit.error; got 'audit.finished'"),
            ("timestamp", "yesterday", "invalid timestamp"),
            ("runner_id", "", "invalid runner_id"),
            ("payload", nil, "field 'payload' is required"),
            ("payload", "x", "field 'payload' must be an object; got string"),
        ]
        for (key, value, fragment) in cases {
            let header = JSONValue.object(Fixtures.eventHeader(payload: started)).setting(key, value)
            expectProtocolError(.badRequest, mentioning: fragment) { _ = try RunnerMessage.decode(frames: [header.encoded()]) }
        }
    }

    @Test func startedAndProgressPayloadRules() {
        expectEventError("audit.started", payload: Fixtures.startedPayload.setting("url", "file:///etc/passwd"), mentioning: "field 'payload.url' must use the http or https scheme")
        expectEventError("audit.started", payload: Fixtures.startedPayload.setting("tier", nil), mentioning: "field 'payload.tier' is required")
        expectEventError("audit.started", payload: Fixtures.startedPayload.setting("verdict_mode", "loud"), mentioning: "field 'payload.verdict_mode' must be one of simple, expert; got 'loud'")
        let progress: JSONValue = ["phase": "fetch", "percent": 50]
        expectEventError("audit.progress", payload: progress.setting("phase", "Fetch"), mentioning: "field 'payload.phase' must be 1 to 64 characters from a-z, 0-9 and _")
        expectEventError("audit.progress", payload: progress.setting("phase", ""), mentioning: "field 'payload.phase'")
        expectEventError("audit.progress", payload: progress.setting("phase", .string(String(repeating: "a", count: 65))), mentioning: "field 'payload.phase'")
        expectEventError("audit.progress", payload: progress.setting("percent", 100.01), mentioning: "field 'payload.percent' must be a number between 0 and 100; got 100.01")
        expectEventError("audit.progress", payload: progress.setting("percent", -1), mentioning: "field 'payload.percent'")
        expectEventError("audit.progress", payload: progress.setting("message", .string(String(repeating: "m", count: 513))), mentioning: "field 'payload.message' must be at most 512 characters")
    }

    @Test func screenshotPayloadRules() {
        let metadata: JSONValue = ["index": 0, "label": "viewport", "content_type": "image/png", "byte_count": 3]
        let image = Data([1, 2, 3])
        expectEventError("audit.screenshot", payload: metadata, image: nil, mentioning: "an 'audit.screenshot' event must have 2 frames; got 1")
        expectEventError("audit.screenshot", payload: metadata.setting("index", 1000), image: image, mentioning: "field 'payload.index' must be an integer between 0 and 999")
        expectEventError("audit.screenshot", payload: metadata.setting("label", ""), image: image, mentioning: "field 'payload.label' must not be empty")
        expectEventError("audit.screenshot", payload: metadata.setting("label", .string(String(repeating: "l", count: 129))), image: image, mentioning: "field 'payload.label' must be at most 128 characters")
        expectEventError("audit.screenshot", payload: metadata.setting("label", "a\u{7}b"), image: image, mentioning: "field 'payload.label' must not contain control characters; found U+7")
        expectEventError("audit.screenshot", payload: metadata.setting("content_type", "image/gif"), image: image, mentioning: "field 'payload.content_type' must be one of image/png, image/jpeg, image/webp; got 'image/gif'")
        expectEventError("audit.screenshot", payload: metadata.setting("byte_count", 0), image: Data(), mentioning: "field 'payload.byte_count' must be an integer between 1 and 16777216; got 0")
        expectEventError("audit.screenshot", payload: metadata.setting("byte_count", 4), image: image, mentioning: "field 'payload.byte_count' is 4 but the image frame is 3 bytes")
        expectEventError("audit.screenshot", payload: metadata.setting("byte_count", 16_777_217), code: .tooLarge, image: image, mentioning: "field 'payload.byte_count'")
        expectEventError("audit.screenshot", payload: metadata.setting("sha256", "abc"), image: image, mentioning: "field 'payload.sha256' must be 64 hex digits")
        expectEventError("audit.screenshot", payload: metadata.setting("sha256", .string(String(repeating: "g", count: 64))), image: image, mentioning: "field 'payload.sha256'")
        // Lengths count code points, not bytes: 128 two-byte characters fit, 129 do not.
        let accented = JSONValue.object(Fixtures.eventHeader("audit.screenshot", payload: metadata.setting("label", .string(String(repeating: "é", count: 128)))))
        #expect(throws: Never.self) { try RunnerMessage.decode(frames: [accented.encoded(), image]) }
        expectEventError("audit.screenshot", payload: metadata.setting("label", .string(String(repeating: "é", count: 129))), image: image, mentioning: "field 'payload.label' must be at most 128 characters; got 129")
        expectEventError("audit.screenshot", payload: metadata.setting("label", "C1 control \u{85}"), image: image, mentioning: "found U+85")
        // A path-looking label is fine: the writer never uses it in a path.
        let header = JSONValue.object(Fixtures.eventHeader("audit.screenshot", payload: metadata.setting("label", "../../etc/passwd")))
        #expect(throws: Never.self) { try RunnerMessage.decode(frames: [header.encoded(), image]) }
    }

    @Test func oversizedImageFrameIsTooLarge() {
        let size = ProtocolLimits.maxScreenshotBytes + 1
        let metadata: JSONValue = ["index": 0, "label": "big", "content_type": "image/png", "byte_count": .number(Double(size))]
        expectEventError("audit.screenshot", payload: metadata, code: .tooLarge, image: Data(count: size), mentioning: "screenshot frame is 16777217 bytes")
    }

    @Test func completedPayloadRules() {
        let valid = Fixtures.completed.jsonValue
        #expect(throws: Never.self) {
            try RunnerMessage.decode(frames: [JSONValue.object(Fixtures.eventHeader("audit.completed", payload: valid)).encoded()])
        }
        let finding = Fixtures.findings[0].jsonValue
        func summary(_ findings: [JSONValue]) -> JSONValue { ["findings": .array(findings)] }
        var deep: JSONValue = 1
        for _ in 0..<16 { deep = [deep] }
        let cases: [(JSONValue, String)] = [
            (valid.setting("trust_score", 101), "field 'payload.trust_score' must be an integer between 0 and 100; got 101"),
            (valid.setting("trust_score", 50.5), "field 'payload.trust_score' must be an integer between 0 and 100; got 50.5"),
            (valid.setting("trust_score", nil), "field 'payload.trust_score' is required"),
            (valid.setting("risk_level", "extreme"), "field 'payload.risk_level' must be one of low, medium, high, critical; got 'extreme'"),
            (valid.setting("narrative", .string(String(repeating: "n", count: 20_001))), "field 'payload.narrative' must be at most 20000 characters; got 20001"),
            (valid.setting("narrative", ""), "field 'payload.narrative' must not be empty"),
            (valid.setting("signal_scores", ["https": 101]), "field 'payload.signal_scores.https' must be a number between 0 and 100; got 101"),
            (valid.setting("signal_scores", ["https": "high"]), "field 'payload.signal_scores.https' must be a number"),
            (valid.setting("signal_scores", ["X-Frame": 1]), "field 'payload.signal_scores' has an invalid signal name 'X-Frame'"),
            (valid.setting("signal_scores", .object(Dictionary(uniqueKeysWithValues: (0...32).map { ("s\($0)", JSONValue.number(1)) }))), "field 'payload.signal_scores' must have at most 32 entries; got 33"),
            (valid.setting("signal_scores", [1, 2]), "field 'payload.signal_scores' must be an object; got array"),
            (valid.setting("site_type", "casino"), "field 'payload.site_type' must be one of shop, saas, news, blog, finance, charity, other"),
            (valid.setting("security_results", [1]), "field 'payload.security_results' must be an object; got array"),
            (valid.setting("security_results", ["x": deep]), "field 'payload.security_results' must not nest deeper than 16 levels"),
            (valid.setting("dark_pattern_summary", nil), "field 'payload.dark_pattern_summary' is required"),
            (valid.setting("dark_pattern_summary", ["summary": 1]), "field 'payload.dark_pattern_summary.findings' is required"),
            (valid.setting("dark_pattern_summary", summary(Array(repeating: finding, count: 501))), "field 'payload.dark_pattern_summary.findings' must have at most 500 items; got 501"),
            (valid.setting("dark_pattern_summary", summary([finding, "x"])), "field 'payload.dark_pattern_summary.findings[1]' must be an object; got string"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("pattern_type", "low_stock")])), "field 'payload.dark_pattern_summary.findings[0].pattern_type' 'low_stock' does not belong to category 'urgency' (it is scarcity)"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("category", "greed")])), "field 'payload.dark_pattern_summary.findings[0].category' must be one of urgency"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("severity", "critical")])), "field 'payload.dark_pattern_summary.findings[0].severity' must be one of low, medium, high; got 'critical'"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("confidence", 1.01)])), "field 'payload.dark_pattern_summary.findings[0].confidence' must be a number between 0 and 1; got 1.01"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("evidence", .string(String(repeating: "e", count: 2_001)))])), "field 'payload.dark_pattern_summary.findings[0].evidence' must be at most 2000 characters"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("evidence", "")])), "field 'payload.dark_pattern_summary.findings[0].evidence' must not be empty"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("location", .string(String(repeating: "l", count: 513)))])), "field 'payload.dark_pattern_summary.findings[0].location' must be at most 512 characters"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("box", "top left")])), "field 'payload.dark_pattern_summary.findings[0].box' must be an object; got string"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("box", ["screenshot_index": 1, "x": 0, "y": 0, "width": 10])])), "field 'payload.dark_pattern_summary.findings[0].box.height' is required"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("box", ["screenshot_index": 1, "x": -1, "y": 0, "width": 10, "height": 5])])), "field 'payload.dark_pattern_summary.findings[0].box.x' must be a number between 0 and 100000"),
            (valid.setting("dark_pattern_summary", summary([finding.setting("box", ["screenshot_index": 1000, "x": 0, "y": 0, "width": 10, "height": 5])])), "field 'payload.dark_pattern_summary.findings[0].box.screenshot_index' must be"),
            (valid.setting("dark_pattern_summary", ["findings": [], "summary": ["x": deep]]), "field 'payload.dark_pattern_summary.summary' must not nest deeper than 16 levels"),
        ]
        for (payload, fragment) in cases {
            expectEventError("audit.completed", payload: payload, mentioning: fragment)
        }
    }

    @Test func errorPayloadRules() {
        expectEventError("audit.error", payload: ["error_message": ""], mentioning: "field 'payload.error_message' must not be empty")
        expectEventError("audit.error", payload: ["error_message": .string(String(repeating: "e", count: 4_097))], mentioning: "field 'payload.error_message' must be at most 4096 characters")
        expectEventError("audit.error", payload: [:], mentioning: "field 'payload.error_message' is required")
        let multiline = JSONValue.object(Fixtures.eventHeader("audit.error", payload: ["error_message": "TLS failed:\n\tcertificate expired"]))
        #expect(throws: Never.self) { try RunnerMessage.decode(frames: [multiline.encoded()]) }
    }

    // MARK: Frame counts and the event id on failures

    @Test func frameCountsAreEnforced() {
        expectProtocolError(.badRequest, mentioning: "got 0") { _ = try RunnerMessage.decode(frames: []) }
        let hello = RunnerMessage.hello(RunnerHello(runnerID: Fixtures.runnerID, capacity: 1, version: "1")).encodeFrames()
        expectProtocolError(.badRequest, mentioning: "a 'hello' message must have 1 frame; got 2") {
            _ = try RunnerMessage.decode(frames: hello + [Data([1])])
        }
        let started = RunnerMessage.event(Fixtures.event(Fixtures.payloads[0])).encodeFrames()
        expectProtocolError(.badRequest, mentioning: "an 'audit.started' event must have 1 frame; got 2") {
            _ = try RunnerMessage.decode(frames: started + [Data([1])])
        }
        let screenshot = RunnerMessage.event(Fixtures.event(Fixtures.payloads[3])).encodeFrames()
        expectProtocolError(.badRequest, mentioning: "must have 2 frames; got 3") {
            _ = try RunnerMessage.decode(frames: screenshot + [Data([1])])
        }
    }

    @Test func invalidEventsExposeTheirEventIDForReject() throws {
        let header = JSONValue.object(Fixtures.eventHeader(payload: Fixtures.startedPayload.setting("tier", "ultra")))
        do {
            _ = try RunnerMessage.decode(frames: [header.encoded()])
            Issue.record("expected a failure")
        } catch {
            #expect(error.eventID == Fixtures.eventID)
            #expect(error.error.message.contains("payload.tier"))
            #expect(error.reply == .reject(eventID: Fixtures.eventID, error: error.error))
        }
        // Wrong frame count is also a reject: the event can never be stored as sent.
        do {
            _ = try RunnerMessage.decode(frames: [header.encoded(), Data(), Data()])
            Issue.record("expected a failure")
        } catch {
            #expect(error.eventID == Fixtures.eventID)
        }
    }

    @Test func unreadableEventIDsAndControlMessagesGetAnErrorReply() throws {
        let header = JSONValue.object(Fixtures.eventHeader(payload: Fixtures.startedPayload)).setting("event_id", "../x")
        do {
            _ = try RunnerMessage.decode(frames: [header.encoded()])
            Issue.record("expected a failure")
        } catch {
            #expect(error.eventID == nil)
            #expect(error.reply == .error(error.error))
        }
        do {
            _ = try RunnerMessage.decode(frames: [frame(#"{"type":"heartbeat","event_id":"0192f7a4-3b1d-7000-8000-00000000000e"}"#)])
            Issue.record("expected a failure")
        } catch {
            #expect(error.eventID == nil)
            #expect(error.error.message.contains("runner_id"))
        }
    }

    @Test func oversizedHeaderIsTooLarge() {
        var header = Data(#"{"type":"bye","runner_id":"r","pad":""#.utf8)
        header.append(Data(repeating: UInt8(ascii: "p"), count: ProtocolLimits.maxRunnerHeaderBytes))
        header.append(Data(#""}"#.utf8))
        expectProtocolError(.tooLarge, mentioning: "runner message header", "1048576") {
            _ = try RunnerMessage.decode(frames: [header])
        }
    }
}
