import PeerIdentity
import Testing

@Suite("Relay shards are kept sorted and unique")
struct RelayShardsNormalizationTests {
    @Test(
        "whatever the order given",
        arguments: [
            ([], []), ([7], [7]), ([0, 1, 1023], [0, 1, 1023]), ([3, 1, 2], [1, 2, 3]), ([5, 5], [5]),
            ([1, 2, 2, 3], [1, 2, 3]), ([9, 0, 9, 0], [0, 9]), ([1, 3, 2], [1, 2, 3]),
        ] as [([UInt16], [UInt16])])
    func normalized(given: [UInt16], kept: [UInt16]) {
        #expect(RelayShards(clusterID: 1, shardIDs: given).shardIDs == kept)
    }
}
