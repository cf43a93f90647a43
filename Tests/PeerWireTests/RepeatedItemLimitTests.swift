import NIOCore
import PeerWire
import Testing

/// Issue 8, finding 9 at the wire: protobuf-c allocates for every item of a repeated field, so a
/// frame of empty addresses cost most of a second and 160 MB before the store's per-peer limits
/// could look. Every decode counts items per repeated field in its one pass over the raw bytes
/// and refuses more than `maxRepeatedItems`, naming the field.
@Suite("Repeated-item limit: --max-repeated-items on every decode")
struct RepeatedItemLimitTests {
    static func peer(addresses: Int, protocols: Int = 0) -> PeerManagerV1.Peer {
        var peer = PeerManagerV1.Peer(peerID: "p")
        peer.addresses = Array(repeating: "", count: addresses)
        peer.protocols = Array(repeating: "/p", count: protocols)
        return peer
    }

    @Test("At the limit a repeated field passes; one more item is refused, naming the field")
    func addressesAtTheLimit() throws {
        let limit = WireLimits.defaultMaxRepeatedItems
        let decoded = try PeerManagerV1.Peer(wire: Self.peer(addresses: limit).encoded())
        #expect(decoded.addresses.count == limit)
        #expect(
            throws: WireFieldError(field: "waku.peermanager.v1.Peer.addresses", problem: .tooManyItems(limit: limit))
        ) { try PeerManagerV1.Peer(wire: Self.peer(addresses: limit + 1).encoded()) }
    }

    @Test("Items are counted per field: two lists each at the limit pass")
    func perField() throws {
        let limit = WireLimits.defaultMaxRepeatedItems
        let decoded = try PeerManagerV1.Peer(wire: Self.peer(addresses: limit, protocols: limit).encoded())
        #expect(decoded.protocols.count == limit)
    }

    @Test("A nested list is counted in its own message: AddPeer's peer with 165,000 addresses is refused")
    func nested() throws {
        let request = PeerManagerV1.AddPeerRequest(source: .peer(Self.peer(addresses: 165_000)))
        #expect(throws: WireFieldError.self) { try PeerManagerV1.AddPeerRequest(wire: request.encoded()) }
    }

    @Test("Packed scalars count each element: 5000 shard ids are refused, 4096 pass")
    func packed() throws {
        let many = PeerManagerV1.RelayShards(clusterID: 1, shardIDs: (0..<5000).map { UInt32($0 % 1024) })
        #expect(
            throws: WireFieldError(
                field: "waku.peermanager.v1.RelayShards.shard_ids", problem: .tooManyItems(limit: 4096))
        ) { try PeerManagerV1.RelayShards(wire: many.encoded()) }
        let enough = PeerManagerV1.RelayShards(clusterID: 1, shardIDs: (0..<4096).map { UInt32($0 % 1024) })
        #expect(try PeerManagerV1.RelayShards(wire: enough.encoded()).shardIDs.count == 4096)
    }

    @Test("The limit is the configured one")
    func configured() throws {
        let limits = WireLimits(maxRepeatedItems: 64)
        #expect(try PeerManagerV1.Peer(wire: Self.peer(addresses: 64).encoded(), limits: limits).addresses.count == 64)
        #expect(throws: WireFieldError(field: "waku.peermanager.v1.Peer.addresses", problem: .tooManyItems(limit: 64)))
        {
            try PeerManagerV1.Peer(wire: Self.peer(addresses: 65).encoded(), limits: limits)
        }
        // Below the range's floor the limit is raised to it, as the field-byte limit is.
        #expect(WireLimits(maxRepeatedItems: 1).maxRepeatedItems == WireLimits.maxRepeatedItemsRange.lowerBound)
    }
}
