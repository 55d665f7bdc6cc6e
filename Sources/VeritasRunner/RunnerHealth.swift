import Foundation
import Logging
import VeritasProtocol

/// A runner's own health, written to `health.json` in its data folder about once a second while
/// it runs, and judged by `veritas-runner --health` (the runner container's health check): is it
/// connected to its writer, is its outbox draining, can it render pages.
///
/// A file rather than a socket: a health check runs in the runner's container or host anyway,
/// and a file needs no port, no listener and no security of its own.
public struct RunnerHealth: Sendable, Equatable {
    /// What the runner can say about its browser.
    public enum Browser: String, Sendable {
        /// Chromium was found and its last renderings did not all fail.
        case usable
        /// No Chromium: audits read raw HTML, without screenshots.
        case missing
        /// Its last ``RunnerHealth/failingRenderings`` renderings failed.
        case failing
    }

    public var runnerID: String
    public var writer: String
    /// Welcomed by the writer and not silent since.
    public var connected: Bool
    public var outboxEvents: Int
    public var outboxBytes: Int
    /// Above this, no new audit starts (`outbox.max_bytes`).
    public var outboxLimitBytes: Int
    public var activeAudits: Int
    public var capacity: Int
    public var browser: Browser
    /// Why renderings fail, when they do.
    public var browserProblem: String?
    /// When the runner wrote this.
    public var updatedAt: Timestamp

    /// Consecutive failed renderings that make the browser `failing`.
    public static let failingRenderings = 3
    /// The file in the runner's data folder.
    public static let fileName = "health.json"
    /// A report older than this says the runner is not running (it rewrites it every second).
    public static let staleAfter: Duration = .seconds(10)

    /// Why the runner is unhealthy, or nothing when it is healthy.
    public func problems(now: Timestamp = .now) -> [String] {
        var problems: [String] = []
        let age = Double(now.milliseconds(since: updatedAt)) / 1_000
        if age > Double(Self.staleAfter.components.seconds) {
            problems.append("the report is \(Int(age)) s old: the runner is not running")
        }
        if !connected { problems.append("not connected to the writer at \(writer)") }
        if outboxBytes > outboxLimitBytes {
            problems.append("the outbox holds \(outboxBytes) bytes, over its \(outboxLimitBytes)-byte limit: the writer is not acknowledging")
        }
        switch browser {
        case .usable: break
        case .missing: problems.append("no Chromium: audits run without rendering or screenshots")
        case .failing: problems.append("the last \(Self.failingRenderings) renderings failed: \(browserProblem ?? "unknown reason")")
        }
        return problems
    }

    var json: JSONValue {
        .object([
            "runner_id": .string(runnerID), "writer": .string(writer), "connected": .bool(connected),
            "outbox_events": .number(Double(outboxEvents)), "outbox_bytes": .number(Double(outboxBytes)),
            "outbox_limit_bytes": .number(Double(outboxLimitBytes)), "active_audits": .number(Double(activeAudits)),
            "capacity": .number(Double(capacity)), "browser": .string(browser.rawValue),
            "browser_problem": browserProblem.map(JSONValue.string) ?? .null, "updated_at": .string(updatedAt.description),
        ])
    }

    init(json: JSONValue) throws {
        func string(_ key: String) throws -> String {
            guard let value = json[key]?.stringValue else { throw RunnerHealthError("health.json has no \(key)") }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let value = json[key]?.doubleValue else { throw RunnerHealthError("health.json has no \(key)") }
            return Int(value)
        }
        runnerID = try string("runner_id")
        writer = try string("writer")
        guard let connected = json["connected"]?.boolValue else { throw RunnerHealthError("health.json has no connected") }
        self.connected = connected
        outboxEvents = try int("outbox_events")
        outboxBytes = try int("outbox_bytes")
        outboxLimitBytes = try int("outbox_limit_bytes")
        activeAudits = try int("active_audits")
        capacity = try int("capacity")
        guard let browser = Browser(rawValue: try string("browser")) else { throw RunnerHealthError("health.json has an unknown browser state") }
        self.browser = browser
        browserProblem = json["browser_problem"]?.stringValue
        do {
            updatedAt = try Timestamp(try string("updated_at"))
        } catch {
            throw RunnerHealthError("health.json has no readable updated_at")
        }
    }

    init(
        runnerID: String, writer: String, connected: Bool, outboxEvents: Int, outboxBytes: Int, outboxLimitBytes: Int,
        activeAudits: Int, capacity: Int, browser: Browser, browserProblem: String?, updatedAt: Timestamp
    ) {
        (self.runnerID, self.writer, self.connected) = (runnerID, writer, connected)
        (self.outboxEvents, self.outboxBytes, self.outboxLimitBytes) = (outboxEvents, outboxBytes, outboxLimitBytes)
        (self.activeAudits, self.capacity, self.browser, self.browserProblem, self.updatedAt) = (activeAudits, capacity, browser, browserProblem, updatedAt)
    }

    /// Writes the report atomically (a temporary file renamed over the old one).
    func write(to dataDirectory: URL) throws {
        let file = dataDirectory.appendingPathComponent(Self.fileName)
        try json.encoded().write(to: file, options: .atomic)
    }

    /// Writes the report, logging (not throwing) a failure: health must not stop the runner.
    func writeLogged(to dataDirectory: URL, logger: Logger) {
        do {
            try write(to: dataDirectory)
        } catch {
            logger.warning("could not write the runner's health report", metadata: ["folder": "\(dataDirectory.path)", "error": "\(error)"])
        }
    }

    /// The report the runner using `dataDirectory` last wrote.
    public static func read(from dataDirectory: URL) throws -> RunnerHealth {
        let file = dataDirectory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: file) else {
            throw RunnerHealthError("no \(fileName) in \(dataDirectory.path): the runner is not running there (or has not started yet)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.decode(data)
        } catch {
            throw RunnerHealthError("\(file.path) is not a health report: \(error)")
        }
        return try RunnerHealth(json: value)
    }
}

/// A runner health report that cannot be read.
public struct RunnerHealthError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
