import ArgumentParser
import Crypto
import Foundation
import VeritasClient
import VeritasProtocol

/// `veritas screenshots ID [--save DIR]`: list an audit's screenshots, or save them.
struct ScreenshotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screenshots",
        abstract: "List an audit's screenshots, or save them.",
        discussion: """
            --save DIR writes every image as DIR/<index>-<label>.<ext> after checking its SHA-256 \
            against the writer's metadata; a mismatch writes nothing for that image and exits 1.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The audit id (a UUID, as submit printed it).")
    var id: AuditIDArgument

    @Option(help: ArgumentHelp("Save every image into this folder (created if missing).", valueName: "dir"))
    var save: String?

    func run() async throws {
        try await options.withClient { client in
            let response = try await client.perform(.screenshots(auditID: id.id))
            guard case .screenshots(let list) = response.reply else { throw CommandFailure(.failure, "unexpected reply to screenshots") }
            if options.json { Console.json(response.json) }
            if let save {
                try await saveAll(list.screenshots, into: URL(fileURLWithPath: save, isDirectory: true), client: client)
            } else if !options.json {
                printTable(list.screenshots)
            }
        }
    }

    private func printTable(_ screenshots: [ScreenshotInfo]) {
        guard !screenshots.isEmpty else {
            Console.line("no screenshots")
            return
        }
        var table = TextTable("INDEX", "LABEL", "TYPE", "SIZE", "SHA256", "CREATED")
        for info in screenshots {
            table.append(
                String(info.index), Formatting.truncated(info.label, to: 40), info.contentType.rawValue,
                Formatting.bytes(info.fileSizeBytes), String(info.sha256.prefix(16)), Formatting.time(info.createdAt))
        }
        Console.line(table.render())
    }

    private func saveAll(_ screenshots: [ScreenshotInfo], into folder: URL, client: WriterClient) async throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(.failure, "cannot create \(folder.path): \(error.localizedDescription)")
        }
        var mismatches: [String] = []
        for listed in screenshots {
            let response = try await client.perform(.screenshot(auditID: id.id, index: listed.index))
            guard case .screenshot(let info, _) = response.reply, let image = response.image else {
                throw CommandFailure(.failure, "unexpected reply to screenshot \(listed.index)")
            }
            let digest = SHA256.hash(data: image).map { String(format: "%02x", $0) }.joined()
            let name = "\(info.index)-\(Formatting.slug(info.label)).\(info.contentType.fileExtension)"
            guard digest == info.sha256, digest == listed.sha256 else {
                mismatches.append(name)
                Console.error("\(name): sha256 \(digest) does not match the writer's \(info.sha256); not saved")
                continue
            }
            let file = folder.appendingPathComponent(name)
            do {
                try image.write(to: file, options: .atomic)
            } catch {
                throw CommandFailure(.failure, "cannot write \(file.path): \(error.localizedDescription)")
            }
            if options.json {
                Console.json(response.json)
            } else {
                Console.line("saved \(file.path) (\(Formatting.bytes(image.count)), sha256 ok)")
            }
        }
        if screenshots.isEmpty, !options.json { Console.line("no screenshots") }
        if !mismatches.isEmpty {
            throw CommandFailure(.failure, "\(mismatches.count) screenshot(s) failed the sha256 check: \(mismatches.joined(separator: ", "))")
        }
    }
}
