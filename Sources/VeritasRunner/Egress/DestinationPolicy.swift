/// Where a runner may connect when it audits a page: the SSRF guard's rules.
///
/// A runner fetches whatever URL a client submits and opens it in a browser; without this it
/// would be a way into the network it sits in (cloud metadata, the database host, the writer's own
/// ports). The policy is applied by ``EgressProxy`` to the address actually connected to, after
/// DNS resolution, for every connection of the fetch (each redirect hop) and of Chromium
/// (navigation, subresources, fetch/XHR, WebSocket).
///
/// Refused by default, IPv4 and IPv6, whatever the spelling (IPv4-mapped, -compatible, NAT64 and
/// 6to4 forms are judged by the IPv4 address they carry): loopback, private (RFC 1918, CGNAT),
/// link-local, unique-local, multicast, unspecified, broadcast, reserved, and the cloud metadata
/// addresses. `allowPrivateNetworks` (`fetch.allow_private_networks`) lifts this for the demo,
/// tests and intranet audits; `allowedNetworks` lifts it for listed blocks only.
public struct DestinationPolicy: Sendable, Equatable {
    /// Allow every address class except cloud metadata and those no TCP connection can reach
    /// (multicast, unspecified, broadcast).
    public var allowPrivateNetworks: Bool
    /// Ports a page may be fetched from or load from (any, when ``allowPrivateNetworks``).
    public var allowedPorts: Set<Int>
    /// URL schemes a page may be fetched with.
    public var allowedSchemes: Set<String>
    /// Blocks allowed even when their class is refused (an intranet range, a test address).
    public var allowedNetworks: [IPNetwork]

    /// Connections one audit may open through its egress proxy (fetch, redirects, everything the
    /// browser loads); past it, further connections are refused and recorded.
    public var maxConnectionsPerAudit: Int
    /// Bytes one audit may receive through its proxy; past it, its connections are cut.
    public var maxBytesPerAudit: Int

    /// The default ports: HTTP and HTTPS, and their common alternates.
    public static let defaultPorts: Set<Int> = [80, 443, 8080, 8443]

    public init(
        allowPrivateNetworks: Bool = false, allowedPorts: Set<Int> = DestinationPolicy.defaultPorts,
        allowedSchemes: Set<String> = ["http", "https"], allowedNetworks: [IPNetwork] = [],
        maxConnectionsPerAudit: Int = 300, maxBytesPerAudit: Int = 64 * 1024 * 1024
    ) {
        self.maxConnectionsPerAudit = maxConnectionsPerAudit
        self.maxBytesPerAudit = maxBytesPerAudit
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowedPorts = allowedPorts
        self.allowedSchemes = allowedSchemes
        self.allowedNetworks = allowedNetworks
    }

    /// Why connecting to `address` is refused ("a loopback address"), or `nil` when allowed.
    public func refusal(for address: IPAddress) -> String? {
        if allowedNetworks.contains(where: { $0.contains(address) }) { return nil }
        guard let kind = Self.classify(address) else { return nil }
        if allowPrivateNetworks, !kind.alwaysRefused { return nil }
        return kind.description
    }

    /// Why `port` is refused, or `nil`. With private networks allowed every port is: the ports
    /// rule guards internal services, which that setting opens anyway (the demo's and tests'
    /// loopback servers listen on ephemeral ports).
    public func refusal(port: Int) -> String? {
        allowPrivateNetworks || allowedPorts.contains(port) ? nil : "port \(port) is not allowed (fetch.allowed_ports: \(allowedPorts.sorted().map(String.init).joined(separator: ", ")))"
    }

    /// Why `scheme` is refused, or `nil`.
    public func refusal(scheme: String) -> String? {
        allowedSchemes.contains(scheme.lowercased()) ? nil : "the \(scheme) scheme is not allowed"
    }

    /// The address classes the policy knows.
    public enum AddressClass: Sendable, Equatable, CustomStringConvertible {
        case loopback, privateNetwork, sharedAddressSpace, linkLocal, cloudMetadata, uniqueLocal, multicast, unspecified,
             broadcast, reserved

        public var description: String {
            switch self {
            case .loopback: "a loopback address"
            case .privateNetwork: "a private-network address"
            case .sharedAddressSpace: "a carrier-grade NAT (shared) address"
            case .linkLocal: "a link-local address"
            case .cloudMetadata: "a cloud metadata address"
            case .uniqueLocal: "a unique-local (private IPv6) address"
            case .multicast: "a multicast address"
            case .unspecified: "the unspecified address"
            case .broadcast: "the broadcast address"
            case .reserved: "a reserved address"
            }
        }

        /// Classes no audit connects to even when private networks are allowed: those TCP cannot
        /// reach, and cloud metadata, never an audit's target and the first thing an attacker
        /// asks for (``allowedNetworks`` can still name it).
        var alwaysRefused: Bool { self == .multicast || self == .unspecified || self == .broadcast || self == .cloudMetadata }
    }

    private static let metadata = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"].compactMap(IPAddress.init)
    private static let ipv4Blocks: [(IPNetwork, AddressClass)] = ([
        ("0.0.0.0/8", .unspecified), ("127.0.0.0/8", .loopback), ("10.0.0.0/8", .privateNetwork),
        ("172.16.0.0/12", .privateNetwork), ("192.168.0.0/16", .privateNetwork), ("100.64.0.0/10", .sharedAddressSpace),
        ("169.254.0.0/16", .linkLocal), ("192.0.0.0/24", .reserved), ("198.18.0.0/15", .reserved),
        ("224.0.0.0/4", .multicast), ("255.255.255.255/32", .broadcast), ("240.0.0.0/4", .reserved),
    ] as [(String, AddressClass)]).map { (IPNetwork($0.0)!, $0.1) }
    private static let ipv6Blocks: [(IPNetwork, AddressClass)] = ([
        ("::/128", .unspecified), ("::1/128", .loopback), ("fe80::/10", .linkLocal), ("fec0::/10", .privateNetwork),
        ("fc00::/7", .uniqueLocal), ("ff00::/8", .multicast), ("100::/64", .reserved),
    ] as [(String, AddressClass)]).map { (IPNetwork($0.0)!, $0.1) }

    /// The refused class `address` belongs to, or `nil` for an ordinary public address.
    public static func classify(_ address: IPAddress) -> AddressClass? {
        if metadata.contains(address) { return .cloudMetadata }
        if let inner = address.embeddedIPv4 { return classify(inner) }
        // Teredo (2001:0::/32) carries its server's IPv4 in bytes 4...7 and the client's,
        // inverted, in the last four: judged by both.
        if !address.isIPv4, address.bytes[0...3] == [0x20, 0x01, 0, 0] {
            let server = IPAddress(bytes: Array(address.bytes[4..<8]))!
            let client = IPAddress(bytes: address.bytes[12...].map { ~$0 })!
            return classify(server) ?? classify(client)
        }
        let blocks = address.isIPv4 ? ipv4Blocks : ipv6Blocks
        return blocks.first { $0.0.contains(address) }?.1
    }
}
