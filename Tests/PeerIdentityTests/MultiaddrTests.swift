import Testing

@testable import PeerIdentity

@Suite("Multiaddr")
struct MultiaddrTests {
    static let secpPeer = "16Uiu2HAm36tQZYF9ijH9PzgZKcJDxyKz93iue4RjpBLkvcbo6mhU"
    static let edPeer = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"
    static let shaPeer = "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN"
    static let onion = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd"

    /// Canonical text for every protocol peerd knows, each must survive text -> binary -> text.
    static let roundTrips: [String] = [
        "/ip4/127.0.0.1/tcp/4001",
        "/ip4/0.0.0.0/udp/0",
        "/ip6/::1/tcp/443",
        "/ip6/2001:db8::ff00:42:8329/udp/9000/quic-v1",
        "/ip6zone/eth0/ip6/fe80::1/tcp/1",
        "/dns/example.com/tcp/443/tls/sni/example.com/ws",
        "/dns4/example.org/tcp/443/wss",
        "/dns6/example.org/udp/443/quic",
        "/dnsaddr/bootstrap.libp2p.io/p2p/\(shaPeer)",
        "/ip4/1.2.3.4/tcp/1/p2p/\(secpPeer)/p2p-circuit/p2p/\(edPeer)",
        "/onion3/\(onion):1234/wss",
        "/ip4/1.2.3.4/udp/1/webrtc-direct",
        "/ip4/1.2.3.4/udp/1/quic-v1/webtransport",
        "/ip4/1.2.3.4/tcp/80/http",
        "/ip4/1.2.3.4/tcp/1/tls/noise",
        "/webrtc",
        "/ip4/1.2.3.4/dccp/5000",
        "/ip4/1.2.3.4/sctp/5000",
    ]

    @Test("Text -> binary -> text round trip", arguments: roundTrips)
    func roundTrip(text: String) throws {
        let parsed = try Multiaddr(text)
        #expect(parsed.description == text)
        let decoded = try Multiaddr(bytes: parsed.bytes)
        #expect(decoded == parsed)
        #expect(decoded.description == text)
    }

    @Test("Every known protocol appears in the round-trip table")
    func coverage() throws {
        let seen = Set(try Self.roundTrips.flatMap { try Multiaddr($0).components.map(\.protocol) })
        #expect(seen == Set(MultiaddrProtocol.allCases))
    }

    // Binary forms from the go-multiaddr tests and the synthetic ENR's multiaddrs field.
    @Test(
        "Known binary forms",
        arguments: [
            ("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1"),
            ("/ip4/127.0.0.1/udp/1234", "047f000001910204d2"),
            ("/dns4/example.org/tcp/443/wss", "360b6578616d706c652e6f72670601bbde03"),
            ("/ip4/192.168.68.62/tcp/60001", "04c0a8443e06ea61"),
            (
                "/onion3/\(onion):1234",
                "bd03adadec040be047f9658668b11a504f3155001f231a37f54c4476c07fb4cc139ed7e30304d2"
            ),
        ])
    func binary(text: String, hex: String) throws {
        #expect(Hex.encode(try Multiaddr(text).bytes) == hex)
        #expect(try Multiaddr(bytes: Fixtures.hex(hex)).description == text)
    }

    @Test("Non-canonical but valid text is normalized")
    func normalization() throws {
        #expect(try Multiaddr("/ip6/2001:0DB8:0:0:0:0:0:1/tcp/1").description == "/ip6/2001:db8::1/tcp/1")
        #expect(try Multiaddr("/ipfs/\(Self.shaPeer)").description == "/p2p/\(Self.shaPeer)")
    }

    @Test(
        "Refuses malformed text, naming the part",
        arguments: [
            ("", "(empty)"),
            ("ip4/1.2.3.4", "ip4/1.2.3.4"),
            (" /ip4/1.2.3.4/tcp/1", " /ip4/1.2.3.4/tcp/1"),
            ("/ip4/1.2.3.4/tcp/1 ", "/tcp/1 "),
            ("/", "/"),
            ("/ip4/256.0.0.1/tcp/1", "/ip4/256.0.0.1"),
            ("/ip4/1.2.3/tcp/1", "/ip4/1.2.3"),
            ("/ip4/01.2.3.4", "/ip4/01.2.3.4"),
            ("/ip6/1::2::3", "/ip6/1::2::3"),
            ("/ip6/12345::1", "/ip6/12345::1"),
            ("/tcp/65536", "/tcp/65536"),
            ("/tcp/-1", "/tcp/-1"),
            ("/tcp/080", "/tcp/080"),
            ("/foo/1", "foo"),
            ("/ip4", "/ip4"),
            ("/ip4/1.2.3.4//tcp/1", "/ip4/1.2.3.4//tcp/1"),
            ("/ip4/1.2.3.4/tcp/1/", "/ip4/1.2.3.4/tcp/1/"),
            ("/p2p/notbase58!", "/p2p/notbase58!"),
            (
                "/p2p/16Uiu2HAm36tQZYF9ijH9PzgZKcJDxyKz93iue4RjpBLkvcbo6mh",
                "/p2p/16Uiu2HAm36tQZYF9ijH9PzgZKcJDxyKz93iue4RjpBLkvcbo6mh"
            ),
            ("/onion3/abc:80", "/onion3/abc:80"),
            ("/onion3/\(onion):0", "/onion3/\(onion):0"),
            ("/dns4/exa mple.org/tcp/1", "/dns4/exa mple.org"),
        ])
    func refusesText(text: String, part: String) {
        #expect {
            try Multiaddr(text)
        } throws: { error in
            (error as? Multiaddr.ParseError)?.part == part
        }
    }

    @Test(
        "Refuses malformed binary, naming the part",
        arguments: [
            ("", "(empty)"),
            ("047f0000", "/ip4 at byte 0"),  // 3 of 4 address bytes
            ("ffff03", "code 0xffff at byte 0"),
            ("360561", "/dns4 at byte 0"),  // length 5, one byte left
            ("8000", "byte 0"),  // non-minimal varint
            ("047f00000106", "/tcp at byte 5"),
            ("3601", "/dns4 at byte 0"),  // declared length, no bytes
            ("36012f", "/dns4 at byte 0"),  // a dns name holding '/'
            ("a503220000", "/p2p at byte 0"),  // not a multihash
        ])
    func refusesBinary(hex: String, part: String) {
        #expect {
            try Multiaddr(bytes: Fixtures.hex(hex))
        } throws: { error in
            (error as? Multiaddr.ParseError)?.part == part
        }
    }

    @Test("Error description names the part and the reason")
    func errorDescription() {
        do {
            _ = try Multiaddr("/ip4/999.1.1.1/tcp/1")
            Issue.record("accepted a bad IP")
        } catch {
            #expect(error.description == "invalid multiaddr part '/ip4/999.1.1.1': not a dotted-decimal IPv4 address")
        }
    }

    @Test("Components are values")
    func components() throws {
        let address = try Multiaddr("/ip4/10.0.0.1/tcp/60000/ws/p2p/\(Self.secpPeer)")
        #expect(
            address.components == [
                .ip4(try #require(IPv4Address("10.0.0.1"))), .tcp(60000), .ws, .p2p(try PeerID(Self.secpPeer)),
            ])
        #expect(address.components.map(\.protocol.code) == [0x04, 0x06, 0x01dd, 0x01a5])
    }

    @Test("The trailing /p2p can be read, dropped and appended")
    func peerIDHandling() throws {
        let peer = try PeerID(Self.secpPeer)
        let full = try Multiaddr("/dns4/node.example.org/tcp/443/wss/p2p/\(Self.secpPeer)")
        #expect(full.peerID == peer)
        #expect(full.withoutPeerID.description == "/dns4/node.example.org/tcp/443/wss")
        #expect(full.withoutPeerID.peerID == nil)
        #expect(try full.withoutPeerID.appendingPeerID(peer) == full)
        #expect(try full.appendingPeerID(peer) == full)
        #expect(throws: Multiaddr.ParseError.self) { try full.appendingPeerID(PeerID(Self.edPeer)) }
        // A relay address without a destination names no peer.
        #expect(try Multiaddr("/ip4/1.2.3.4/tcp/1/p2p/\(Self.secpPeer)/p2p-circuit").peerID == nil)
    }

    @Test(
        "ipAddress is the first ip4/ip6 component",
        arguments: [
            ("/ip4/203.0.113.7/tcp/51234", "203.0.113.7"),
            ("/ip6/2001:db8::7/tcp/1", "2001:db8::7"),
            ("/ip6zone/eth0/ip6/fe80::1/tcp/1", "fe80::1"),
            ("/dns4/example.org/tcp/1", nil),
        ] as [(String, String?)])
    func ipAddress(text: String, expected: String?) throws {
        #expect(try Multiaddr(text).ipAddress == expected)
    }
}
