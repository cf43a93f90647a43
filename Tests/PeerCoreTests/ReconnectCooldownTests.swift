import PeerCore
import PeerIdentity
import Testing

@Suite("Reconnect cool-downs by reason")
struct ReconnectCooldownTests {
    @Test(
        "the table: another network 24 h, a failed metadata exchange 10 min, nothing else",
        arguments: [
            (DecisionReason.metadataClusterMismatch, Duration?.some(.seconds(86_400))),
            (.metadataMissingCluster, .seconds(86_400)), (.metadataFailed, .seconds(600)),
            (.inboundRelayPruned, nil), (.outboundRelayPruned, nil), (.colocationLimit, nil), (.dialFailed, nil),
        ])
    func table(reason: DecisionReason, expected: Duration?) {
        #expect(ReconnectCooldowns.duration(after: reason) == expected)
    }

    @Test("a cool-down ends when its time comes; a reason without one starts none")
    func allows() {
        var cooldowns = ReconnectCooldowns()
        cooldowns.start(peer(1), after: .metadataFailed, now: at(0))
        cooldowns.start(peer(2), after: .inboundRelayPruned, now: at(0))
        #expect(!cooldowns.allows(peer(1), now: at(599)))
        #expect(cooldowns.allows(peer(1), now: at(600)))
        #expect(cooldowns.allows(peer(2), now: at(0)))
        #expect(cooldowns.until.count == 1)
    }

    @Test("bounded: past the limit the expired go, then the one ending first")
    func bounded() {
        var cooldowns = ReconnectCooldowns(limit: 2)
        cooldowns.start(peer(1), after: .metadataFailed, now: at(0))  // ends at 600
        cooldowns.start(peer(2), after: .metadataClusterMismatch, now: at(0))  // ends at 86400
        cooldowns.start(peer(3), after: .metadataFailed, now: at(10))  // evicts peer 1
        #expect(cooldowns.until.count == 2)
        #expect(cooldowns.allows(peer(1), now: at(10)))
        #expect(!cooldowns.allows(peer(2), now: at(10)) && !cooldowns.allows(peer(3), now: at(10)))
    }

    /// A relay peer of cluster 2 joins, metadata cuts it, discovery reports it again a minute later.
    func rediscovered(cooldowns: Bool) throws -> (PeerEngine, SeededGenerator) {
        var engine = try engine {
            $0.clusterID = 1
            $0.reasonCooldowns = cooldowns
        }
        engine.addPeer(relayInfo(1, shards: [0], cluster: 2), origin: .discv5, now: at(0))
        engine.open(1, direction: .outbound)
        let cut = engine.handle(.metadata(peer: peer(1), .received(clusterID: 2, shards: [0])), now: at(1))
        #expect(cut.reasons.contains(.metadataClusterMismatch))
        engine.close(1, now: at(2))
        engine.addPeer(relayInfo(1, shards: [0], cluster: 2), origin: .discv5, now: at(60))
        return (engine, SeededGenerator())
    }

    @Test("a peer cut for another network is not redialled for 24 h when discovery reports it again")
    func notRedialled() throws {
        var (engine, rng) = try rediscovered(cooldowns: true)
        #expect(engine.tick(now: at(61), using: &rng).actions.dials.isEmpty)
        #expect(engine.tick(now: at(86_400), using: &rng).actions.dials.isEmpty)
        #expect(engine.tick(now: at(86_402), using: &rng).actions.dials == [peer(1)])
    }

    @Test("without cool-downs (nwaku) it is redialled at once")
    func redialledWithout() throws {
        var (engine, rng) = try rediscovered(cooldowns: false)
        #expect(engine.tick(now: at(61), using: &rng).actions.dials == [peer(1)])
    }
}
