import Foundation
import Testing
@testable import VeritasBrowser
#if canImport(Glibc)
import Glibc
#endif

/// Chromium runs untrusted pages, so by default its sandbox is on: the processes that run page
/// code live in their own user namespace under a seccomp-bpf filter. As root (CI), Chromium is
/// started as `nobody` through `setpriv`, since it refuses to run sandboxed as root.
@Suite struct SandboxTests {
    /// The renderer processes of the browser with `pid` (its descendants with `--type=renderer`).
    static func renderers(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        func descends(_ candidate: Int32) -> Bool {
            var current = candidate
            for _ in 0..<16 {
                guard let parent = parents[current] else { return false }
                if parent == pid { return true }
                current = parent
            }
            return false
        }
        return parents.keys.filter { candidate in
            guard descends(candidate), let line = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(candidate)/cmdline")) else { return false }
            return String(decoding: line, as: UTF8.self).contains("--type=renderer")
        }
    }

    /// `Seccomp:` of `/proc/<pid>/status` (0 none, 2 filter) and the user namespace it lives in.
    static func confinement(of pid: Int32) -> (seccomp: Int?, userNamespace: String?) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let seccomp = status.split(separator: "\n").first { $0.hasPrefix("Seccomp:") }
            .flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }
        let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/user")
        return (seccomp, namespace)
    }

    @Test("by default page code runs sandboxed (seccomp-bpf, own user namespace) where the kernel permits it; --no-sandbox only when asked")
    func sandboxedByDefault() async throws {
        let namespaces = Int((try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        let ownNamespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/user")
        print("sandbox: kernel allows \(namespaces) user namespaces; this process runs as uid \(geteuid())\(geteuid() == 0 ? " (Chromium is started as nobody)" : "")")
        guard namespaces > 0 else {
            // The kernel permits no namespace sandbox: launching sandboxed must fail, clearly.
            await #expect(throws: BrowserError.self) { try await withBrowser { _ in } }
            print("sandbox: not available on this kernel; the default configuration refuses to run unsandboxed")
            return
        }
        let sandboxed = try await withBrowser { browser in
            let page = try await browser.newPage()
            _ = try await page.navigate(to: URL(string: "data:text/html,<p>sandboxed</p>")!)
            return Self.renderers(of: browser.processID).map(Self.confinement)
        }
        try #require(!sandboxed.isEmpty, "no renderer process found")
        for (seccomp, namespace) in sandboxed {
            #expect(seccomp == 2, "a renderer without its seccomp-bpf filter")
            #expect(namespace != nil && namespace != ownNamespace, "a renderer in the runner's own user namespace")
        }
        print("sandbox: \(sandboxed.count) renderer(s), seccomp filter on, own user namespace")

        var open = testOptions()
        open.sandbox = false
        let unsandboxed = try await withBrowser(open) { browser in
            let page = try await browser.newPage()
            _ = try await page.navigate(to: URL(string: "data:text/html,<p>open</p>")!)
            return Self.renderers(of: browser.processID).map(Self.confinement)
        }
        #expect(unsandboxed.allSatisfy { $0.seccomp == 0 }, "with the sandbox off, no filter: \(unsandboxed)")
    }

    @Test("the command line: --no-sandbox only with the sandbox off; setpriv to nobody as root")
    func commandLine() {
        let profile = ProfileDirectory(path: "/tmp/vbrw-test")
        var options = BrowserOptions(executable: "/usr/bin/chromium")
        let sandboxed = ChromiumProcess.arguments(options: options, profile: profile)
        #expect(!sandboxed.contains("--no-sandbox"))
        if geteuid() == 0 {
            #expect(sandboxed.first?.hasSuffix("setpriv") == true)
            #expect(sandboxed.contains("--reuid=65534"))
        } else {
            #expect(sandboxed.first == "/usr/bin/chromium")
        }
        options.sandbox = false
        let open = ChromiumProcess.arguments(options: options, profile: profile)
        #expect(open.contains("--no-sandbox"))
        #expect(open.first == "/usr/bin/chromium")
    }
}
