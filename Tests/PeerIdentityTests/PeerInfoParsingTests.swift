import Testing

@testable import PeerIdentity

@Suite("RemotePeerInfo parsing")
struct PeerInfoParsingTests {
    static let peer = "16Uiu2HAmNaeL4p3WEYzC9mgXBmBWSgWjPHRvatZTXnp8Jgv3iKsb"

    // nwaku tests/waku_core/test_peers.nim: ip4/dns/dnsaddr/dns4/dns6 + tcp + p2p are accepted.
    @Test(
        "Accepts TCP multiaddrs ending in /p2p",
        arguments: [
            "/ip4/127.0.0.1/tcp/65535/p2p/\(peer)",
            "/ip6/::1/tcp/60000/p2p/\(peer)",
            "/dns/localhost/tcp/65535/p2p/\(peer)",
            "/dnsaddr/localhost/tcp/65535/p2p/\(peer)",
            "/dns4/localhost/tcp/65535/p2p/\(peer)",
            "/dns6/localhost/tcp/65535/p2p/\(peer)",
            "/dnsaddr/bootstrap.example.org/p2p/\(peer)",
            "/dns4/node.example.org/tcp/443/wss/p2p/\(peer)",
            "/ip4/1.2.3.4/tcp/8000/ws/p2p/\(peer)",
            "/dns4/node.example.org/tcp/443/tls/sni/node.example.org/ws/p2p/\(peer)",
        ])
    func accepts(text: String) throws {
        let info = try RemotePeerInfo(parsing: text)
        #expect(info.peerID.description == Self.peer)
        #expect(info.addrs.count == 1)
        #expect(info.addrs[0].peerID == nil)
        #expect(info.dialAddresses.map(\.description) == [text])
        #expect(info.enr == nil)
        #expect(info.protocols.isEmpty)
    }

    @Test(
        "Refuses what nwaku refuses, naming the part",
        arguments: [
            ("", RemotePeerInfo.ParseError.Kind.empty, "(empty)"),
            ("/garbage/1.2.3.4/tcp/1/p2p/\(peer)", .invalidMultiaddr, "garbage"),
            ("not a multiaddr", .invalidMultiaddr, "not a multiaddr"),
            // Past 80 bytes the part shows the first 64 characters and the length.
            (
                " /ip4/127.0.0.1/tcp/60000/p2p/\(peer)", .whitespace,
                "' /ip4/127.0.0.1/tcp/60000/p2p/\(peer.prefix(33))... (85 bytes)"
            ),
            (
                "/ip4/127.0.0.1/tcp/60000/p2p/\(peer)\n", .whitespace,
                "'/ip4/127.0.0.1/tcp/60000/p2p/\(peer.prefix(34))... (85 bytes)"
            ),
            ("/ip4/127.0.0.0.1/tcp/60000/p2p/\(peer)", .invalidMultiaddr, "/ip4/127.0.0.0.1"),
            ("/ip4/127.0.0.1/tcp/60000", .missingPeerID, "/ip4/127.0.0.1/tcp/60000"),
            ("/ip4/127.0.0.1/udp/60000/p2p/\(peer)", .unsupportedTransport, "/udp/60000"),
            ("/ip4/127.0.0.1/udp/60000/quic-v1/p2p/\(peer)", .unsupportedTransport, "/udp/60000"),
            ("/ip4/127.0.0.1/tcp/1/p2p/\(peer)/p2p-circuit/p2p/\(peer)", .unsupportedTransport, "/p2p/\(peer)"),
            ("/p2p/\(peer)", .unsupportedTransport, "(no host)"),
            ("/ip4/127.0.0.1/p2p/\(peer)", .unsupportedTransport, "/ip4/127.0.0.1"),
            ("/tcp/1/p2p/\(peer)", .unsupportedTransport, "/tcp/1"),
            ("/ip4/127.0.0.1/tcp/1/ws/ws/p2p/\(peer)", .unsupportedTransport, "/ws"),
            ("enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcB", .invalidENR, "rlp"),
            (Fixtures.eip778Record, .noAddresses, Fixtures.eip778PeerID),  // udp only
        ])
    func refuses(text: String, kind: RemotePeerInfo.ParseError.Kind, part: String) {
        #expect {
            try RemotePeerInfo(parsing: text)
        } throws: { error in
            guard let error = error as? RemotePeerInfo.ParseError else { return false }
            return error.kind == kind && error.part == part
        }
    }

    @Test("An ENR gives peer id, addresses, protocols and shards")
    func fromENR() throws {
        // nwaku networks_config.nim, TWN sandbox ams3 (behaviour notes §4, record 1).
        let text =
            "enr:-QESuED0qW1BCmF-oH_ARGPr97Nv767bl_43uoy70vrbah3EaCAdK3Q0iRQ6wkSTTpdrg_dU_NC2ydO8leSlRpBX4pxiAYJpZIJ2NIJpcIRA4VDAim11bHRpYWRkcnO4XAArNiZub2RlLTAxLmRvLWFtczMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQZ2XwAtNiZub2RlLTAxLmRvLWFtczMud2FrdS5zYW5kYm94LnN0YXR1cy5pbQYfQN4DgnJzkwABCAAAAAEAAgADAAQABQAGAAeJc2VjcDI1NmsxoQOTd-h5owwj-cx7xrmbvQKU8CV3Fomfdvcv1MBc-67T5oN0Y3CCdl-DdWRwgiMohXdha3UyDw"
        let info = try RemotePeerInfo(parsing: text)
        #expect(info.peerID.description == Self.peer)
        #expect(
            info.addrs.map(\.description) == [
                "/ip4/64.225.80.192/tcp/30303",
                "/dns4/node-01.do-ams3.waku.sandbox.status.im/tcp/30303",
                "/dns4/node-01.do-ams3.waku.sandbox.status.im/tcp/8000/wss",
            ])
        #expect(
            info.protocols == [
                "/vac/waku/relay/2.0.0", "/vac/waku/store-query/3.0.0", "/vac/waku/filter-subscribe/2.0.0-beta1",
                "/vac/waku/lightpush/3.0.0",
            ])
        #expect(info.shards == RelayShards(clusterID: 1, shardIDs: Array(0...7)))
        #expect(info.enr?.description == text)
        #expect(info.addrs.first?.ipAddress == "64.225.80.192")
    }

    @Test("Error description names kind, part and reason")
    func description() {
        do {
            _ = try RemotePeerInfo(parsing: "/ip4/127.0.0.1/udp/60000/p2p/\(Self.peer)")
            Issue.record("accepted udp")
        } catch {
            #expect(error.description.contains("unsupportedTransport"))
            #expect(error.description.contains("/udp/60000"))
        }
    }
}
