import Foundation
import Testing
import VeritasProtocol

/// Every decoder, fed garbage, must throw a ``ProtocolError`` (typed throws make "and nothing
/// else" a compile-time fact) and must never trap; these tests would crash the runner if not.
@Suite("Hostile input")
struct HostileInputTests {
    /// Every decoder of the module, applied to one JSON frame. Returns how many of the five threw.
    @discardableResult
    private func decodeEverywhere(_ data: Data) -> Int {
        var failures = 0
        do { _ = try QueryEnvelope.decode(data) } catch { failures += 1 }
        do { _ = try QueryReplyEnvelope.decode(data) } catch { failures += 1 }
        do { _ = try RunnerMessage.decode(frames: [data]) } catch { failures += 1 }
        do { _ = try WriterMessage.decode(data) } catch { failures += 1 }
        do { _ = try FeedMessage.decode(frames: [FeedMessage.topic(for: Fixtures.auditID), data]) } catch { failures += 1 }
        return failures
    }

    /// Valid encodings of every kind of message, as fuzzing seeds.
    private static var validFrames: [Data] {
        var frames: [Data] = []
        frames += QueryCodecTests.requests.map { QueryEnvelope(requestID: "r", request: $0).encode() }
        frames += QueryCodecTests.replies.map { QueryReplyEnvelope(requestID: "r", reply: $0).encode() }
        // Screenshot events need their image frame; their truncations are tested separately.
        frames += RunnerMessageTests.messages.map { $0.encodeFrames() }.filter { $0.count == 1 }.map { $0[0] }
        frames += WriterMessageTests.messages.prefix(4).map { $0.encode() }
        frames += FeedMessageTests.messages.map { $0.encodeFrames()[1] }
        return frames
    }

    @Test func twentyThousandRandomInputsAreAllRejected() async {
        var generator = SeededGenerator(seed: 0x5EED)
        var rejected = 0
        let inputs = 20_000
        for position in 0..<inputs {
            // CPU-bound for seconds: let other tests' tasks have the (2-thread) pool now and then.
            if position.isMultiple(of: 500) { await Task.yield() }
            let length = Int.random(in: 0...4096, using: &generator)
            var bytes = [UInt8](repeating: 0, count: length)
            // Eight random bytes per draw: a debug build spends most of this test drawing.
            var index = 0
            while index < length {
                var word = generator.next()
                for _ in 0..<min(8, length - index) {
                    bytes[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
            // Half of them start like JSON, so the parser gets past the first byte.
            if position.isMultiple(of: 2), !bytes.isEmpty { bytes[0] = UInt8(ascii: "{") }
            rejected += decodeEverywhere(Data(bytes))
        }
        #expect(rejected == inputs * 5)
    }

    @Test func mutatedValidMessagesNeverTrap() {
        var generator = SeededGenerator(seed: 42)
        let seeds = Self.validFrames
        var rejected = 0
        var attempts = 0
        for _ in 0..<4_000 {
            var bytes = [UInt8](seeds[Int.random(in: seeds.indices, using: &generator)])
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                let index = Int.random(in: bytes.indices, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                case 2: bytes.insert(Array("{}[]\",:\\0-e.9".utf8).randomElement(using: &generator) ?? 0, at: index)
                default: bytes[index] ^= 0x80
                }
            }
            rejected += decodeEverywhere(Data(bytes))
            attempts += 5
        }
        // Each frame suits at most one decoder, so at least 4 of 5 must fail; mutations break most of the rest.
        #expect(rejected >= attempts * 4 / 5)
    }

    @Test func everyTruncationOfEveryValidMessageIsRejected() {
        for seed in Self.validFrames {
            #expect(decodeEverywhere(seed) < 5)  // the decoder it was made for accepts it
            for length in 0..<seed.count {
                let prefix = seed.prefix(length)
                #expect(decodeEverywhere(prefix) == 5, "prefix of length \(length) was accepted")
            }
        }
    }

    @Test func everyTruncationOfAScreenshotImageIsABadRequest() {
        let frames = RunnerMessage.event(Fixtures.event(Fixtures.payloads[3])).encodeFrames()
        for length in [0, 1, 150, 299] {
            expectProtocolError(.badRequest, mentioning: "byte_count") {
                _ = try RunnerMessage.decode(frames: [frames[0], frames[1].prefix(length)])
            }
        }
    }

    @Test func framesOneByteOverTheirLimitAreTooLarge() {
        func padded(_ size: Int) -> Data {
            var data = Data(#"{"x":""#.utf8)
            data.append(Data(repeating: UInt8(ascii: "a"), count: size - data.count - 2))
            data.append(Data(#""}"#.utf8))
            return data
        }
        let queryLimit = padded(ProtocolLimits.maxQueryFrameBytes)
        expectProtocolError(.badRequest, mentioning: "field 'op' is required") { _ = try QueryEnvelope.decode(queryLimit) }
        expectProtocolError(.tooLarge, mentioning: "65536") {
            _ = try QueryEnvelope.decode(padded(ProtocolLimits.maxQueryFrameBytes + 1))
        }
        expectProtocolError(.tooLarge, mentioning: "1048576") {
            _ = try RunnerMessage.decode(frames: [padded(ProtocolLimits.maxRunnerHeaderBytes + 1)])
        }
        expectProtocolError(.tooLarge) {
            _ = try WriterMessage.decode(padded(ProtocolLimits.maxWriterMessageBytes + 1))
        }
        expectProtocolError(.tooLarge) {
            _ = try FeedMessage.decode(frames: [Data(), padded(ProtocolLimits.maxFeedFrameBytes + 1)])
        }
        expectProtocolError(.tooLarge, mentioning: "reply frame") {
            _ = try QueryReplyEnvelope.decode(Data(count: ProtocolLimits.maxReplyFrameBytes + 1))
        }
    }

    @Test func deepNestingIsRefusedBeforeParsing() throws {
        let hostile = [
            String(repeating: "[", count: 100_000),
            String(repeating: "{\"a\":", count: 100_000),
            "{\"op\":" + String(repeating: "[", count: 33) + String(repeating: "]", count: 33) + "}",
            String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000),
        ]
        for text in hostile {
            let withinQueryLimit = frame(String(text.prefix(60_000)))
            expectProtocolError(.badRequest, mentioning: "nesting deeper than 32") { _ = try QueryEnvelope.decode(withinQueryLimit) }
            expectProtocolError(.badRequest, mentioning: "nesting") { _ = try RunnerMessage.decode(frames: [frame(text)]) }
            expectProtocolError(.badRequest, mentioning: "nesting") { _ = try JSONValue.decode(frame(text)) }
        }
        // Exactly at the limit is fine; one more is not.
        let atLimit = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try JSONValue.decode(frame(atLimit)).nestingDepthForTests == 32)
        let overLimit = "[" + atLimit + "]"
        expectProtocolError(.badRequest, mentioning: "nesting") { _ = try JSONValue.decode(frame(overLimit)) }
    }

    @Test func bracketsInsideStringsDoNotCount() throws {
        let brackets = String(repeating: "[{", count: 5_000)
        let envelope = try QueryEnvelope.decode(frame(#"{"op":"health","request_id":"x","pad":"\#(brackets)","esc":"\"[[[\\"}"#))
        #expect(envelope.request == .health)
        // An escaped quote must not end the string early in the depth scan.
        let tricky = #"{"op":"health","a":"\"\#(String(repeating: "[", count: 40))"}"#
        #expect(try QueryEnvelope.decode(frame(tricky)).request == .health)
    }

    @Test(arguments: [
        "1e999", "-1e999", "1" + String(repeating: "0", count: 400), "NaN", "Infinity", "-Infinity", "nan", "inf", "0x10",
        "+1", "01", "1.", ".5", "1e", "1e+", "--1", "1_000", "١",
    ])
    func hostileNumbersAreMalformedJSON(_ number: String) {
        expectProtocolError(.badRequest, mentioning: "malformed JSON") { _ = try QueryEnvelope.decode(frame(#"{"op":"list","limit":\#(number)}"#)) }
        expectProtocolError(.badRequest, mentioning: "malformed JSON") { _ = try JSONValue.decode(frame(number)) }
    }

    @Test(arguments: [
        ("9223372036854775807", "limit"), ("9223372036854775808", "limit"), ("-9223372036854775809", "limit"),
        ("1e300", "limit"), ("-0.0000001", "limit"), ("\"NaN\"", "limit"), ("\"Infinity\"", "limit"), ("\"50\"", "limit"),
        ("1e-400", "limit"), ("null", ""), ("0.5", "limit"), ("[50]", "limit"), ("{}", "limit"),
    ])
    func hugeAndNaNishNumbersAreFieldErrors(_ number: String, _ field: String) {
        let json = #"{"op":"list","limit":\#(number)}"#
        if field.isEmpty {
            // null is the same as absent: the default applies.
            #expect((try? QueryEnvelope.decode(frame(json)))?.request == .list(status: nil, limit: 50, offset: 0))
        } else {
            expectProtocolError(.badRequest, mentioning: "field '\(field)'") { _ = try QueryEnvelope.decode(frame(json)) }
        }
    }

    @Test func hugeNumbersInRunnerFieldsNeverTrap() {
        for number in ["1e308", "-1e308", "9007199254740993", "2147483648", "4.9e-324", "18446744073709551616"] {
            let header = #"{"type":"event","event_id":"\#(Fixtures.eventID)","audit_id":"\#(Fixtures.auditID)","seq":\#(number),"event":"audit.progress","timestamp":"2026-11-26T15:08:43.123Z","runner_id":"r","payload":{"phase":"x","percent":\#(number)}}"#
            expectProtocolError(.badRequest, mentioning: "field '") { _ = try RunnerMessage.decode(frames: [frame(header)]) }
            let screenshot = #"{"type":"event","event_id":"\#(Fixtures.eventID)","audit_id":"\#(Fixtures.auditID)","seq":1,"event":"audit.screenshot","timestamp":"2026-11-26T15:08:43.123Z","runner_id":"r","payload":{"index":0,"label":"x","content_type":"image/png","byte_count":\#(number)}}"#
            do {
                _ = try RunnerMessage.decode(frames: [frame(screenshot), Data([1])])
                Issue.record("byte_count \(number) was accepted")
            } catch {
                #expect([.badRequest, .tooLarge].contains(error.error.code))
                #expect(error.eventID == Fixtures.eventID)
            }
        }
    }

    @Test(arguments: [
        [0xC3, 0x28] as [UInt8],  // invalid continuation
        [0xC0, 0xAF],  // overlong "/"
        [0xED, 0xA0, 0x80],  // UTF-8-encoded surrogate
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        [0xFF],
        [0xE2, 0x82],  // truncated sequence
    ])
    func invalidUTF8IsMalformed(_ bad: [UInt8]) {
        var data = Data(#"{"op":"submit","url":"https://a.example/"#.utf8)
        data.append(contentsOf: bad)
        data.append(contentsOf: Array(#""}"#.utf8))
        expectProtocolError(.badRequest, mentioning: "malformed JSON", "UTF-8") { _ = try QueryEnvelope.decode(data) }
    }

    @Test func stringEscapesAreStrict() throws {
        for bad in [#""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\x41""#, #""\u12""#, #""\u12G4""#, "\"a\u{1}b\"", "\"abc", "\"\\"] {
            expectProtocolError(.badRequest, mentioning: "malformed JSON") { _ = try JSONValue.decode(frame(bad)) }
        }
        #expect(try JSONValue.decode(frame(#""\ud83d\ude00 \u00e9\n\/""#)) == .string("😀 é\n/"))
        #expect(try JSONValue.decode(frame("\"😀\"")) == .string("😀"))
    }

    @Test func structuralGarbageIsMalformed() {
        for bad in [
            "", " ", "\u{FEFF}{\"op\":\"health\"}", "{\"op\":\"health\"", "{\"op\":\"health\",}", "{\"op\" \"health\"}",
            "{op:\"health\"}", "{'op':'health'}", "{\"op\":\"health\"}}", "{\"op\":\"health\"} x", "{\"op\":tru}",
            "{\"op\":\"health\",\"op\":\"submit\"}", "[1,]", "[,1]", "{\"a\":1 \"b\":2}", "\u{0}", "nul", "{\"op\":\"health\"}\u{0}",
        ] {
            expectProtocolError(.badRequest, mentioning: "malformed JSON") { _ = try QueryEnvelope.decode(frame(bad)) }
        }
        expectProtocolError(.badRequest, mentioning: "duplicate key 'op'") {
            _ = try QueryEnvelope.decode(frame(#"{"op":"health","op":"submit"}"#))
        }
    }

    @Test func wrongFrameCountsEverywhere() {
        let hello = RunnerMessage.hello(RunnerHello(runnerID: Fixtures.runnerID, capacity: 1, version: "1")).encodeFrames()[0]
        for count in [0, 2, 3, 10] {
            let frames = Array(repeating: hello, count: count)
            expectProtocolError(.badRequest, mentioning: "frame") { _ = try RunnerMessage.decode(frames: frames) }
            expectProtocolError(.badRequest, mentioning: "frame") { _ = try WriterMessage.decode(frames: frames) }
        }
        for count in [0, 1, 3] {
            let frames = Array(repeating: hello, count: count)
            expectProtocolError(.badRequest, mentioning: "frame") { _ = try FeedMessage.decode(frames: frames) }
        }
        let screenshot = RunnerMessage.event(Fixtures.event(Fixtures.payloads[3])).encodeFrames()
        expectProtocolError(.badRequest, mentioning: "2 frames; got 1") { _ = try RunnerMessage.decode(frames: [screenshot[0]]) }
        expectProtocolError(.badRequest, mentioning: "byte_count") {
            _ = try RunnerMessage.decode(frames: [screenshot[0], screenshot[1] + Data([0])])
        }
        expectProtocolError(.badRequest, mentioning: "malformed JSON") {
            _ = try RunnerMessage.decode(frames: [screenshot[1], screenshot[0]])  // frames swapped
        }
    }

    @Test func hostileTextInErrorMessagesIsBoundedAndEscaped() {
        let longHostile = String(repeating: "\u{1b}[31m", count: 2_000)
        let json: JSONValue = ["op": "submit", "url": "https://a.example", "tier": .string(longHostile)]
        do {
            _ = try QueryEnvelope.decode(json.encoded())
            Issue.record("expected a failure")
        } catch {
            #expect(error.error.message.count < 600)
            #expect(!error.error.message.unicodeScalars.contains("\u{1b}"))
            #expect(error.error.message.contains("\\u{1b}"))
        }
    }
}

extension JSONValue {
    /// Levels of nesting, recomputed here so the test does not rely on internals.
    var nestingDepthForTests: Int {
        switch self {
        case .array(let items): 1 + (items.map(\.nestingDepthForTests).max() ?? 0)
        case .object(let fields): 1 + (fields.values.map(\.nestingDepthForTests).max() ?? 0)
        default: 0
        }
    }
}
