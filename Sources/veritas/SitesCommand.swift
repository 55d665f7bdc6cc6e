import ArgumentParser
import Foundation
import VeritasDemo

#if canImport(Glibc)
import Glibc
#endif

/// `veritas sites`: serves the bundled sample sites over HTTP until SIGTERM or Ctrl-C, so runners
/// on other hosts (containers, network namespaces) have something real to audit.
struct SitesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Serve the bundled sample sites (an honest shop, a shop full of dark patterns) over HTTP.",
        discussion: "Prints one line per site with its URL, then serves until SIGTERM or Ctrl-C."
    )

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "address"))
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port"))
    var port: Int = 8080

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535; got \(port)") }
    }

    func run() async throws {
        let server = try await SampleSiteServer.start(host: host, port: port)
        for site in SampleSite.all { Console.line("\(site.folder): \(server.url(of: site)) (\(site.summary))") }
        // Wait for SIGTERM or SIGINT, then stop serving.
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGTERM, SIGINT].map { signal in
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal)
            source.setEventHandler { continuation.yield(signal) }
            source.resume()
            return source
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
        await server.stop()
    }
}
