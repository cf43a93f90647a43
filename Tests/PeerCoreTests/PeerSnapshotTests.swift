import PeerCore
import PeerIdentity
import Testing

@Suite("Snapshot export and import")
struct PeerSnapshotTests {
    @Test("export then import keeps the books, with Cache semantics")
    func roundTrip() throws {
        var first = try engine()
        var info = relayInfo(1, shards: [3])
        info.publicKey = [9, 9]
        info.agent = "nwaku"
        info.protocolVersion = "ipfs/0.1.0"
        first.addPeer(info, origin: .discv5, now: at(0))
        first.failDial(1, now: at(10))
        first.open(2, direction: .inbound, now: at(11))
        first.close(2, now: at(20))
        let snapshot = first.exportSnapshot()
        #expect(snapshot.peers.map(\.id) == [peer(1), peer(2)])

        var second = try engine()
        second.importSnapshot(snapshot, now: at(100))
        let one = try #require(second.record(1))
        #expect(one.addresses == info.addresses)
        #expect(one.protocols == info.protocols)
        #expect(one.publicKey == [9, 9])
        #expect(one.agent == "nwaku")
        #expect(one.protocolVersion == "ipfs/0.1.0")
        #expect(one.enr == info.enr)
        #expect(one.origin == .cache)
        #expect(one.connectedness == .cannotConnect)
        #expect(one.failedAttempts == 1)
        #expect(one.lastFailedAttempt == at(10))
        let two = try #require(second.record(2))
        #expect(two.connectedness == .canConnect || two.connectedness == .notConnected)
        #expect(two.disconnectTime == at(20))
        #expect(two.direction == .unknown)
        #expect(second.store.peers(onShard: RelayShard(clusterID: 1, shardID: 3)) == [peer(1)])
    }

    @Test("import skips ourselves and peers already known")
    func skips() throws {
        var engine = try engine()
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)]), origin: .static, now: at(0))
        let actions = engine.importSnapshot(
            PeerSnapshot(peers: [
                PeerRecord(id: me), PeerRecord(id: peer(1), addresses: [address(5)]), PeerRecord(id: peer(2)),
            ]),
            now: at(0))
        #expect(actions.decisions.first?.chosen == 1)
        #expect(!engine.store.contains(me))
        #expect(engine.record(1)?.origin == .static)
        #expect(engine.record(1)?.addresses == [address(1)])
        #expect(engine.record(2)?.origin == .cache)
    }
}
