import Foundation
import Logging
import VeritasProtocol
import VeritasStore
import ZeroMQ

/// Answers the queries endpoint (a ROUTER that any REQ client can talk to).
///
/// Every request gets exactly one reply, a success or `{"ok": false, "error": ...}`; nothing a
/// client sends can stop the server. Framing: `[routing id, (envelope...), empty, request]`
/// from REQ (or a DEALER that sends the delimiter); a DEALER without the delimiter is answered
/// without one.
struct QueryServer: Sendable {
    let socket: AsyncSocket
    let feed: FeedPublisher
    let store: any WriterStore
    let screenshots: any ScreenshotStore
    let state: WriterState
    /// Whether the endpoints require CURVE, for `health`.
    let curveEnabled: Bool
    /// Messages the sockets themselves discarded (too many frames), for `health`.
    let socketDrops: @Sendable () -> Int
    let logger: Logger

    /// Requests answered at once, at most: a `submit` waiting on the database must not hold up
    /// `status` or `health` behind it.
    static let concurrentRequests = 32

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while !state.stopping.load(ordering: .relaxed) {
                guard let batch = await socket.receive(upTo: 64, timeout: .milliseconds(100)) else { break }
                for message in batch {
                    if running >= Self.concurrentRequests {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    // Named here, in arrival order: audits submitted together keep their order
                    // (queue and `list`) however the concurrent answers interleave.
                    let arrival = Arrival(auditID: .generate(), time: .now)
                    group.addTask { await socket.sendIgnoringPeerErrors(await reply(to: message, arrival: arrival), state: state, logger: logger) }
                }
            }
        }
    }

    /// When a request arrived, and the id an audit it submits gets.
    struct Arrival: Sendable {
        var auditID: AuditID
        var time: Timestamp
    }

    /// The reply frames (envelope included) for one received message.
    func reply(to message: [Frame], arrival: Arrival = Arrival(auditID: .generate(), time: .now)) async -> [Frame] {
        // frame 0 is the routing id; the REQ envelope ends at the first empty frame.
        let delimiter = message.indices.dropFirst().first { message[$0].isEmpty }
        let envelope = Array(message[...(delimiter ?? 0)])
        let body = message[((delimiter ?? 0) + 1)...]
        let answer: (QueryReplyEnvelope, Data?)
        if body.count != 1 {
            answer = (failure(.badRequest("a request is exactly one JSON frame after the envelope; got \(body.count) frames")), nil)
        } else if body[body.startIndex].count > ProtocolLimits.maxQueryFrameBytes {
            answer = (failure(.tooLarge("request is \(body[body.startIndex].count) bytes; the limit is \(ProtocolLimits.maxQueryFrameBytes)")), nil)
        } else {
            do {
                let request = try QueryEnvelope.decode(body[body.startIndex].data)
                answer = await execute(request, arrival: arrival)
            } catch {
                answer = (error.reply, nil)
            }
        }
        if case .failure = answer.0.reply { state.errorReplies.add(1, ordering: .relaxed) }
        var frames = envelope + [Frame(noCopy: answer.0.encode())]
        if let image = answer.1 { frames.append(Frame(noCopy: image)) }
        return frames
    }

    private func failure(_ error: ProtocolError, requestID: String? = nil) -> QueryReplyEnvelope {
        QueryReplyEnvelope(requestID: requestID, reply: .failure(error))
    }

    private func execute(_ envelope: QueryEnvelope, arrival: Arrival) async -> (QueryReplyEnvelope, Data?) {
        let requestID = envelope.requestID
        do {
            let (reply, image) = try await answer(envelope.request, arrival: arrival)
            return (QueryReplyEnvelope(requestID: requestID, reply: reply), image)
        } catch let error as ProtocolError {
            return (failure(error, requestID: requestID), nil)
        } catch let error as AuditStoreError where error.code == .unreadable {
            return (failure(ProtocolError(.unavailable, error.message), requestID: requestID), nil)
        } catch let error as ScreenshotFailure {
            return (failure(error.error, requestID: requestID), nil)
        } catch {
            logger.error("query failed", metadata: ["op": "\(envelope.request.operation.rawValue)", "error": "\(error)"])
            return (failure(ProtocolError(.internal, "the writer could not answer: \(error)"), requestID: requestID), nil)
        }
    }

    private func answer(_ request: QueryRequest, arrival: Arrival) async throws -> (QueryReply, Data?) {
        switch request {
        case let .submit(url, tier, verdictMode):
            let audit = Audit(
                id: arrival.auditID, url: url, tier: tier, verdictMode: verdictMode, status: .queued,
                createdAt: arrival.time, source: store.submitSource
            )
            do {
                try await store.enqueue(audit, within: .milliseconds(ProtocolDefaults.submitStoreTimeoutMilliseconds))
            } catch {
                throw ProtocolError(.unavailable, "the audit could not be stored durably; try again: \(error)")
            }
            state.dispatchRequested.store(true, ordering: .relaxed)
            feed.publish(audit.id) {
                FeedMessage(
                    event: .queued, auditID: audit.id, status: .queued, seq: nil, eventID: nil, timestamp: audit.createdAt,
                    payload: .object(["url": .string(url), "tier": .string(tier.rawValue), "verdict_mode": .string(verdictMode.rawValue)])
                )
            }
            logger.info("audit queued", metadata: ["audit_id": "\(audit.id)", "url": "\(url)"])
            return (.submitted(audit), nil)

        case let .status(auditID):
            return (.audit(try await requireAudit(auditID)), nil)

        case let .list(status, limit, offset):
            // One extra row tells whether another page exists.
            let page = try await store.audits(status: status, limit: limit + 1, offset: offset)
            let audits = Array(page.prefix(limit))
            let source = audits.first?.source ?? (store.databaseState == .ok ? .database : .memory)
            let next = page.count > limit ? offset + limit : nil
            return (.auditList(AuditList(audits: audits, limit: limit, offset: offset, nextOffset: next, source: source)), nil)

        case let .findings(auditID):
            let audit = try await requireAudit(auditID)
            let findings = try await store.findings(of: auditID)
            return (.findings(FindingList(auditID: auditID, findings: findings, source: audit.source)), nil)

        case let .screenshots(auditID):
            let audit = try await requireAudit(auditID)
            let list = try await store.screenshots(of: auditID)
            return (.screenshots(ScreenshotList(auditID: auditID, screenshots: list, source: audit.source)), nil)

        case let .screenshot(auditID, index):
            let audit = try await requireAudit(auditID)
            guard let info = try await store.screenshots(of: auditID).first(where: { $0.index == index }) else {
                throw ProtocolError(.notFound, "audit \(auditID) has no screenshot with index \(index)")
            }
            let bytes = try await screenshots.read(info)
            return (.screenshot(info, source: audit.source), bytes)

        case .health:
            return (.health(try await health()), nil)
        }
    }

    private func requireAudit(_ id: AuditID) async throws -> Audit {
        guard let audit = try await store.audit(id) else {
            throw ProtocolError(.notFound, "no audit with id \(id)")
        }
        return audit
    }

    func health() async throws -> HealthReport {
        let database = store.databaseState
        let counts = try await store.statusCountsAndSource()
        return HealthReport(
            status: database == .degraded ? .degraded : .ok,
            persistenceEnabled: store.persistenceEnabled,
            database: database,
            version: VeritasVersion.current,
            protocolVersion: ProtocolDefaults.protocolVersion,
            uptimeSeconds: state.uptimeSeconds,
            counts: counts.counts,
            queueDepth: try await store.queueDepth(),
            connectedRunners: state.connectedRunners.load(ordering: .relaxed),
            memoryAudits: store.memory.count,
            curveEnabled: curveEnabled,
            droppedMessages: state.droppedMessages.load(ordering: .relaxed) + socketDrops(),
            errorReplies: state.errorReplies.load(ordering: .relaxed),
            refusedConnections: state.refusedConnections.load(ordering: .relaxed),
            countsSource: counts.source
        )
    }
}

extension AsyncSocket {
    /// Sends a reply; a peer that left or whose queue stays full only costs a log line and a
    /// counter (its request was answered as far as this side can).
    func sendIgnoringPeerErrors(_ frames: [Frame], state: WriterState, logger: Logger) async {
        do {
            try await send(frames)
        } catch {
            state.droppedMessages.add(1, ordering: .relaxed)
            logger.debug("reply not delivered", metadata: ["error": "\(error)"])
        }
    }
}
