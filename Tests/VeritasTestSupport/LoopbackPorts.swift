import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Fixed loopback ports for a writer that must come back on the same ports after `kill -9`.
///
/// Ports are drawn from *below* the kernel's ephemeral range (`ip_local_port_range`) and checked
/// free by binding them. A port from the ephemeral range (what binding port 0 returns) could be
/// handed, while our writer is down, to another test's `tcp://127.0.0.1:*` writer running in
/// parallel, and our runners would then talk to that writer.
public enum LoopbackPorts {
    public static func ephemeralRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? "32768 60999"
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return 32768...60999 }
        return numbers[0]...numbers[1]
    }

    /// `count` distinct ports that can be bound on 127.0.0.1 now.
    public static func pick(_ count: Int) throws -> [Int] {
        let ephemeral = ephemeralRange()
        let candidates: ClosedRange<Int> = ephemeral.lowerBound > 12_000 ? 10_000...(ephemeral.lowerBound - 1) : (ephemeral.upperBound + 1)...65_000
        var chosen: [Int] = []
        for _ in 0..<2_000 where chosen.count < count {
            let port = Int.random(in: candidates)
            if !chosen.contains(port), isFree(port) { chosen.append(port) }
        }
        guard chosen.count == count else { throw InProcessWriterError(description: "no \(count) free loopback ports in \(candidates)") }
        return chosen
    }

    /// Whether a listening socket can be bound to 127.0.0.1:`port` (with SO_REUSEADDR, as libzmq).
    public static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0 && listen(descriptor, 1) == 0
    }
}

