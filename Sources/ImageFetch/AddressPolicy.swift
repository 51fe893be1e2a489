/// Which destination addresses a fetch may connect to; checked on every connection, redirects included.
public struct AddressPolicy: Sendable, Hashable {
    /// The kind of range an address falls in.
    public enum Range: String, Sendable {
        case publicAddress = "public"
        case loopback, privateNetwork = "private", linkLocal = "link-local", unspecified, multicast, reserved
    }

    /// Allow 127.0.0.0/8 and ::1 (tests and demos serving from this machine).
    public var allowLoopback: Bool
    /// Allow RFC 1918, CGNAT, unique-local, link-local (cloud metadata!) and other non-public ranges.
    public var allowPrivate: Bool

    /// A policy; the default refuses everything but public addresses.
    public init(allowLoopback: Bool = false, allowPrivate: Bool = false) {
        self.allowLoopback = allowLoopback; self.allowPrivate = allowPrivate
    }

    /// Whether a connection to an address in `range` is allowed.
    public func allows(_ range: Range) -> Bool {
        switch range {
        case .publicAddress: return true
        case .loopback: return allowLoopback || allowPrivate
        default: return allowPrivate
        }
    }

    /// Classifies an IPv4 address given as four bytes in network order.
    public static func classify(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Range {
        switch a {
        case 0: return .unspecified
        case 10: return .privateNetwork
        case 127: return .loopback
        case 100 where (64...127).contains(b): return .privateNetwork
        case 169 where b == 254: return .linkLocal
        case 172 where (16...31).contains(b): return .privateNetwork
        case 192 where b == 168: return .privateNetwork
        case 192 where b == 0 && (c == 0 || c == 2): return .reserved
        case 198 where b == 18 || b == 19: return .reserved
        case 198 where b == 51 && c == 100, 203 where b == 0 && c == 113: return .reserved
        case 224...239: return .multicast
        case 240...255: return .reserved
        default: return .publicAddress
        }
    }

    /// Classifies an IPv6 address given as 16 bytes in network order (v4-mapped and NAT64 forms use the IPv4 rules).
    public static func classify(ipv6 x: [UInt8]) -> Range {
        guard x.count == 16 else { return .reserved }
        if x[0..<15].allSatisfy({ $0 == 0 }) { return x[15] == 1 ? .loopback : .unspecified }
        let mapped = x[0..<10].allSatisfy { $0 == 0 } && x[10] == 0xFF && x[11] == 0xFF
        let nat64 = x[0] == 0x00 && x[1] == 0x64 && x[2] == 0xFF && x[3] == 0x9B && x[4..<12].allSatisfy { $0 == 0 }
        let compatible = x[0..<12].allSatisfy { $0 == 0 }
        if mapped || nat64 || compatible { return classify(ipv4: x[12], x[13], x[14], x[15]) }
        if x[0] == 0xFF { return .multicast }
        if x[0] & 0xFE == 0xFC { return .privateNetwork }
        if x[0] == 0xFE && x[1] & 0xC0 == 0x80 { return .linkLocal }
        if x[0] == 0xFE && x[1] & 0xC0 == 0xC0 { return .privateNetwork }
        if x[0] == 0x20 && x[1] == 0x01 && x[2] == 0x0D && x[3] == 0xB8 { return .reserved }
        if x[0] == 0x20 && x[1] == 0x02 { return classify(ipv4: x[2], x[3], x[4], x[5]) }
        return .publicAddress
    }
}
