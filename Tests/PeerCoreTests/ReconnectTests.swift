import PeerCore
import PeerIdentity
import Testing

@Suite("Reconnection of persisted peers")
struct ReconnectTests {
    @Test("Persistent storage survives restarts")
    func survivesRestart() throws {
        var first = try engine()
        first.addPeer(relayInfo(2, shards: [0]), origin: .discv5, now: at(0))
        first.open(2, direction: .outbound)
        #expect(first.exportSnapshot().peers.count == 1)

        var second = try engine()
        let imported = second.importSnapshot(first.exportSnapshot(), now: at(100))
        #expect(imported.reasons == [.snapshotImported, .reconnectScheduled])
        let record = try #require(second.record(2))
        #expect(record.connectedness == .notConnected)
        #expect(record.origin == .cache)
        #expect(record.addresses == [address(2)])

        var rng = SeededGenerator()
        // Only after the reconnect backoff (62 s).
        var step = second.tick(now: at(100), using: &rng)
        #expect(!step.actions.reasons.contains(.reconnectDialed))
        #expect(step.nextInterval <= .seconds(62))
        step = second.tick(now: at(162), using: &rng)
        let decision = try #require(step.actions.decisions.first { $0.reason == .reconnectDialed })
        #expect(decision.peers == [peer(2)])
        #expect(step.actions.dials == [peer(2)])
        second.open(2, direction: .outbound, now: at(163))
        second.complete(dialsIn: step.actions, with: .succeeded, now: at(163))
        #expect(second.connectedness(2) == .connected)
    }

    @Test("reconnectPeers only reconnects persisted (Cache) peers, in parallel")
    func onlyCache() throws {
        var engine = try engine()
        engine.importSnapshot(
            PeerSnapshot(
                peers: (1...15).map { PeerRecord(id: peer($0), addresses: [address($0)], protocols: [WakuCodec.relay]) }
            ),
            now: at(0))
        engine.addPeer(relayInfo(99), origin: .discv5, now: at(0))
        engine.importSnapshot(
            PeerSnapshot(peers: [
                PeerRecord(
                    id: peer(50), addresses: [address(50)], protocols: [WakuCodec.relay], connectedness: .cannotConnect)
            ]),
            now: at(0))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(62), using: &rng)
        let decision = try #require(step.actions.decisions.first { $0.reason == .reconnectDialed })
        #expect(Set(decision.peers) == Set((1...15).map(peer)))  // all at once, not in batches of 10
        #expect(!decision.peers.contains(peer(99)))
        #expect(!decision.peers.contains(peer(50)))

        // An unreachable cache peer goes into backoff like any other.
        engine.complete(dialsIn: step.actions, with: .failed(reason: "unreachable"), now: at(70))
        #expect(engine.record(1)?.failedAttempts == 1)
        #expect(engine.connectedness(1) == .cannotConnect)
    }

    @Test("Persistent storage survives restarts (sharded)")
    func survivesRestartSharded() throws {
        var engine = try engine {
            $0.clusterID = 0
            $0.shards = [0]
            $0.shardedPeerManagement = true
            $0.requestMetadataOnJoin = false
        }
        let stored = PeerRecord(
            id: peer(2), addresses: [address(2)],
            enr: PeerENRInfo(
                sequence: 1, text: "enr:-2", relayShards: RelayShards(clusterID: 0, shardIDs: [0]),
                capabilities: [.relay]), connectedness: .canConnect)
        engine.importSnapshot(PeerSnapshot(peers: [stored]), now: at(0))
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(1), using: &rng).actions.dials.isEmpty)
        let step = engine.tick(now: at(62), using: &rng)
        #expect(step.actions.dials == [peer(2)])
        engine.open(2, direction: .outbound, now: at(63))
        engine.complete(dialsIn: step.actions, with: .succeeded, now: at(63))
        #expect(engine.connectedness(2) == .connected)
    }
}
