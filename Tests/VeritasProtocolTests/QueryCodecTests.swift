import Foundation
import Testing
import VeritasProtocol

@Suite("Queries endpoint codec")
struct QueryCodecTests {
    static let requests: [QueryRequest] = [
        .submit(url: "https://example.com", tier: .standard, verdictMode: .expert),
        .submit(url: "HTTP://[::1]:8080/path?q=ü#frag", tier: .quick, verdictMode: .simple),
        .status(auditID: Fixtures.auditID),
        .list(status: nil, limit: 50, offset: 0),
        .list(status: .completed, limit: 500, offset: 1_000_000),
        .findings(auditID: Fixtures.auditID),
        .screenshots(auditID: Fixtures.auditID),
        .screenshot(auditID: Fixtures.auditID, index: 999),
        .health,
    ]

    @Test(arguments: requests)
    func requestsRoundTrip(_ request: QueryRequest) throws {
        for requestID in [nil, "r-1", "日本"] as [String?] {
            let envelope = QueryEnvelope(requestID: requestID, request: request)
            #expect(try QueryEnvelope.decode(envelope.encode()) == envelope)
        }
    }

    @Test func requestsAsIntegratorsWriteThem() throws {
        #expect(try QueryEnvelope.decode(frame(#"{"op": "health"}"#)).request == .health)
        #expect(
            try QueryEnvelope.decode(frame(#"{"op":"submit","url":"https://example.com"}"#)).request
                == .submit(url: "https://example.com", tier: .standard, verdictMode: .simple))
        #expect(try QueryEnvelope.decode(frame(#"{"op":"list"}"#)).request == .list(status: nil, limit: 50, offset: 0))
        #expect(
            try QueryEnvelope.decode(frame(#"{"op":"list","status":null,"limit":10.0,"offset":20}"#)).request
                == .list(status: nil, limit: 10, offset: 20))
        let uppercase = try QueryEnvelope.decode(frame(#"{"op":"status","audit_id":"0192F7A4-3B1C-7D2E-8F00-0123456789AB"}"#))
        #expect(uppercase.request == .status(auditID: Fixtures.auditID))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let envelope = try QueryEnvelope.decode(frame(#"{"op":"health","future":{"x":[1,2,3]},"request_id":"a"}"#))
        #expect(envelope == QueryEnvelope(requestID: "a", request: .health))
    }

    @Test func requestEncodingIsCompactJSONWithOp() {
        let text = String(decoding: QueryEnvelope(requestID: "7", request: .status(auditID: Fixtures.auditID)).encode(), as: UTF8.self)
        #expect(text == #"{"audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","op":"status","request_id":"7"}"#)
    }

    // MARK: Request validation

    @Test(arguments: [
        (#"{"op":"submit"}"#, "field 'url' is required"),
        (#"{"op":"submit","url":null}"#, "field 'url' is required"),
        (#"{"op":"submit","url":42}"#, "field 'url' must be a string; got number"),
        (#"{"op":"submit","url":""}"#, "field 'url' must not be empty"),
        (#"{"op":"submit","url":"ftp://example.com"}"#, "field 'url' must use the http or https scheme"),
        (#"{"op":"submit","url":"javascript:alert(1)"}"#, "field 'url' must use the http or https scheme"),
        (#"{"op":"submit","url":"example.com"}"#, "field 'url'"),
        (#"{"op":"submit","url":"https:example.com"}"#, "field 'url' must be an absolute URL"),
        (#"{"op":"submit","url":"https://"}"#, "field 'url' must have a host"),
        (#"{"op":"submit","url":"https:///path"}"#, "field 'url' must have a host"),
        (#"{"op":"submit","url":"https://:80/"}"#, "field 'url' must have a host"),
        (#"{"op":"submit","url":"https://a.example:99999/"}"#, "field 'url' has an invalid port"),
        (#"{"op":"submit","url":"https://a.example:/"}"#, "field 'url' has an invalid port"),
        (#"{"op":"submit","url":"https://a.example:8x/"}"#, "field 'url' has an invalid port"),
        (#"{"op":"submit","url":"https://[::1/"}"#, "field 'url' has an unterminated IPv6 host"),
        (#"{"op":"submit","url":"https://user:pw@a.example/"}"#, "field 'url' must not contain credentials"),
        (#"{"op":"submit","url":"https://a.example/a b"}"#, "field 'url' must not contain whitespace or control characters"),
        (#"{"op":"submit","url":"https://a.example/\u0000"}"#, "field 'url' must not contain whitespace or control characters"),
        (#"{"op":"submit","url":"https://a.example/\u2028"}"#, "field 'url' must not contain whitespace"),
        (#"{"op":"submit","url":"https://a.example","tier":"fast"}"#, "field 'tier' must be one of quick, standard, deep; got 'fast'"),
        (#"{"op":"submit","url":"https://a.example","tier":1}"#, "field 'tier' must be one of quick, standard, deep; got number"),
        (#"{"op":"submit","url":"https://a.example","verdict_mode":"EXPERT"}"#, "field 'verdict_mode' must be one of simple, expert"),
        (#"{"op":"status"}"#, "field 'audit_id' is required"),
        (#"{"op":"status","audit_id":7}"#, "field 'audit_id' must be a string"),
        (#"{"op":"findings","audit_id":"../../etc/passwd"}"#, "invalid audit_id"),
        (#"{"op":"screenshots","audit_id":"%2e%2e"}"#, "invalid audit_id"),
        (#"{"op":"screenshot","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab"}"#, "field 'index' is required"),
        (#"{"op":"screenshot","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","index":1000}"#, "field 'index' must be an integer between 0 and 999; got 1000"),
        (#"{"op":"screenshot","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","index":-1}"#, "field 'index'"),
        (#"{"op":"screenshot","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","index":"0"}"#, "field 'index' must be an integer between 0 and 999; got string"),
        (#"{"op":"list","limit":0}"#, "field 'limit' must be an integer between 1 and 500; got 0"),
        (#"{"op":"list","limit":501}"#, "field 'limit' must be an integer between 1 and 500; got 501"),
        (#"{"op":"list","limit":1.5}"#, "field 'limit' must be an integer between 1 and 500; got 1.5"),
        (#"{"op":"list","limit":true}"#, "field 'limit' must be an integer between 1 and 500; got boolean"),
        (#"{"op":"list","limit":1e300}"#, "field 'limit'"),
        (#"{"op":"list","offset":-1}"#, "field 'offset' must be an integer between 0 and 1000000; got -1"),
        (#"{"op":"list","offset":1000001}"#, "field 'offset'"),
        (#"{"op":"list","status":"done"}"#, "field 'status' must be one of queued, running, completed, error; got 'done'"),
        (#"{"op":"health","request_id":5}"#, "field 'request_id' must be a string"),
        (#"{"op":"health","request_id":"0123456789012345678901234567890123456789012345678901234567890123X"}"#, "field 'request_id' must be at most 64 characters"),
        (#"{"op":"health","request_id":"a\nb"}"#, "field 'request_id' must not contain control characters"),
        (#"{"url":"https://a.example"}"#, "field 'op' is required"),
        (#"{"op":null}"#, "field 'op' is required"),
        (#"{"op":["submit"]}"#, "field 'op' must be a string; got array"),
        (#"[{"op":"health"}]"#, "query frame must be a JSON object; got array"),
        (#""health""#, "query frame must be a JSON object; got string"),
        (#"{"op":"health""#, "malformed JSON"),
        (#"op=health"#, "malformed JSON"),
    ])
    func invalidRequestsAreBadRequests(_ json: String, _ fragment: String) {
        expectProtocolError(.badRequest, mentioning: fragment) { _ = try QueryEnvelope.decode(frame(json)) }
    }

    @Test func overLongURLIsRejected() {
        let url = "https://a.example/" + String(repeating: "a", count: ProtocolLimits.maxURLLength - 17)
        expectProtocolError(.badRequest, mentioning: "field 'url' must be at most 2048 characters; got 2049") {
            _ = try QueryEnvelope.decode(QueryEnvelope(request: .submit(url: url, tier: .quick, verdictMode: .simple)).encode())
        }
        let fits = String(url.dropLast())
        #expect(throws: Never.self) {
            try QueryEnvelope.decode(QueryEnvelope(request: .submit(url: fits, tier: .quick, verdictMode: .simple)).encode())
        }
    }

    @Test func unknownOpIsUnsupportedAndKeepsTheRequestID() throws {
        do {
            _ = try QueryEnvelope.decode(frame(#"{"op":"delete","request_id":"r9"}"#))
            Issue.record("expected a failure")
        } catch {
            #expect(error.error.code == .unsupportedOp)
            #expect(error.error.message.contains("'delete'"))
            #expect(error.requestID == "r9")
            #expect(error.operation == nil)
        }
    }

    @Test func fieldErrorsKeepTheRequestIDAndOp() throws {
        do {
            _ = try QueryEnvelope.decode(frame(#"{"op":"status","request_id":"abc","audit_id":"nope"}"#))
            Issue.record("expected a failure")
        } catch {
            #expect(error.requestID == "abc")
            #expect(error.operation == .status)
            let reply = try QueryReplyEnvelope.decode(error.reply.encode())
            #expect(reply.requestID == "abc")
            #expect(reply.reply == .failure(error.error))
        }
    }

    @Test func oversizedQueryFrameIsTooLarge() {
        var big = Data(#"{"op":"health","pad":""#.utf8)
        big.append(Data(repeating: UInt8(ascii: "x"), count: ProtocolLimits.maxQueryFrameBytes))
        big.append(Data(#""}"#.utf8))
        expectProtocolError(.tooLarge, mentioning: "65536") { _ = try QueryEnvelope.decode(big) }
    }

    // MARK: Replies

    static let replies: [QueryReply] = [
        .submitted(Fixtures.queuedAudit),
        .audit(Fixtures.completedAudit),
        .audit(Fixtures.queuedAudit),
        .auditList(AuditList(audits: [Fixtures.completedAudit, Fixtures.queuedAudit], limit: 2, offset: 0, nextOffset: 2, source: .database)),
        .auditList(AuditList(audits: [], limit: 50, offset: 100, nextOffset: nil, source: .memory)),
        .findings(FindingList(auditID: Fixtures.auditID, findings: Fixtures.findings, source: .database)),
        .findings(FindingList(auditID: Fixtures.auditID, findings: [], source: .memory)),
        .screenshots(ScreenshotList(auditID: Fixtures.auditID, screenshots: [Fixtures.screenshotInfo], source: .database)),
        .screenshot(Fixtures.screenshotInfo, source: .memory),
        .health(HealthReport(
            status: .degraded, persistenceEnabled: true, database: .degraded, version: "1.0.0", uptimeSeconds: 12.5,
            counts: AuditStatusCounts(queued: 1, running: 2, completed: 3, error: 4), queueDepth: 1, connectedRunners: 2,
            memoryAudits: 10, curveEnabled: true, droppedMessages: 3, errorReplies: 7, refusedConnections: 2)),
        .failure(ProtocolError(.notFound, "no audit 0192f7a4-3b1c-7d2e-8f00-0123456789ab")),
        .failure(ProtocolError(.unavailable, "database is down")),
    ]

    @Test(arguments: replies)
    func repliesRoundTrip(_ reply: QueryReply) throws {
        for requestID in [nil, "q1"] as [String?] {
            let envelope = QueryReplyEnvelope(requestID: requestID, reply: reply)
            #expect(try QueryReplyEnvelope.decode(envelope.encode()) == envelope)
        }
    }

    @Test func repliesCarryOkOpAndExplicitNulls() throws {
        let submitted = try JSONValue.decode(QueryReplyEnvelope(reply: .submitted(Fixtures.queuedAudit)).encode())
        #expect(submitted["ok"] == .bool(true))
        #expect(submitted["op"] == "submit")
        #expect(submitted["audit_id"] == .string(Fixtures.otherAuditID.rawValue))
        #expect(submitted["status"] == "queued")
        let audit = try #require(submitted["audit"])
        for key in ["trust_score", "risk_level", "narrative", "signal_scores", "site_type", "security_results",
                    "error_message", "runner_id", "started_at", "completed_at"] {
            #expect(audit[key] == .null, "\(key) should be an explicit null")
        }
        #expect(audit["source"] == "memory")
        #expect(audit["attempts"] == 0)

        let failure = try JSONValue.decode(QueryReplyEnvelope(requestID: "x", reply: .failure(.badRequest("nope"))).encode())
        #expect(failure == ["ok": false, "error": ["code": "bad_request", "message": "nope"], "request_id": "x"])
    }

    @Test func failureRepliesDecodeAsFailuresAndUnknownCodesAsInternal() throws {
        let reply = try QueryReplyEnvelope.decode(frame(#"{"ok":false,"error":{"code":"teapot","message":"short and stout"}}"#))
        #expect(reply.reply == .failure(ProtocolError(.internal, "short and stout")))
        expectProtocolError(.badRequest, mentioning: "field 'error' is required") {
            _ = try QueryReplyEnvelope.decode(frame(#"{"ok":false}"#))
        }
        // error.message is multi-line text (PROTOCOL.md §3.2): tab, LF and CR are allowed, other controls not.
        // (Found by the FuzzQueryReply and FuzzWriterMessage fuzz targets.)
        let multiline = try QueryReplyEnvelope.decode(frame(#"{"ok":false,"error":{"code":"bad_request","message":"line 1\n\tline 2\r"}}"#))
        #expect(multiline.reply == .failure(ProtocolError(.badRequest, "line 1\n\tline 2\r")))
        let writerError = try WriterMessage.decode(frame(#"{"type":"error","error":{"code":"bad_request","message":"a\nb"}}"#))
        #expect(writerError == .error(ProtocolError(.badRequest, "a\nb")))
        expectProtocolError(.badRequest, mentioning: "control character") {
            _ = try QueryReplyEnvelope.decode(frame(#"{"ok":false,"error":{"code":"bad_request","message":"bell \u0007"}}"#))
        }
        expectProtocolError(.badRequest, mentioning: "field 'ok' must be a boolean") {
            _ = try QueryReplyEnvelope.decode(frame(#"{"ok":"yes"}"#))
        }
        expectProtocolError(.badRequest, mentioning: "field 'op'") {
            _ = try QueryReplyEnvelope.decode(frame(#"{"ok":true,"audit":{}}"#))
        }
        expectProtocolError(.badRequest, mentioning: "field 'audit.id' is required") {
            _ = try QueryReplyEnvelope.decode(frame(#"{"ok":true,"op":"status","audit":{}}"#))
        }
    }

    @Test func invalidReplyFieldsNameTheirPath() throws {
        var list = AuditList(audits: [Fixtures.completedAudit], limit: 1, offset: 0, nextOffset: nil, source: .database)
        list.audits[0].trustScore = 101
        expectProtocolError(.badRequest, mentioning: "field 'audits[0].trust_score' must be an integer between 0 and 100; got 101") {
            _ = try QueryReplyEnvelope.decode(QueryReplyEnvelope(reply: .auditList(list)).encode())
        }
        var info = Fixtures.screenshotInfo
        info.filePath = "../../etc/passwd"
        expectProtocolError(.badRequest, mentioning: "field 'screenshot.file_path'") {
            _ = try QueryReplyEnvelope.decode(QueryReplyEnvelope(reply: .screenshot(info, source: .memory)).encode())
        }
        info.filePath = "/etc/passwd"
        expectProtocolError(.badRequest, mentioning: "file_path") {
            _ = try QueryReplyEnvelope.decode(QueryReplyEnvelope(reply: .screenshot(info, source: .memory)).encode())
        }
        info = Fixtures.screenshotInfo
        info.sha256 = String(repeating: "AB", count: 32)
        expectProtocolError(.badRequest, mentioning: "field 'screenshot.sha256' must be 64 lowercase hex digits") {
            _ = try QueryReplyEnvelope.decode(QueryReplyEnvelope(reply: .screenshot(info, source: .memory)).encode())
        }
        var findings = FindingList(auditID: Fixtures.auditID, findings: Fixtures.findings, source: .database)
        findings.findings[1].confidence = 1.5
        expectProtocolError(.badRequest, mentioning: "field 'findings[1].confidence' must be a number between 0 and 1; got 1.5") {
            _ = try QueryReplyEnvelope.decode(QueryReplyEnvelope(reply: .findings(findings)).encode())
        }
    }

    @Test func screenshotReplyHasTwoFrames() throws {
        let first = QueryReplyEnvelope(reply: .screenshot(Fixtures.screenshotInfo, source: .database)).encode()
        let (envelope, image) = try QueryReplyEnvelope.decode(frames: [first, Fixtures.image])
        #expect(image == Fixtures.image)
        #expect(envelope.reply == .screenshot(Fixtures.screenshotInfo, source: .database))
        expectProtocolError(.badRequest, mentioning: "2 frames") { _ = try QueryReplyEnvelope.decode(frames: [first]) }
        expectProtocolError(.badRequest, mentioning: "file_size_bytes") {
            _ = try QueryReplyEnvelope.decode(frames: [first, Data([1, 2, 3])])
        }
        let health = QueryReplyEnvelope(reply: .failure(.badRequest("x"))).encode()
        #expect(try QueryReplyEnvelope.decode(frames: [health]).image == nil)
        expectProtocolError(.badRequest, mentioning: "1 frame") { _ = try QueryReplyEnvelope.decode(frames: [health, Data()]) }
        expectProtocolError(.badRequest, mentioning: "got 0") { _ = try QueryReplyEnvelope.decode(frames: []) }
    }
}
