import PeerCore
import PeerIdentity
import Testing

@Suite("Metadata verdicts")
struct MetadataTests {
    static func joined(cluster: UInt16 = 4) throws -> (PeerEngine, IssuedCommand) {
        var engine = try engine { $0.clusterID = cluster }
        let actions = engine.open(1, direction: .inbound)
        let request = try #require(actions.commands.first)
        #expect(request.command == .requestMetadata(peer: peer(1), timeout: .seconds(10)))
        return (engine, request)
    }

    @Test(
        "Drops connections to peers on different networks",
        arguments: [
            (CommandOutcome.metadata(.received(clusterID: 3, shards: [0])), DecisionReason.metadataClusterMismatch),
            (.metadata(.received(clusterID: nil, shards: [])), .metadataMissingCluster),
            (.metadata(.failed(reason: "protocol not supported")), .metadataFailed),
            (.failed(reason: "stream reset"), .metadataFailed),
            (.timedOut, .metadataFailed),
        ])
    func rejected(outcome: CommandOutcome, reason: DecisionReason) throws {
        var (engine, request) = try Self.joined(cluster: 4)
        let actions = engine.handle(.commandCompleted(request.id, outcome), now: at(1))
        #expect(actions.reasons == [reason])
        #expect(actions.disconnects == [peer(1)])
        // Forgotten once the host carries out the disconnect (the record outlives its connection).
        engine.close(1, now: at(2))
        #expect(!engine.store.contains(peer(1)))
    }

    @Test("same cluster: the peer stays and its shards are recorded")
    func accepted() throws {
        var (engine, request) = try Self.joined(cluster: 4)
        let actions = engine.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 4, shards: [7, 6]))), now: at(1))
        #expect(actions.reasons == [.metadataAccepted])
        #expect(actions.disconnects.isEmpty)
        #expect(engine.record(1)?.metadataShards == RelayShards(clusterID: 4, shardIDs: [6, 7]))
        #expect(engine.store.hasShard(peer(1), RelayShard(clusterID: 4, shardID: 6)))
        // The cluster is part of the shard: cluster 5 shard 6 is another shard (nwaku ignores it).
        #expect(!engine.store.hasShard(peer(1), RelayShard(clusterID: 5, shardID: 6)))
    }

    @Test("host-run metadata exchange is judged the same way")
    func hostReported() throws {
        var engine = try engine {
            $0.clusterID = 1
            $0.requestMetadataOnJoin = false
        }
        #expect(engine.open(1).commands.isEmpty)
        let actions = engine.handle(.metadata(peer: peer(1), .received(clusterID: 2, shards: [])), now: at(0))
        #expect(actions.reasons == [.metadataClusterMismatch])
    }

    @Test("no metadata request without a cluster id")
    func disabled() throws {
        var engine = try engine()
        #expect(engine.open(1).commands.isEmpty)
    }

    @Test("a rejected peer is not re-created by its Left or later events (nwaku bug 4)")
    func notRecreated() throws {
        var (engine, request) = try Self.joined()
        _ = engine.handle(.commandCompleted(request.id, .metadata(.received(clusterID: 9, shards: []))), now: at(1))
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound), now: at(1))
        engine.identifyRelay(1, now: at(1))
        let left = engine.close(1, now: at(2))
        #expect(left.reasons == [.peerLeft])
        #expect(left.peerChanges == [PeerChange(.disconnected, peer(1)), PeerChange(.removed, peer(1))])
        #expect(!engine.store.contains(peer(1)))
        #expect(engine.store.count == 0)
        // A later connection is a fresh start.
        engine.open(1, conn: 2, now: at(3))
        #expect(engine.store.contains(peer(1)))
    }

    @Test("a protected peer's rejection waits for its last tag")
    func deferredWhileProtected() throws {
        var (engine, request) = try Self.joined()
        engine.protect(peer(1), tag: "store")
        let actions = engine.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 9, shards: []))), now: at(1))
        #expect(actions.reasons == [.rejectionDeferred])
        #expect(engine.store.contains(peer(1)))
        let later = engine.unprotect(peer(1), tag: "store", now: at(2))
        #expect(later.reasons == [.metadataClusterMismatch])
        #expect(later.disconnects == [peer(1)])
        engine.close(1, now: at(3))
        #expect(!engine.store.contains(peer(1)))
    }
}
