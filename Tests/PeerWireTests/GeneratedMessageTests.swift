import NIOCore
import PeerWire
import Testing

/// Round trips through the generated codecs: every field kind (scalars, strings, bytes, enums,
/// sub-messages, repeated sub-messages, proto3-optional oneofs, real oneofs). These run under
/// AddressSanitizer too, which checks the pointer work of the generated code.
@Suite("Generated messages")
struct GeneratedMessageTests {
    static let fullPeer: PeerManagerV1.Peer = PeerManagerV1.Peer(
        peerID: "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ",
        addresses: ["/ip4/1.2.3.4/tcp/60000", "/dns4/node.example/tcp/443/wss"],
        protocols: ["/vac/waku/relay/2.0.0", "/vac/waku/store-query/3.0.0"],
        publicKey: [0x08, 0x02, 0x12, 0x21] + Array(repeating: 0xAB, count: 33),
        agent: "nwaku", protocolVersion: "p2p", enr: "enr:-abc", origin: .peerExchange, connectedness: .canConnect,
        direction: .outbound, disconnectTimeMs: 1_700_000_000_000, failedDials: 3, lastFailedDialMs: 0,
        enrShards: PeerManagerV1.RelayShards(clusterID: 1, shardIDs: [0, 7]), metadataShards: nil, capabilities: 0b11,
        protectionTags: ["store"])

    @Test("Peer with every field set, including a zero optional")
    func peerRoundTrip() throws {
        let decoded = try PeerManagerV1.Peer(wire: Self.fullPeer.encoded())
        #expect(decoded == Self.fullPeer)
        // Presence survives a zero value: `last_failed_dial_ms = 0` is not "absent".
        #expect(decoded.lastFailedDialMs == 0)
        #expect(decoded.metadataShards == nil)
    }

    @Test("An empty message decodes to defaults")
    func emptyPeer() throws {
        let decoded = try PeerManagerV1.Peer(wire: ByteBuffer())
        #expect(decoded == PeerManagerV1.Peer())
        #expect(decoded.disconnectTimeMs == nil)
        #expect(decoded.connectedness == .notConnected)
    }

    static let everyHostEvent: [PeerManagerV1.HostEvent.OneOf_Event] = [
        .hello(
            .init(
                peerID: "self", listenAddresses: ["/ip4/0.0.0.0/tcp/60000"], clusterID: 0, shards: [1, 2],
                online: true, takeOver: true,
                connections: [
                    .init(connectionID: 7, peerID: "p", direction: .inbound, observedAddress: "/ip4/9.9.9.9/tcp/1")
                ],
                identified: [.init(peerID: "p", protocols: ["/a"], publicKey: [1])])),
        .connectionOpened(.init(connectionID: .max, peerID: "p", direction: .outbound)),
        .connectionClosed(.init(connectionID: 1)),
        .streamOpened(.init(peerID: "p", protocol: "/vac/waku/relay/2.0.0", direction: .inbound)),
        .streamClosed(.init(peerID: "p", protocol: "/x", direction: .outbound)),
        .metadata(.init(peerID: "p", result: .received(.init(clusterID: nil, shards: [3])))),
        .metadata(.init(peerID: "p", result: .failure("timeout"))),
        .commandResult(.init(commandID: 5, outcome: .succeeded(true))),
        .commandResult(.init(commandID: 6, outcome: .metadata(.init(clusterID: 16, shards: [])))),
        .commandResult(.init(commandID: 7, outcome: nil)),
        .reachability(.init(online: false)),
    ]

    @Test("Host events: every case of the oneof", arguments: everyHostEvent)
    func hostEvents(event: PeerManagerV1.HostEvent.OneOf_Event) throws {
        let message = PeerManagerV1.HostEvent(event: event)
        #expect(try PeerManagerV1.HostEvent(wire: message.encoded()) == message)
    }

    @Test("Repeated sub-messages and unknown enum values survive")
    func repeatedAndUnknownEnum() throws {
        let response = PeerManagerV1.ListPeersResponse(
            peers: [Self.fullPeer, .init(peerID: "b", connectedness: .init(rawValue: 42))], nextPageToken: "t", total: 2
        )
        let decoded = try PeerManagerV1.ListPeersResponse(wire: response.encoded())
        #expect(decoded == response)
        #expect(decoded.peers[1].connectedness.rawValue == 42)
    }

    @Test("Generated and hand-built bytes agree (field numbers and wire types)")
    func knownBytes() throws {
        // SelectPeerRequest{protocol: "/p", shard: 0} = 0a 02 2f 70 10 00
        let request = PeerManagerV1.SelectPeerRequest(protocol: "/p", shard: 0)
        #expect(Array(request.encoded().readableBytesView) == [0x0A, 2, 0x2F, 0x70, 0x10, 0])
        #expect(try PeerManagerV1.SelectPeerRequest(wire: ByteBuffer(bytes: [0x0A, 2, 0x2F, 0x70])).shard == nil)
    }
}
