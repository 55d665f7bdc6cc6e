import Foundation
import Glibc
import Logging
import Testing
import VeritasProtocol
@testable import VeritasRunner

/// The SSRF guard: which addresses are refused, and that the fetch cannot be turned against the
/// runner's own network, directly, by name, by redirect or by another spelling of an address.
/// The browser's share (subresources, fetch, WebSocket) is in `EgressGuardBrowserTests`.
@Suite("egress guard: destination policy and the fetch")
struct EgressGuardTests {
    @Test("every refused class, IPv4 and IPv6 and the IPv4 hidden in IPv6 forms; public addresses pass")
    func classification() throws {
        let refused: [(String, String)] = [
            ("127.0.0.1", "loopback"), ("127.10.20.30", "loopback"), ("::1", "loopback"),
            ("10.1.2.3", "private-network"), ("172.16.0.1", "private-network"), ("192.168.1.1", "private-network"),
            ("100.64.0.1", "carrier-grade NAT"), ("169.254.10.10", "link-local"), ("fe80::1", "link-local"),
            ("169.254.169.254", "cloud metadata"), ("fd00:ec2::254", "cloud metadata"), ("100.100.100.200", "cloud metadata"),
            ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"),
            ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
            ("255.255.255.255", "broadcast"), ("240.0.0.1", "reserved"),
            // The same addresses in other spellings: mapped, compatible, NAT64, 6to4, Teredo.
            ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"), ("::ffff:169.254.169.254", "cloud metadata"),
            ("::127.0.0.1", "loopback"), ("64:ff9b::a00:1", "private-network"), ("2002:7f00:1::1", "loopback"),
            ("2002:a9fe:a9fe::", "cloud metadata"), ("2001:0:7f00:1::", "loopback"),
        ]
        let policy = DestinationPolicy()
        for (text, expected) in refused {
            let address = try #require(IPAddress(text), "\(text) parses")
            let reason = policy.refusal(for: address)
            #expect(reason?.contains(expected) == true, "\(text): \(reason ?? "allowed")")
        }
        for text in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34", "172.32.0.1", "100.128.0.1"] {
            let address = try #require(IPAddress(text))
            #expect(policy.refusal(for: address) == nil, "\(text) is public")
        }
    }

    @Test("allow_private_networks opens what TCP can reach (not multicast, not cloud metadata); allowed_networks opens listed blocks only")
    func settings() throws {
        let open = DestinationPolicy(allowPrivateNetworks: true)
        #expect(open.refusal(for: IPAddress("127.0.0.1")!) == nil)
        #expect(open.refusal(for: IPAddress("169.254.10.10")!) == nil)
        #expect(open.refusal(for: IPAddress("169.254.169.254")!)?.contains("cloud metadata") == true, "metadata stays refused")
        #expect(open.refusal(for: IPAddress("224.0.0.1")!) != nil)
        #expect(open.refusal(port: 6379) == nil)

        let listed = DestinationPolicy(allowedNetworks: [IPNetwork("10.20.0.0/16")!, IPNetwork("127.0.0.2")!])
        #expect(listed.refusal(for: IPAddress("10.20.3.4")!) == nil)
        #expect(listed.refusal(for: IPAddress("10.21.0.1")!) != nil)
        #expect(listed.refusal(for: IPAddress("127.0.0.2")!) == nil)
        #expect(listed.refusal(for: IPAddress("127.0.0.1")!) != nil)
        #expect(listed.refusal(port: 443) == nil)
        #expect(listed.refusal(port: 5556)?.contains("port 5556") == true)
        #expect(listed.refusal(scheme: "ftp") != nil)

        #expect(throws: ConfigurationError.self) {
            try RunnerConfiguration.load(file: nil, environment: ["VERITAS_FETCH_ALLOWED_NETWORKS": "10.0.0.0/33"])
        }
        #expect(throws: ConfigurationError.self) {
            try RunnerConfiguration.load(file: nil, environment: ["VERITAS_FETCH_ALLOWED_PORTS": "80,http"])
        }
        #expect(throws: ConfigurationError.self) {
            try RunnerConfiguration.load(file: nil, environment: ["VERITAS_FETCH_ALLOWED_SCHEMES": "https,file"])
        }
        let httpsOnly = try RunnerConfiguration.load(file: nil, environment: ["VERITAS_FETCH_ALLOWED_SCHEMES": "https"]).destinationPolicy
        #expect(httpsOnly.refusal(scheme: "http") != nil)
        #expect(httpsOnly.refusal(scheme: "HTTPS") == nil)
        let loaded = try RunnerConfiguration.load(file: nil, environment: [
            "VERITAS_FETCH_ALLOW_PRIVATE_NETWORKS": "false", "VERITAS_FETCH_ALLOWED_NETWORKS": "10.20.0.0/16, fd00::/8",
            "VERITAS_FETCH_ALLOWED_PORTS": "443",
        ])
        #expect(loaded.destinationPolicy == DestinationPolicy(allowedPorts: [443], allowedNetworks: [IPNetwork("10.20.0.0/16")!, IPNetwork("fd00::/8")!]))
        #expect(RunnerConfiguration().destinationPolicy.allowPrivateNetworks == false, "refused by default")
    }

    /// An engine with the default policy plus `127.0.0.2` (the stand-in for a public site) and the
    /// fixtures' ports allowed; no Chromium.
    static func engine(allowingPorts ports: [Int]) -> HTTPAuditEngine {
        var configuration = RunnerConfiguration()
        configuration.chromiumPath = "/nonexistent/chromium"
        configuration.allowedNetworks = "127.0.0.2/32"
        configuration.allowedPorts = (["80", "443"] + ports.map(String.init)).joined(separator: ",")
        var engine = HTTPAuditEngine(configuration: configuration, logger: Logger(label: "egress-test"))
        // Generous bounds: every answer here comes at once on an idle machine, but a loaded CI machine in
        // the parallel phase once needed more than 3 s to connect to the loopback proxy.
        engine.timeouts[.quick] = .init(connect: .seconds(20), read: .seconds(20), total: .seconds(30))
        engine.probeTimeouts = .init(connect: .seconds(5), read: .seconds(5), total: .seconds(10))
        return engine
    }

    static func audit(_ engine: HTTPAuditEngine, _ url: String) async throws -> CompletedEventPayload {
        let job = AuditJob(auditID: .generate(), url: url, tier: .quick, verdictMode: .expert, attempt: 1, createdAt: .now)
        return try await engine.audit(job, reporter: AuditReporter(progress: { _, _, _ in }, screenshot: { _, _, _, _ in }))
    }

    static let page = FixtureServer.Page(body: "<html><head><title>Shop</title></head><body><h1>Lamps</h1><p>Desk lamp $49</p></body></html>")

    @Test("refused directly, by name, by redirect, as IPv6 forms and over CONNECT; the allowed site passes; nothing reaches the inside")
    func fetchIsGuarded() async throws {
        let inside = try await FixtureServer.start(["/secret": Self.page])
        let site = try await FixtureServer.start([
            "/": Self.page,
            "/to-inside": .init(status: .found, headers: [("Location", inside.url("/secret"))]),
            "/to-metadata": .init(status: .found, headers: [("Location", "http://169.254.169.254/latest/meta-data/")]),
        ], host: "127.0.0.2")
        defer { Task { await inside.stop(); await site.stop() } }
        let engine = Self.engine(allowingPorts: [site.port, inside.port])

        let allowed = try await Self.audit(engine, site.url("/"))
        #expect(allowed.securityResults["final_url"] == .string(site.url("/")))
        #expect(allowed.securityResults["blocked_destinations_total"] == .number(0))

        let port = inside.port
        let refused: [(String, String)] = [
            (inside.url("/secret"), "127.0.0.1 is a loopback address (fetch.allow_private_networks is off)"),
            ("http://localhost:\(port)/secret", "is a loopback address"),
            (site.url("/to-inside"), "127.0.0.1 is a loopback address"),
            (site.url("/to-metadata"), "169.254.169.254 is a cloud metadata address"),
            ("http://[::1]:\(port)/secret", "::1 is a loopback address"),
            ("http://[::ffff:127.0.0.1]:\(port)/secret", "a loopback address"),
            ("https://127.0.0.1:\(port)/secret", "127.0.0.1 is a loopback address"),
            ("http://127.0.0.2:5556/", "port 5556 is not allowed"),
        ]
        for (url, reason) in refused {
            do {
                _ = try await Self.audit(engine, url)
                Issue.record("\(url) was fetched")
            } catch let failure as AuditFailure {
                #expect(failure.message.hasPrefix("refused to fetch"), "\(url): \(failure.message)")
                #expect(failure.message.contains(reason), "\(url): \(failure.message)")
            }
        }
        #expect(inside.requestedPaths.isEmpty, "the inside was reached: \(inside.requestedPaths)")
        #expect(site.requestedPaths.contains("/to-inside"))
    }

    @Test("a connection failure through the guard still reads as one: refused, unresolvable")
    func failuresStayClear() async throws {
        let engine = Self.engine(allowingPorts: [1])
        await #expect {
            _ = try await Self.audit(engine, "http://127.0.0.2:1/")
        } throws: { error in
            (error as? AuditFailure)?.message.contains("connection refused") == true
        }
        await #expect {
            _ = try await Self.audit(engine, "http://no-such-host.invalid/")
        } throws: { error in
            (error as? AuditFailure)?.message.contains("could not resolve") == true
        }
    }

    @Test("per-audit limits: connections past the limit are refused, bytes past the limit are cut; both recorded")
    func perAuditLimits() async throws {
        let big = String(repeating: "x", count: 200_000)
        let site = try await FixtureServer.start(["/small": Self.page, "/big": .init(body: big)])
        defer { Task { await site.stop() } }
        func get(_ path: String, through proxy: EgressProxy) async throws -> String {
            // The fixture server leaves the connection to the client to close: read to the page's end.
            try await LoopbackSocket.exchange(port: proxy.port, "GET \(site.url(path)) HTTP/1.1\r\nHost: 127.0.0.1:\(site.port)\r\n\r\n", until: "</html>")
        }
        let few = try await EgressProxy.start(
            policy: DestinationPolicy(allowPrivateNetworks: true, maxConnectionsPerAudit: 2), logger: Logger(label: "egress-test"))
        #expect(try await get("/small", through: few).hasPrefix("HTTP/1.1 200"))
        #expect(try await get("/small", through: few).hasPrefix("HTTP/1.1 200"))
        let third = try await get("/small", through: few)
        #expect(third.hasPrefix("HTTP/1.1 403"))
        #expect(third.contains("limit of 2 connections"))
        await few.stop()

        let small = try await EgressProxy.start(
            policy: DestinationPolicy(allowPrivateNetworks: true, maxBytesPerAudit: 65_536), logger: Logger(label: "egress-test"))
        let cut = try await get("/big", through: small)
        #expect(cut.hasPrefix("HTTP/1.1 200"))
        #expect(cut.utf8.count < 200_000, "the body was cut at the byte limit")
        #expect(small.refusals.contains { $0.reason.contains("limit of 65536 bytes") })
        await small.stop()
    }

    @Test("the proxy answers what is not a proxy request with 400, and a refusal names itself in a header")
    func proxyProtocol() async throws {
        let proxy = try await EgressProxy.start(policy: DestinationPolicy(), logger: Logger(label: "egress-test"))
        defer { Task { await proxy.stop() } }
        func exchange(_ request: String) async throws -> String {
            try await LoopbackSocket.exchange(port: proxy.port, request)
        }
        #expect(try await exchange("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(try await exchange("garbage\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        let refused = try await exchange("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n")
        #expect(refused.hasPrefix("HTTP/1.1 403"))
        #expect(refused.contains("\(EgressProxy.blockedHeader): 127.0.0.1:443: 127.0.0.1 is a loopback address"))
        let decimal = try await exchange("GET http://2130706433/ HTTP/1.1\r\nHost: 2130706433\r\n\r\n")
        #expect(decimal.hasPrefix("HTTP/1.1 403"), "a decimal spelling of 127.0.0.1: \(decimal)")
        #expect(proxy.refusedTotal == 2)
    }
}

/// A blocking TCP client on loopback, for speaking raw bytes to the proxy.
struct LoopbackSocket {
    /// Sends `request` to `port` and reads until the peer closes, on a Dispatch thread: the
    /// proxy under test runs on the cooperative pool, which a blocking read must not occupy.
    /// - Parameter until: stop reading once the text holds this (a server that leaves the
    ///   connection open after its response).
    static func exchange(port: Int, _ request: String, until: String? = nil) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let socket = try LoopbackSocket(port: port)
                    defer { socket.close() }
                    try socket.send(request)
                    continuation.resume(returning: socket.receiveAll(until: until))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { throw AuditFailure("cannot connect to the proxy") }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw AuditFailure("short write") }
    }

    /// Everything until the peer closes the connection, `until` appears, or 10 s pass.
    func receiveAll(until: String? = nil) -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            collected += buffer[0..<count]
            if let until, String(decoding: collected, as: UTF8.self).contains(until) { break }
        }
        return String(decoding: collected, as: UTF8.self)
    }

    func close() { _ = Glibc.close(descriptor) }
}
