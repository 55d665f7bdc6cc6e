import Foundation
import Synchronization
import Testing
import VeritasProtocol
import VeritasStore
import VeritasTestSupport
import VeritasWriter
import ZeroMQ

/// A real writer in this process (the shared `InProcessWriter`) with the writer tests'
/// defaults: a temporary data folder, fast heartbeats, a short silence timeout.
final class WriterHarness: Sendable {
    private let writer: InProcessWriter
    let dataDirectory: URL

    var endpoints: WriterService.BoundEndpoints { writer.endpoints }
    var configuration: WriterConfiguration { writer.configuration }

    /// Starts a writer; `configure` adjusts the test defaults.
    static func start(
        dataDirectory: URL? = nil,
        _ configure: (inout WriterConfiguration) -> Void = { _ in }
    ) async throws -> WriterHarness {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("veritas-writer-tests-\(UUID().uuidString)", isDirectory: true)
        let writer = try await InProcessWriter.start(dataDirectory: directory) { configuration in
            configuration.runnerSilentTimeoutMilliseconds = 600
            configure(&configuration)
        }
        return WriterHarness(writer: writer, dataDirectory: directory)
    }

    private init(writer: InProcessWriter, dataDirectory: URL) {
        self.writer = writer
        self.dataDirectory = dataDirectory
    }

    /// Graceful shutdown (as SIGTERM); returns when the writer has stopped.
    func stop() async throws {
        try await writer.stop()
    }

    /// Removes the data folder.
    func removeData() {
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    var databasePath: String { configuration.databasePath }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Test bed: everything a test starts, stopped and removed at the end whatever happens

/// Owns a temporary folder and every writer, client, runner and subscriber a test starts, and
/// tears them all down at the end of ``run(_:)`` (also when the test throws): clients first, then
/// writers, then the folder.
final class TestBed: Sendable {
    /// A fresh temporary folder; writers get `<root>/data` unless told otherwise.
    let root: URL
    private let closers = Mutex<[@Sendable () async -> Void]>([])
    private let writers = Mutex<[WriterHarness]>([])

    private init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("veritas-writer-tests-\(UUID().uuidString)", isDirectory: true)
    }

    /// Runs `body` with a fresh bed and always cleans up.
    static func run(_ body: (TestBed) async throws -> Void) async throws {
        let bed = TestBed()
        try FileManager.default.createDirectory(at: bed.root, withIntermediateDirectories: true)
        do {
            try await body(bed)
        } catch {
            await bed.tearDown()
            throw error
        }
        await bed.tearDown()
    }

    private func tearDown() async {
        for close in closers.withLock({ list in defer { list = [] }; return list.reversed() }) { await close() }
        for writer in writers.withLock({ list in defer { list = [] }; return list }) { try? await writer.stop() }
        try? FileManager.default.removeItem(at: root)
    }

    /// The default data folder of this bed's writers.
    var dataDirectory: URL { root.appendingPathComponent("data", isDirectory: true) }

    /// Starts a writer on `dataDirectory` (default `<root>/data`). Silent runners are dropped after
    /// 2 s unless `configure` says otherwise (tests of silence set 600 ms), so a loaded machine
    /// cannot make a heartbeating test runner look dead.
    func startWriter(
        dataDirectory: URL? = nil, _ configure: (inout WriterConfiguration) -> Void = { _ in }
    ) async throws -> WriterHarness {
        let writer = try await WriterHarness.start(dataDirectory: dataDirectory ?? self.dataDirectory) { configuration in
            configuration.runnerSilentTimeoutMilliseconds = 2_000
            configure(&configuration)
        }
        writers.withLock { $0.append(writer) }
        return writer
    }

    /// Stops one writer now (graceful, as SIGTERM), e.g. before restarting on the same folder.
    func stop(_ writer: WriterHarness) async throws {
        writers.withLock { list in list.removeAll { $0 === writer } }
        try await writer.stop()
    }

    private func register(_ close: @escaping @Sendable () async -> Void) {
        closers.withLock { $0.append(close) }
    }

    func client(_ writer: WriterHarness) throws -> QueryClient {
        try client(endpoint: writer.endpoints.queries)
    }

    func client(endpoint: String) throws -> QueryClient {
        let client = try QueryClient(endpoint: endpoint)
        register { await client.close() }
        return client
    }

    func runner(_ writer: WriterHarness, _ runnerID: String) throws -> FakeRunner {
        let runner = try FakeRunner(endpoint: writer.endpoints.runners, runnerID: runnerID)
        register { await runner.close() }
        return runner
    }

    func dealer(_ writer: WriterHarness) throws -> QueryDealer {
        let dealer = try QueryDealer(endpoint: writer.endpoints.queries)
        register { await dealer.close() }
        return dealer
    }

    func feed(_ writer: WriterHarness, topics: [Data]) throws -> FeedClient {
        try feed(endpoint: writer.endpoints.feed, topics: topics)
    }

    func feed(endpoint: String, topics: [Data]) throws -> FeedClient {
        let feed = try FeedClient(endpoint: endpoint, topics: topics)
        register { await feed.close() }
        return feed
    }

    /// A raw DEALER on the runners endpoint with an arbitrary routing id (no protocol logic).
    func rawRunnerSocket(_ writer: WriterHarness, routingID: String = "raw-\(UInt32.random(in: 0...UInt32.max))") throws -> FakeRunner {
        try runner(writer, routingID)
    }
}

// MARK: - Query clients

/// A REQ client over real sockets, async (the socket lives on a SocketLoop thread).
final class QueryClient: Sendable {
    private let context: Context
    private let loop: SocketLoop
    private let socket: AsyncSocket

    init(endpoint: String) throws {
        context = try Context()
        loop = try SocketLoop(name: "test-client")
        let req = try Socket(context, type: .req)
        try req.connect(endpoint)
        socket = loop.register(req)
    }

    /// Sends raw frames and returns the reply frames (fails the test after `timeout`).
    func roundTrip(_ frames: [Data], timeout: Duration = .seconds(5)) async throws -> [Data] {
        try await socket.send(frames.map { Frame(noCopy: $0) })
        guard let reply = await socket.receive(upTo: 1, timeout: timeout)?.first else {
            throw HarnessError("no reply within \(timeout)")
        }
        return reply.map(\.data)
    }

    /// Sends a request object and decodes the reply.
    func request(_ json: String) async throws -> (QueryReplyEnvelope, Data?) {
        let frames = try await roundTrip([Data(json.utf8)])
        return try QueryReplyEnvelope.decode(frames: frames)
    }

    func request(_ envelope: QueryEnvelope) async throws -> (QueryReplyEnvelope, Data?) {
        let frames = try await roundTrip([envelope.encode()])
        return try QueryReplyEnvelope.decode(frames: frames)
    }

    /// The reply to `json` as plain JSON (for checking field names on the wire).
    func requestJSON(_ json: String) async throws -> JSONValue {
        let frames = try await roundTrip([Data(json.utf8)])
        return try JSONValue.decode(frames[0])
    }

    // Typed shortcuts: each throws when the writer answers anything else.

    func submit(url: String = "https://example.com/", tier: Tier = .standard, verdictMode: VerdictMode = .simple) async throws -> Audit {
        let (envelope, _) = try await request(QueryEnvelope(request: .submit(url: url, tier: tier, verdictMode: verdictMode)))
        guard case let .submitted(audit) = envelope.reply else { throw HarnessError("submit failed: \(envelope.reply)") }
        return audit
    }

    func status(_ id: AuditID) async throws -> Audit {
        let (envelope, _) = try await request(QueryEnvelope(request: .status(auditID: id)))
        guard case let .audit(audit) = envelope.reply else { throw HarnessError("status of \(id) failed: \(envelope.reply)") }
        return audit
    }

    func list(status: AuditStatus? = nil, limit: Int = 50, offset: Int = 0) async throws -> AuditList {
        let (envelope, _) = try await request(QueryEnvelope(request: .list(status: status, limit: limit, offset: offset)))
        guard case let .auditList(list) = envelope.reply else { throw HarnessError("list failed: \(envelope.reply)") }
        return list
    }

    func findings(_ id: AuditID) async throws -> FindingList {
        let (envelope, _) = try await request(QueryEnvelope(request: .findings(auditID: id)))
        guard case let .findings(list) = envelope.reply else { throw HarnessError("findings failed: \(envelope.reply)") }
        return list
    }

    func screenshots(_ id: AuditID) async throws -> ScreenshotList {
        let (envelope, _) = try await request(QueryEnvelope(request: .screenshots(auditID: id)))
        guard case let .screenshots(list) = envelope.reply else { throw HarnessError("screenshots failed: \(envelope.reply)") }
        return list
    }

    func health() async throws -> HealthReport {
        let (envelope, _) = try await request(QueryEnvelope(request: .health))
        guard case let .health(report) = envelope.reply else { throw HarnessError("health failed: \(envelope.reply)") }
        return report
    }

    /// The error the writer answers `json` with (throws if it answers with a success).
    func error(for json: String) async throws -> ProtocolError {
        try await error(forFrames: [Data(json.utf8)])
    }

    func error(forFrames frames: [Data]) async throws -> ProtocolError {
        let reply = try await roundTrip(frames)
        #expect(reply.count == 1, "an error reply has exactly one frame")
        let (envelope, _) = try QueryReplyEnvelope.decode(frames: reply)
        guard case let .failure(error) = envelope.reply else { throw HarnessError("expected an error, got \(envelope.reply)") }
        return error
    }

    func close() async {
        await loop.shutdown()
    }
}

/// A DEALER on the queries endpoint: sends whatever frames it is told, with or without the empty
/// delimiter, and returns the reply frames exactly as the DEALER sees them.
final class QueryDealer: Sendable {
    private let context: Context
    private let loop: SocketLoop
    private let socket: AsyncSocket

    init(endpoint: String) throws {
        context = try Context()
        loop = try SocketLoop(name: "test-dealer")
        let dealer = try Socket(context, type: .dealer)
        try dealer.connect(endpoint)
        socket = loop.register(dealer)
    }

    func send(_ frames: [Data]) async throws {
        try await socket.send(frames.map { Frame(noCopy: $0) })
    }

    /// The next reply's frames, or `nil` after `timeout`.
    func receive(timeout: Duration = .seconds(5)) async -> [Data]? {
        await socket.receive(upTo: 1, timeout: timeout)?.first?.map(\.data)
    }

    /// Submits `count` audits pipelined (so the writer handles several within one millisecond)
    /// and returns their ids in submission order.
    func submitBurst(count: Int) async throws -> [AuditID] {
        for index in 0..<count {
            try await send([Data(), Data(#"{"op":"submit","url":"https://burst.example/\#(index)","request_id":"\#(index)"}"#.utf8)])
        }
        var idByRequest: [Int: AuditID] = [:]
        for _ in 0..<count {
            let frames = try #require(await receive())
            let (envelope, _) = try QueryReplyEnvelope.decode(frames: Array(frames.dropFirst()))
            guard case let .submitted(audit) = envelope.reply, let request = envelope.requestID.flatMap(Int.init) else {
                throw HarnessError("unexpected reply \(envelope)")
            }
            idByRequest[request] = audit.id
        }
        let submitted = (0..<count).compactMap { idByRequest[$0] }
        #expect(submitted.count == count, "every submit answered once")
        return submitted
    }

    func close() async {
        await loop.shutdown()
    }
}

// MARK: - Feed

/// A SUB socket on the feed endpoint.
final class FeedClient: Sendable {
    private let context: Context
    private let loop: SocketLoop
    private let socket: AsyncSocket

    init(endpoint: String, topics: [Data]) throws {
        context = try Context()
        loop = try SocketLoop(name: "test-feed")
        let sub = try Socket(context, type: .sub)
        for topic in topics { try sub.set(.subscribe, Array(topic)) }
        try sub.connect(endpoint)
        socket = loop.register(sub)
    }

    /// The next feed message with its raw topic frame, or `nil` after `timeout`.
    func next(timeout: Duration = .seconds(3)) async throws -> (topic: Data, message: FeedMessage)? {
        guard let frames = await socket.receive(upTo: 1, timeout: timeout)?.first else { return nil }
        let data = frames.map(\.data)
        return (data.first ?? Data(), try FeedMessage.decode(frames: data))
    }

    /// Messages received within `timeout` until `stop` says so (the matching one included).
    func collect(
        timeout: Duration = .seconds(3), until stop: (FeedMessage) -> Bool
    ) async throws -> [FeedMessage] {
        let deadline = ContinuousClock.now + timeout
        var messages: [FeedMessage] = []
        while ContinuousClock.now < deadline {
            guard let (_, message) = try await next(timeout: deadline - ContinuousClock.now) else { break }
            messages.append(message)
            if stop(message) { return messages }
        }
        throw HarnessError("feed: the expected message did not arrive within \(timeout); got \(messages.map { "\($0.event.rawValue)@\($0.auditID)" })")
    }

    func close() async {
        await loop.shutdown()
    }
}

// MARK: - Runner

/// A scripted runner: a DEALER with routing id = runner id, speaking the runners protocol.
///
/// Everything the writer sends is sorted into state as it is read (jobs queued, acks counted,
/// rejects and errors kept), so waiting for one kind of message never loses another. After
/// ``connect(capacity:active:heartbeats:)`` it heartbeats every 100 ms until
/// ``stopHeartbeats()`` (to play a runner that goes silent) or ``close()``.
final class FakeRunner: Sendable {
    let runnerID: RunnerID
    private let context: Context
    private let loop: SocketLoop
    private let socket: AsyncSocket
    private let state = Mutex(State())
    private let heartbeatTask = Mutex<Task<Void, Never>?>(nil)

    /// What the writer has told this runner so far.
    struct State: Sendable {
        var capacity = 1
        var welcomes = 0
        /// Jobs received and not yet taken by ``nextJob(timeout:)``.
        var jobs: [AuditJob] = []
        /// Every job received, in order.
        var allJobs: [AuditJob] = []
        /// Audits this runner ended (completed, error) or handed back.
        var finished: Set<AuditID> = []

        /// What a heartbeat reports as active: jobs received and not finished, as a real runner
        /// reports them (the writer frees slots for jobs a runner stops listing).
        var active: [AuditID] {
            var seen = Set<AuditID>()
            return allJobs.map(\.auditID).filter { !finished.contains($0) && seen.insert($0).inserted }
        }
        /// How many times each event id was acknowledged.
        var ackCounts: [EventID: Int] = [:]
        var rejects: [(eventID: EventID?, error: ProtocolError)] = []
        var errors: [ProtocolError] = []
        var writerHeartbeats = 0
        /// Frames the writer sent that are not a valid writer message.
        var undecodable = 0
    }

    init(endpoint: String, runnerID: String) throws {
        self.runnerID = (try? RunnerID(runnerID)) ?? (try! RunnerID("invalid-id"))
        context = try Context()
        loop = try SocketLoop(name: "test-runner")
        let dealer = try Socket(context, type: .dealer)
        try dealer.set(.routingID, Array(runnerID.utf8))
        try dealer.connect(endpoint)
        socket = loop.register(dealer)
    }

    var snapshot: State { state.withLock { $0 } }

    func send(_ message: RunnerMessage) async throws {
        switch message {
        case let .event(event) where event.name == .completed || event.name == .error:
            _ = state.withLock { $0.finished.insert(event.auditID) }
        case let .release(release):
            _ = state.withLock { $0.finished.insert(release.auditID) }
        default:
            break
        }
        try await socket.send(message.encodeFrames().map { Frame(noCopy: $0) })
    }

    func sendRaw(_ frames: [Data]) async throws {
        try await socket.send(frames.map { Frame(noCopy: $0) })
    }

    /// Reads whatever the writer sent within `timeout` (at least one read) into the state.
    private func pump(timeout: Duration) async {
        guard let batch = await socket.receive(upTo: 64, timeout: timeout) else { return }
        state.withLock { state in
            for frames in batch {
                guard let message = try? WriterMessage.decode(frames: frames.map(\.data)) else {
                    state.undecodable += 1
                    continue
                }
                switch message {
                case .welcome: state.welcomes += 1
                case let .job(job):
                    state.jobs.append(job)
                    state.allJobs.append(job)
                case let .ack(ids): for id in ids { state.ackCounts[id, default: 0] += 1 }
                case let .reject(id, error): state.rejects.append((id, error))
                case .heartbeat: state.writerHeartbeats += 1
                case let .error(error): state.errors.append(error)
                }
            }
        }
    }

    /// Reads from the writer until `match` returns a value (it may update the state, e.g. take
    /// a job) or `timeout` passes (then `nil`).
    func poll<T>(timeout: Duration, _ match: (inout State) -> T?) async -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = state.withLock({ match(&$0) }) { return found }
            let now = ContinuousClock.now
            if now >= deadline { return nil }
            await pump(timeout: min(deadline - now, .milliseconds(50)))
        }
    }

    /// Like ``poll(timeout:_:)`` but throws `what` on timeout.
    func waitFor<T>(_ what: String, timeout: Duration = .seconds(5), _ match: (inout State) -> T?) async throws -> T {
        guard let found = await poll(timeout: timeout, match) else {
            throw HarnessError("\(runnerID): \(what) did not arrive within \(timeout)")
        }
        return found
    }

    /// hello, waits for welcome, then heartbeats every 100 ms (unless `heartbeats` is false).
    func connect(capacity: Int = 1, active: [AuditID] = [], heartbeats: Bool = true) async throws {
        let welcomesBefore = state.withLock { state in
            state.capacity = capacity
            return state.welcomes
        }
        try await send(.hello(RunnerHello(runnerID: runnerID, capacity: capacity, active: active, version: "test")))
        _ = try await waitFor("welcome") { $0.welcomes > welcomesBefore ? true : nil }
        if heartbeats { startHeartbeats() }
    }

    func startHeartbeats(every interval: Duration = .milliseconds(100)) {
        let task = Task { [self] in
            while !Task.isCancelled {
                let (capacity, active) = state.withLock { ($0.capacity, $0.active) }
                try? await send(.heartbeat(RunnerHeartbeat(runnerID: runnerID, capacity: capacity, active: active)))
                try? await Task.sleep(for: interval)
            }
        }
        heartbeatTask.withLock { old in
            old?.cancel()
            old = task
        }
    }

    /// Goes quiet: no more heartbeats (the writer will consider it silent).
    func stopHeartbeats() async {
        let task = heartbeatTask.withLock { old in defer { old = nil }; return old }
        task?.cancel()
        await task?.value
    }

    /// Takes the next job (waiting for one).
    func nextJob(timeout: Duration = .seconds(5)) async throws -> AuditJob {
        try await waitFor("a job", timeout: timeout) { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
    }

    /// Takes `count` jobs.
    func jobs(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [AuditJob] {
        try await waitFor("\(count) jobs", timeout: timeout) { state in
            guard state.jobs.count >= count else { return nil }
            defer { state.jobs.removeFirst(count) }
            return Array(state.jobs.prefix(count))
        }
    }

    /// Whether a job arrives within `window` (leaving it queued for ``nextJob(timeout:)``).
    func receivesJob(within window: Duration) async -> Bool {
        await poll(timeout: window) { $0.jobs.isEmpty ? nil : true } ?? false
    }

    /// Sends events and waits until every one of them is acknowledged.
    func sendAndAwaitAcks(_ events: [AuditEvent], timeout: Duration = .seconds(5)) async throws {
        for event in events { try await send(.event(event)) }
        try await awaitAcks(events.map(\.eventID), timeout: timeout)
    }

    /// Waits until every id is acknowledged at least `times` times; throws on a reject.
    func awaitAcks(_ ids: [EventID], times: Int = 1, timeout: Duration = .seconds(5)) async throws {
        let wanted = Set(ids)
        let outcome: String = try await waitFor("acks of \(ids.count) events", timeout: timeout) { state in
            if let reject = state.rejects.first(where: { $0.eventID.map(wanted.contains) ?? false }) {
                return "event \(reject.eventID!) rejected: \(reject.error)"
            }
            return wanted.allSatisfy({ state.ackCounts[$0, default: 0] >= times }) ? "" : nil
        }
        if !outcome.isEmpty { throw HarnessError(outcome) }
    }

    /// Sends events and resends the unacknowledged ones every `resendEvery` (as a real runner's
    /// outbox does) until all are acknowledged.
    func sendUntilAcked(_ events: [AuditEvent], resendEvery: Duration = .milliseconds(300), timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let acked = state.withLock { state in Set(events.map(\.eventID).filter { state.ackCounts[$0] != nil }) }
            let pending = events.filter { !acked.contains($0.eventID) }
            if pending.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(pending.count) events not acknowledged within \(timeout) despite resends")
            }
            for event in pending { try await send(.event(event)) }
            _ = await poll(timeout: min(resendEvery, deadline - ContinuousClock.now)) { state in
                pending.allSatisfy { state.ackCounts[$0.eventID] != nil } ? true : nil
            }
        }
    }

    /// Whether any of `ids` is acknowledged within `window`.
    func anyAcked(_ ids: [EventID], within window: Duration) async -> Bool {
        await poll(timeout: window) { state in ids.contains { state.ackCounts[$0] != nil } ? true : nil } ?? false
    }

    func ackCount(_ id: EventID) -> Int { state.withLock { $0.ackCounts[id, default: 0] } }

    /// Waits for the writer's reject of `id` and takes it.
    func awaitReject(of id: EventID?, timeout: Duration = .seconds(5)) async throws -> ProtocolError {
        try await waitFor("reject of \(id.map(\.rawValue) ?? "null")", timeout: timeout) { state in
            guard let index = state.rejects.firstIndex(where: { $0.eventID == id }) else { return nil }
            return state.rejects.remove(at: index).error
        }
    }

    /// Waits for the next `error` message, or a `reject` without event id (the writer may answer
    /// an unreadable header with either), and takes it.
    func awaitErrorOrAnonymousReject(timeout: Duration = .seconds(5)) async throws -> ProtocolError {
        try await waitFor("error reply", timeout: timeout) { state in
            if !state.errors.isEmpty { return state.errors.removeFirst() }
            if let index = state.rejects.firstIndex(where: { $0.eventID == nil }) { return state.rejects.remove(at: index).error }
            return nil
        }
    }

    /// An event of this runner.
    func event(_ auditID: AuditID, seq: Int, _ payload: EventPayload, timestamp: Timestamp = .now) -> AuditEvent {
        AuditEvent(eventID: .generate(), auditID: auditID, seq: seq, timestamp: timestamp, runnerID: runnerID, payload: payload)
    }

    /// `audit.started` for a job.
    func started(_ job: AuditJob, seq: Int = 1) -> AuditEvent {
        event(job.auditID, seq: seq, .started(StartedEventPayload(url: job.url, tier: job.tier, verdictMode: job.verdictMode)))
    }

    /// Runs a job to completion: started, completed, both acknowledged.
    func complete(_ job: AuditJob, timeout: Duration = .seconds(5)) async throws {
        try await sendAndAwaitAcks([started(job), event(job.auditID, seq: 2, Samples.completed())], timeout: timeout)
    }

    func close() async {
        await stopHeartbeats()
        await loop.shutdown()
    }
}

// MARK: - Samples

/// Sample payloads.
enum Samples {
    static func completed(findings: [Finding] = [Samples.finding], trustScore: Int = 72) -> EventPayload {
        .completed(CompletedEventPayload(
            trustScore: trustScore, riskLevel: .medium, narrative: "Mostly fine; one urgency pattern.",
            signalScores: ["security": 80, "dark_patterns": 60], siteType: .shop,
            securityResults: .object(["grade": .string("B")]),
            darkPatternSummary: DarkPatternSummary(findings: findings)
        ))
    }

    static let finding = Finding(patternType: .countdownTimer, severity: .medium, confidence: 0.9, evidence: "Offer ends in 09:59", location: "div.timer")
    static let secondFinding = Finding(patternType: .lowStock, severity: .low, confidence: 0.5, evidence: "Only 2 left!", location: nil)

    /// A minimal whole PNG (``SampleImages/minimalPNG``).
    static let png = SampleImages.minimalPNG

    /// A structurally whole PNG with `size` bytes of filler in an ancillary chunk.
    static func png(filler size: Int, seed: UInt64) -> Data {
        var generator = SeededGenerator(seed: seed)
        let body = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var bytes = Array(png.prefix(8 + 25))   // signature + IHDR
        bytes += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init)
        bytes += Array("tEXt".utf8) + body + [0, 0, 0, 0]
        bytes += Array(png.suffix(12))           // IEND
        return Data(bytes)
    }

    /// A structurally whole JPEG (SOI, APP0 "JFIF", EOI).
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9])

    static func started(_ url: String = "https://example.com/", tier: Tier = .standard) -> EventPayload {
        .started(StartedEventPayload(url: url, tier: tier, verdictMode: .simple))
    }

    static func progress(_ percent: Double, phase: String = "fetch") -> EventPayload {
        .progress(ProgressEventPayload(phase: phase, percent: percent))
    }
}

// MARK: - Raw JSON

extension AuditEvent {
    /// The event's header frame as a JSON object, for tests that tamper with it.
    var headerJSON: [String: JSONValue] {
        guard case let .object(fields) = try! JSONValue.decode(RunnerMessage.event(self).encodeFrames()[0]) else {
            fatalError("an event header is an object")
        }
        return fields
    }
}

extension JSONValue {
    /// The encoded frame of an object.
    static func frame(_ fields: [String: JSONValue]) -> Data {
        JSONValue.object(fields).encoded()
    }
}

/// Every regular file under `folder`, as paths relative to it, sorted.
func fileTree(_ folder: URL) -> [String] {
    guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
    let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
    var files: [String] = []
    for case let url as URL in walker {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        files.append(path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path)
    }
    return files.sorted()
}
