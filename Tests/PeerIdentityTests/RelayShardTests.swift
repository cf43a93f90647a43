import Testing

@testable import PeerIdentity

@Suite("Relay shards")
struct RelayShardTests {
    @Test(
        "Pubsub topics",
        arguments: [
            ("/waku/2/rs/22/1", RelayShard(clusterID: 22, shardID: 1)),
            ("/waku/2/rs/0/0", RelayShard(clusterID: 0, shardID: 0)),
            ("/waku/2/rs/65535/1023", RelayShard(clusterID: 65535, shardID: 1023)),
            ("/waku/2/default-waku/proto", nil),
            ("/waku/2/rs/1", nil),
            ("/waku/2/rs/1/2/3", nil),
            ("/waku/2/rs/01/2", nil),
            ("/waku/2/rs/-1/2", nil),
            ("/waku/2/rs/1/65536", nil),
            ("/waku/2/rs/1/1024", nil),
            ("/waku/2/rs/1/ 2", nil),
            ("gibberish", nil),
            ("", nil),
        ] as [(String, RelayShard?)])
    func topics(topic: String, expected: RelayShard?) {
        #expect(RelayShard(topic: topic) == expected)
        if let expected { #expect(expected.topic == topic) }
    }

    // Vectors from nwaku tests/waku_enr/test_sharding.nim and the behaviour notes §4.
    @Test(
        "rs decoding",
        arguments: [
            ("00010800000001000200030004000500060007", 1, [0, 1, 2, 3, 4, 5, 6, 7]),
            ("00100500010020004000800100", 16, [1, 32, 64, 128, 256]),
            ("0049020001000a", 73, [1, 10]),
        ] as [(String, UInt16, [UInt16])])
    func rs(hex: String, cluster: UInt16, shards: [UInt16]) throws {
        let bytes = try #require(Hex.decode(hex))
        let decoded = try #require(RelayShards(rs: bytes))
        #expect(decoded.clusterID == cluster)
        #expect(decoded.shardIDs == shards)
        #expect(decoded.rsBytes == bytes)
    }

    @Test("rs refusals: bad length, empty list, shard above 1023")
    func rsRefusals() {
        #expect(RelayShards(rs: [0, 1]) == nil)
        #expect(RelayShards(rs: [0, 1, 2, 0, 1]) == nil)
        #expect(RelayShards(rs: [0, 1, 0]) == nil)
        #expect(RelayShards(rs: [0, 1, 1, 0x04, 0x00]) == nil)  // shard 1024
    }

    @Test("rsv: shard i is bit i%8 (from the LSB) of byte 2+i/8")
    func rsv() throws {
        var bytes = [UInt8](repeating: 0, count: 130)
        bytes[0] = 0x00
        bytes[1] = 0x49
        bytes[2] = 0x02
        bytes[3] = 0x04
        let decoded = try #require(RelayShards(rsv: bytes))
        #expect(decoded == RelayShards(clusterID: 73, shardIDs: [1, 10]))
        #expect(decoded.rsvBytes == bytes)
        #expect(RelayShards(rsv: Array(bytes.dropLast())) == nil)
        #expect(RelayShards(rsv: [0, 1] + [UInt8](repeating: 0, count: 128)) == nil)
    }

    @Test("rsv round trip for shards 0..63 of cluster 33")
    func rsvRoundTrip() {
        let shards = RelayShards(clusterID: 33, shardIDs: Array(0..<64))
        #expect(RelayShards(rsv: shards.rsvBytes) == shards)
        #expect(ENR.Entry.relayShards(shards).key == "rsv")
        #expect(ENR.Entry.relayShards(RelayShards(clusterID: 33, shardIDs: Array(0..<63))).key == "rs")
    }

    @Test("rs wins over rsv; containsShard by id, shard and topic")
    func preference() throws {
        let rs = RelayShards(clusterID: 1, shardIDs: [2])
        let rsv = RelayShards(clusterID: 1, shardIDs: [3])
        let enr = try ENR.sign(
            seq: 1, entries: [ENR.Entry(key: "rs", bytes: rs.rsBytes!), ENR.Entry(key: "rsv", bytes: rsv.rsvBytes)],
            secretKey: Fixtures.eip778SecretKey)
        #expect(enr.relayShards == rs)
        #expect(enr.containsShard(clusterID: 1, shardID: 2))
        #expect(!enr.containsShard(clusterID: 1, shardID: 3))
        #expect(!enr.containsShard(clusterID: 2, shardID: 2))
        #expect(enr.containsShard(RelayShard(clusterID: 1, shardID: 2)))
        #expect(enr.containsShard(topic: "/waku/2/rs/1/2"))
        #expect(!enr.containsShard(topic: "/waku/2/rs/1/x"))
        #expect(!enr.containsShard(clusterID: 1, shardID: 1026))
        #expect(enr.isClusterMismatched(2))
        #expect(!enr.isClusterMismatched(1))
        #expect(rs.contains(topic: "/waku/2/rs/1/2"))
    }

    @Test("RelayShards dedups and sorts")
    func dedup() {
        #expect(RelayShards(clusterID: 1, shardIDs: [3, 1, 2, 2, 3, 3]).shardIDs == [1, 2, 3])
    }

    @Test("multiaddrs field: zero length voids it, bad entries are skipped, a foreign /p2p is skipped")
    func multiaddrsField() throws {
        let peer = try PeerID(Fixtures.eip778PeerID)
        let other = try PeerID("16Uiu2HAm36tQZYF9ijH9PzgZKcJDxyKz93iue4RjpBLkvcbo6mhU")
        let good = Fixtures.hex("000804c0a8443e06ea61")  // /ip4/192.168.68.62/tcp/60001
        #expect(ENR.decodeMultiaddrs(good, peerID: peer).map(\.description) == ["/ip4/192.168.68.62/tcp/60001"])
        #expect(ENR.decodeMultiaddrs(good + [0, 0], peerID: peer).isEmpty)
        #expect(ENR.decodeMultiaddrs(good + [0, 9, 1], peerID: peer).isEmpty)
        #expect(ENR.decodeMultiaddrs([0, 2, 0xff, 0xff] + good, peerID: peer).count == 1)
        let own = try Multiaddr("/ip4/1.2.3.4/tcp/1").appending(.p2p(peer)).bytes
        let foreign = try Multiaddr("/ip4/1.2.3.4/tcp/2").appending(.p2p(other)).bytes
        let field = [0, UInt8(own.count)] + own + [0, UInt8(foreign.count)] + foreign
        #expect(ENR.decodeMultiaddrs(field, peerID: peer).map(\.description) == ["/ip4/1.2.3.4/tcp/1"])
    }
}
