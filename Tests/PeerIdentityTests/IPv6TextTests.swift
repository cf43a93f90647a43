import Glibc
import Testing

@testable import PeerIdentity

/// IPv6 text must be what glibc's inet_ntop prints (RFC 5952, with dotted IPv4 tails where it
/// uses them), and parse back to the same bytes.
@Suite("IPv6 text")
struct IPv6TextTests {
    static func ntop(_ bytes: [UInt8]) -> String {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func bytes(_ text: String) -> [UInt8] {
        var address = in6_addr()
        #expect(inet_pton(AF_INET6, text, &address) == 1)
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    @Test(
        "RFC 5952 section 5: mapped and compatible addresses end in dotted decimal",
        arguments: [
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"), ("::ffff:0:0", "::ffff:0.0.0.0"),
            ("::ffff:255.255.255.255", "::ffff:255.255.255.255"), ("::1.2.3.4", "::1.2.3.4"),
            ("::0.0.1.2", "::102"), ("::1", "::1"), ("::", "::"), ("::ffff", "::ffff"),
            ("1::ffff:1.2.3.4", "1::ffff:102:304"), ("::fffe:1.2.3.4", "::fffe:102:304"),
            ("0:0:0:0:0:1:1.2.3.4", "::1:102:304"), ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
        ])
    func dottedTails(text: String, expected: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == expected)
        #expect(Self.ntop(address.bytes) == expected)
        #expect(IPv6Address(address.description)?.bytes == address.bytes)
    }

    @Test("twenty thousand addresses print exactly as inet_ntop does and parse back")
    func matchesInetNtop() throws {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            // Mostly zero groups, so runs of every length and position occur.
            var bytes = [UInt8](repeating: 0, count: 16)
            for group in 0..<8 {
                switch next() % 5 {
                case 0: bytes[2 * group] = UInt8(truncatingIfNeeded: next())
                case 1: bytes[2 * group + 1] = UInt8(truncatingIfNeeded: next())
                case 2:
                    bytes[2 * group] = 0xff
                    bytes[2 * group + 1] = 0xff
                default: break
                }
            }
            let address = try #require(IPv6Address(bytes: bytes))
            if address.description != Self.ntop(bytes) || IPv6Address(address.description)?.bytes != bytes {
                mismatches.append("\(Self.ntop(bytes)) printed as \(address.description)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("a multiaddr shows the dotted form too")
    func multiaddrText() throws {
        #expect(try Multiaddr("/ip6/::ffff:1.2.3.4/tcp/1").description == "/ip6/::ffff:1.2.3.4/tcp/1")
        #expect(
            try Multiaddr(bytes: Multiaddr("/ip6/::ffff:102:304/tcp/1").bytes).description
                == "/ip6/::ffff:1.2.3.4/tcp/1")
        #expect(Self.bytes("::ffff:1.2.3.4") == IPv6Address("::ffff:1.2.3.4")?.bytes)
    }
}
