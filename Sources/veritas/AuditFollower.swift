import ArgumentParser
import Foundation
import VeritasClient
import VeritasProtocol

/// Follows one audit to its end for `watch` and `submit --wait`: progress from the feed, the
/// truth from `status`.
///
/// It subscribes to the feed *before* asking `status`, so nothing that happens after the status
/// read is missed; and since the feed may drop messages (PUB/SUB), it asks `status` again
/// whenever the feed has been quiet for a second.
struct AuditFollower {
    let options: GlobalOptions
    let client: WriterClient

    /// How long the feed may stay quiet before `status` is asked again.
    static let quietInterval: Duration = .seconds(1)

    /// Returns once the audit is `completed`; throws ``VeritasExitStatus/auditFailed`` if it
    /// ended in `error`.
    /// Follows the audit to its end and prints its verdict; returns the audit as it ended.
    @discardableResult
    func follow(_ auditID: AuditID) async throws -> Audit {
        let feed = try FeedWatcher(endpoint: options.feed, auditID: auditID, curve: try options.curve())
        do {
            let audit = try await follow(auditID, feed: feed)
            await feed.close()
            return audit
        } catch {
            await feed.close()
            throw error
        }
    }

    private func follow(_ auditID: AuditID, feed: FeedWatcher) async throws -> Audit {
        var display = ProgressDisplay(json: options.json, redraw: Console.isTerminal)
        var (audit, json) = try await status(auditID)
        display.show(audit)
        while !audit.status.isTerminal {
            if let message = await feed.next(timeout: Self.quietInterval) {
                display.show(message)
                guard message.status.isTerminal else { continue }
            }
            (audit, json) = try await status(auditID)
            if !audit.status.isTerminal { display.show(audit) }
        }
        // The bar ends where the audit did (100% completed) even when `status` told of the end
        // before the feed's last message arrived.
        display.show(audit)
        display.finish()
        if options.json {
            Console.json(json)
        } else {
            Console.line(Formatting.auditBlock(audit))
        }
        return audit
    }

    private func status(_ auditID: AuditID) async throws -> (Audit, Data) {
        let response = try await client.perform(.status(auditID: auditID))
        guard case .audit(let audit) = response.reply else { throw CommandFailure(.failure, "unexpected reply to status") }
        return (audit, response.json)
    }
}
