import PeerCore
import PeerIdentity
import PeerTrace

/// Real peer ids (secp256k1 keys from a small secret) and ENRs, as a trace must parse them back.
enum TraceFixtures {
    static func secretKey(_ n: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: 30) + [UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
    }

    static func peer(_ n: Int) -> PeerID {
        try! ENR.sign(seq: 1, entries: [], secretKey: secretKey(n)).peerID
    }

    static func address(_ n: Int) -> Multiaddr {
        try! Multiaddr("/ip4/10.0.\(n >> 8 & 0xff).\(n & 0xff)/tcp/60000")
    }

    static func enr(_ n: Int, shards: [UInt16]) -> PeerENRInfo {
        let enr = try! ENR.sign(
            seq: 2,
            entries: [
                .ip(IPv4Address("10.0.0.\(n)")!), .tcp(60000), .waku2([.relay]),
                .relayShards(RelayShards(clusterID: 1, shardIDs: shards)),
            ],
            secretKey: secretKey(n))
        return PeerENRInfo(
            sequence: enr.seq, text: enr.description, relayShards: enr.relayShards, capabilities: [.relay])
    }

    static let started = EngineTime(nanosecondsSinceEpoch: 1_795_000_000_123_000_000)

    static let header = TraceHeader(
        started: started, selfID: peer(999), clusterID: 1, shards: [0, 1], maxConnections: 50)

    /// One record of every kind and every host event case, with every field set somewhere.
    static let everyRecord: [TraceRecord] = events + others

    static let events: [TraceRecord] = [
        .session(.attached(id: 1, selfID: peer(999), clusterID: 1, shards: [0, 1], online: true, takeOver: false)),
        .event(.connectionOpened(ConnectionID(7), peer: peer(1), direction: .inbound, observedAddress: address(1))),
        .event(.connectionOpened(ConnectionID(8), peer: peer(2), direction: .outbound, observedAddress: nil)),
        .event(.connectionClosed(ConnectionID(7))),
        .event(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .outbound)),
        .event(.streamClosed(peer: peer(1), protocolID: WakuCodec.relay, direction: .unknown)),
        .event(
            .identified(
                peer: peer(1),
                IdentifyInfo(
                    protocols: [WakuCodec.relay, "/ipfs/id/1.0.0"], agent: "nwaku", protocolVersion: "ipfs/0.1.0",
                    publicKey: [0x08, 0x02, 0x12], listenAddresses: [address(1), address(2)]))),
        .event(.identified(peer: peer(2), IdentifyInfo(protocols: []))),
        .event(.metadata(peer: peer(1), .received(clusterID: 1, shards: [0, 3]))),
        .event(.metadata(peer: peer(1), .received(clusterID: nil, shards: []))),
        .event(.metadata(peer: peer(2), .failed(reason: "stream reset"))),
        .event(.commandCompleted(CommandID(1), .succeeded)),
        .event(.commandCompleted(CommandID(2), .failed(reason: "connection refused"))),
        .event(.commandCompleted(CommandID(3), .timedOut)),
        .event(.commandCompleted(CommandID(4), .metadata(.received(clusterID: 1, shards: [2])))),
        .event(.commandCompleted(CommandID(5), .metadata(.failed(reason: "no stream")))),
        .event(.networkReachability(online: false)),
        .event(.networkReachability(online: true)),
    ]

    static let others: [TraceRecord] = [
        .peerAdded(PeerInfo(id: peer(3)), origin: .unknown),
        .peerAdded(
            PeerInfo(
                id: peer(4), addresses: [address(4)], protocols: [WakuCodec.relay], publicKey: [1, 2, 3],
                agent: "go-waku", protocolVersion: "v1", enr: enr(4, shards: [0, 1])),
            origin: .discv5),
        .peerAdded(PeerInfo(id: peer(5), addresses: [address(5)]), origin: .peerExchange),
        .command(
            IssuedCommand(
                id: CommandID(1),
                command: .dial(peer: peer(4), addresses: [address(4)], timeout: .seconds(10), protocolID: nil))),
        .command(
            IssuedCommand(
                id: CommandID(2),
                command: .dial(
                    peer: peer(5), addresses: [], timeout: .milliseconds(2500), protocolID: WakuCodec.relay))),
        .command(IssuedCommand(id: CommandID(3), command: .disconnect(peer: peer(1), reason: .inboundRelayPruned))),
        .command(IssuedCommand(id: CommandID(4), command: .requestMetadata(peer: peer(2), timeout: .seconds(5)))),
        .command(IssuedCommand(id: CommandID(6), command: .requestDiscovery(clusterID: 1, shard: 3, wanted: 4))),
        .gap(dropped: 12),
        .session(.detached(id: 1, reason: "the host ended the stream")),
        .session(.attached(id: 2, selfID: peer(999), clusterID: nil, shards: [], online: false, takeOver: true)),
    ]
}
