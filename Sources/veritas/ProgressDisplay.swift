import Foundation
import VeritasProtocol

/// The one-line progress display: `[#######.....] 58% analysing`, redrawn in place with `\r` on
/// a terminal, one line per change otherwise; with `--json`, each feed message as a JSON line.
struct ProgressDisplay {
    let json: Bool
    let redraw: Bool
    private var percent: Double = 0
    private var lastLine = ""
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
        if audit.status == .completed { percent = 100 }
        draw(Self.bar(percent: percent, label: audit.status.rawValue))
    }

    mutating func show(_ message: FeedMessage) {
        if json {
            Console.json(message.encodeFrames()[1])
            return
        }
        var label = message.status.rawValue
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
        draw(Self.bar(percent: percent, label: label))
    }

    /// Ends the progress line so what follows starts on a fresh one.
    mutating func finish() {
        if redraw, drawn { Console.write("\n") }
        drawn = false
    }

    private mutating func draw(_ line: String) {
        guard line != lastLine else { return }
        if redraw {
            // Pad over the previous line's tail instead of relying on terminal escapes.
            let padding = String(repeating: " ", count: max(lastLine.count - line.count, 0))
            Console.write("\r" + line + padding)
        } else {
            Console.line(line)
        }
        lastLine = line
        drawn = true
    }
}
