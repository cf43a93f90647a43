import PeerCore
import PeerIdentity
import Testing

@Suite("Host lifecycle")
struct HostLifecycleTests {
    @Test("Attach adopts the host's id, cluster and shards when peerd names none")
    func attachAdoptsNetwork() throws {
        var engine = try engine()
        let host = peer(999)
        let attached = engine.hostAttached(selfID: host, clusterID: 16, shards: [3, 1, 3], online: true, now: at(0))
        let actions = try #require(attached)
        #expect(engine.selfID == host)
        #expect(engine.configuration.clusterID == 16)
        #expect(engine.configuration.shards == [1, 3])
        #expect(actions.decisions.contains { $0.reason == .hostAttached })
        // The host's own id is never added as a peer.
        _ = engine.addPeer(PeerInfo(id: host, addresses: [address(1)]), now: at(0))
        #expect(!engine.store.contains(host))
    }

    @Test("Attach keeps peerd's configured network and refuses a host on another cluster")
    func attachRefusesOtherCluster() throws {
        var engine = try engine {
            $0.clusterID = 1; $0.shards = [0]
        }
        #expect(engine.hostAttached(selfID: peer(999), clusterID: 2, shards: [5], online: true, now: at(0)) == nil)
        #expect(engine.hostAttached(selfID: peer(999), clusterID: 1, shards: [5], online: true, now: at(0)) != nil)
        #expect(engine.configuration.shards == [0])
    }

    @Test("Detach closes every connection (peers become CanConnect) and drops commands without a failure")
    func detachClosesAndDrops() throws {
        var engine = try engine()
        var rng = SeededGenerator()
        for n in 1...3 { _ = engine.addPeer(relayInfo(n), now: at(0)) }
        engine.open(1, direction: .outbound)
        engine.open(2, direction: .inbound)
        // Peer 3 gets dialled by the connectivity loop.
        let dials = engine.tick(now: at(1), using: &rng).actions.commands
        let dialed = try #require(dials.first { $0.command.peer == peer(3) })
        #expect(engine.isPending(dialed.id))

        let actions = engine.hostDetached(now: at(2))
        #expect(engine.store.connectedness(peer(1)) == .canConnect)
        #expect(engine.store.connectedness(peer(2)) == .canConnect)
        #expect(!engine.isPending(dialed.id))
        #expect(engine.store.record(peer(3))?.failedAttempts == 0)
        #expect(!engine.isOnline)
        let summary = try #require(actions.decisions.first { $0.reason == .hostDetached })
        #expect(summary.current == 2)
        #expect(summary.chosen == dials.count)
        // Offline: the next tick dials nobody.
        #expect(engine.tick(now: at(3), using: &rng).actions.commands.isEmpty)
        // A late result for a dropped command is ignored.
        #expect(engine.handle(.commandCompleted(dialed.id, .failed(reason: "late")), now: at(4)).isEmpty)
        #expect(engine.store.record(peer(3))?.failedAttempts == 0)
    }
}
