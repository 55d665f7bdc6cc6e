import Foundation
import VeritasProtocol

/// The one-line progress display: `[#######.....] 58% analysing · 12 s`, redrawn in place with
/// `\r` on a terminal (the time ticking), one line per change otherwise; with `--json`, each feed
/// message as a JSON line. It starts from the audit's current progress (`status` carries the
/// runner's latest), not from 0%.
struct ProgressDisplay {
    let json: Bool
    let redraw: Bool
    private var percent: Double = 0
    private var label = ""
    /// When the audit started (or was queued): the elapsed time counts from here.
    private var since: Timestamp?
    private var lastLine = ""
    private var lastCore = ""
    private var drawn = false

    init(json: Bool, redraw: Bool) {
        self.json = json
        self.redraw = redraw
    }

    static let width = 24

    /// `[#######.....] 58% analysing`.
    static func bar(percent: Double, label: String) -> String {
        let clamped = min(max(percent, 0), 100)
        let filled = Int((clamped / 100 * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(Int(clamped.rounded(.down)))% \(label)"
    }

    mutating func show(_ audit: Audit) {
        guard !json else { return }
        since = audit.startedAt ?? audit.createdAt
        label = audit.status.rawValue
        if let progress = audit.progress, audit.status == .running, progress.percent >= percent {
            percent = progress.percent
            label = progress.phase.replacingOccurrences(of: "_", with: " ")
        }
        if audit.status == .completed { percent = 100 }
        draw()
    }

    mutating func show(_ message: FeedMessage) {
        if json {
            Console.json(message.encodeFrames()[1])
            return
        }
        label = message.status.rawValue
        switch message.event {
        case .progress:
            if let value = message.payload?["percent"]?.doubleValue { percent = value }
            if let phase = message.payload?["phase"]?.stringValue { label = phase.replacingOccurrences(of: "_", with: " ") }
        case .screenshot:
            label = "screenshot \(message.payload?["label"]?.stringValue ?? "")"
        case .completed:
            percent = 100
        case .started, .error, .queued, .requeued:
            break
        }
        draw()
    }

    /// `12 s`, `3 min 05 s`: the time since the audit started.
    static func elapsed(since start: Timestamp, now: Timestamp = .now) -> String {
        let seconds = max(0, Int(now.milliseconds(since: start) / 1000))
        return seconds < 60 ? "\(seconds) s" : "\(seconds / 60) min \(String(format: "%02d", seconds % 60)) s"
    }

    /// Ends the progress line so what follows starts on a fresh one.
    mutating func finish() {
        if redraw, drawn { Console.write("\n") }
        drawn = false
    }

    /// Draws the bar. On a terminal the elapsed time is part of the line and ticks; elsewhere a
    /// line is printed only when the bar or its label changed, so a log gets no line per second.
    private mutating func draw() {
        let core = Self.bar(percent: percent, label: label)
        if redraw {
            let line = since.map { core + " · " + Self.elapsed(since: $0) } ?? core
            guard line != lastLine else { return }
            // Pad over the previous line's tail instead of relying on terminal escapes.
            let padding = String(repeating: " ", count: max(lastLine.count - line.count, 0))
            Console.write("\r" + line + padding)
            lastLine = line
        } else {
            guard core != lastCore else { return }
            Console.line(since.map { core + " · " + Self.elapsed(since: $0) } ?? core)
        }
        lastCore = core
        drawn = true
    }
}
