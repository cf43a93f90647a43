import PeerCore
import PeerIdentity
import Testing

/// Issue 8, findings 9, 10 and 12: what clients and the host send cannot grow the store past its limits.
@Suite("Store limits")
struct StoreLimitsTests {
    static func addresses(_ count: Int) -> [Multiaddr] {
        (0..<count).map { try! Multiaddr("/ip4/10.0.\($0 >> 8 & 0xff).\($0 & 0xff)/tcp/60000") }
    }

    @Test("a client's peer over the address or protocol limit is refused, nothing stored")
    func clientOverLimit() throws {
        var engine = try engine()
        let many = PeerInfo(id: peer(1), addresses: Self.addresses(33))
        let refused = engine.addPeer(many, now: at(0))
        #expect(refused.reasons == [.peerRefusedLimit])
        #expect(refused.decisions.first?.detail.contains("--max-addresses-per-peer") == true)
        #expect(!engine.store.contains(peer(1)))

        let protocols = PeerInfo(id: peer(2), protocols: (0...128).map { "/p/\($0)" })
        let refusedProtocols = engine.addPeer(protocols, now: at(0))
        #expect(refusedProtocols.reasons == [.peerRefusedLimit])
        #expect(refusedProtocols.decisions.first?.detail.contains("--max-protocols-per-peer") == true)
        #expect(engine.store.count == 0)
        #expect(engine.store.internedCounts.protocols == 1)  // relay, pinned

        #expect(
            engine.addPeer(PeerInfo(id: peer(3), addresses: Self.addresses(32)), now: at(0)).reasons == [.peerAdded])
    }

    @Test("merged protocols stop at the limit")
    func mergedProtocols() throws {
        var engine = try engine { $0.limits.maxProtocolsPerPeer = 4 }
        engine.addPeer(PeerInfo(id: peer(1), protocols: ["/a", "/b", "/c"]), now: at(0))
        engine.addPeer(PeerInfo(id: peer(1), protocols: ["/d", "/e", "/f"]), now: at(0))
        #expect(engine.record(1)?.protocols == ["/a", "/b", "/c", "/d"])
        // At the limit a re-announcement with new names is no news.
        #expect(engine.addPeer(PeerInfo(id: peer(1), protocols: ["/g"]), now: at(0)).isEmpty)
        #expect(engine.store.internedCounts.protocols == 5)
    }

    @Test("identify over the limits is kept, trimmed to the first entries, and said so")
    func hostTruncated() throws {
        var engine = try engine()
        engine.open(1)
        let info = IdentifyInfo(protocols: (0..<500).map { "/p/\($0)" }, listenAddresses: Self.addresses(100))
        let actions = engine.handle(.identified(peer: peer(1), info), now: at(0))
        #expect(actions.reasons.contains(.peerTruncated))
        let record = try #require(engine.record(1))
        #expect(record.protocols == (0..<128).map { "/p/\($0)" })
        #expect(record.addresses == Array(Self.addresses(100).prefix(32)))
        #expect(engine.store.internedCounts.protocols == 129)
    }

    @Test("snapshot records over the limits are trimmed")
    func snapshotTrimmed() throws {
        var engine = try engine()
        engine.importSnapshot(
            PeerSnapshot(peers: [
                PeerRecord(id: peer(1), addresses: Self.addresses(40), protocols: (0..<200).map { "/p/\($0)" })
            ]), now: at(0))
        #expect(engine.record(1)?.addresses.count == 32)
        #expect(engine.record(1)?.protocols.count == 128)
    }

    @Test("capacity holds at every AddPeer: new peers evict by the pruning rules")
    func capacityAtInsert() throws {
        var engine = try engine {
            $0.maxConnections = 10
            $0.relayServiceRatio = "80:20"
            $0.peerStoreCapacity = 10
        }
        var pruned: [PeerID] = []
        for n in 1...200 {
            let actions = engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)]), now: at(0))
            #expect(engine.store.count <= 10)
            #expect(engine.store.contains(peer(n)))
            pruned += actions.decisions.filter { $0.reason == .storePruned }.flatMap(\.peers)
        }
        // Every peer that left is named in a store_pruned decision (Watch and persistence see it).
        #expect(pruned.count == 190)
        #expect(Set(pruned).isDisjoint(with: Set(engine.store.records().map(\.id))))
    }

    @Test("failed peers are evicted first at insert")
    func failedFirst() throws {
        var engine = try engine {
            $0.maxConnections = 10
            $0.relayServiceRatio = "80:20"
            $0.peerStoreCapacity = 10
            $0.maxFailedAttempts = 1
        }
        for n in 1...10 { engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)]), now: at(0)) }
        engine.failDial(7, now: at(0))
        let actions = engine.addPeer(PeerInfo(id: peer(11), addresses: [address(11)]), now: at(1))
        #expect(actions.decisions.first { $0.reason == .storePruned }?.peers == [peer(7)])
        #expect(engine.store.count == 10)
    }

    @Test("a full store of connected and protected peers refuses a client's peer and admits the host's")
    func storeFull() throws {
        var engine = try engine {
            $0.maxConnections = 10
            $0.relayServiceRatio = "80:20"
            $0.peerStoreCapacity = 10
            $0.colocationLimit = 0
        }
        for n in 1...5 { engine.open(n) }
        for n in 6...10 {
            engine.addPeer(PeerInfo(id: peer(n), addresses: [address(n)]), now: at(0))
            #expect(engine.protect(peer(n), tag: "store") == nil)
        }
        let refused = engine.addPeer(PeerInfo(id: peer(11), addresses: [address(11)]), now: at(0))
        #expect(refused.reasons == [.storeFull])
        #expect(!engine.store.contains(peer(11)))
        engine.open(12)
        #expect(engine.store.contains(peer(12)))
        #expect(engine.store.count == 11)
    }

    @Test("interned protocols, agents and shard slots return to baseline when peers go")
    func internTablesShrink() throws {
        var engine = try engine { $0.maxConnections = 1000 }
        let baseline = engine.store.internedCounts
        for round in 0..<3 {
            for n in 1...500 {
                let unique = round * 1000 + n
                var info = PeerInfo(
                    id: peer(n), addresses: [address(n)], protocols: ["/unique/\(unique)", WakuCodec.relay],
                    agent: "agent-\(unique)", protocolVersion: "version-\(unique)")
                info.enr = PeerENRInfo(
                    sequence: 1, text: "enr:-\(unique)",
                    relayShards: RelayShards(clusterID: UInt16(unique % 60_000), shardIDs: [UInt16(n % 1000)]))
                engine.addPeer(info, now: at(0))
            }
            #expect(engine.store.internedCounts.protocols == baseline.protocols + 500)
            #expect(engine.store.internedCounts.labels == baseline.labels + 1000)
            for n in 1...250 { engine.removePeer(peer(n), now: at(0)) }
            // Identify replaces protocols and agent: the old strings go.
            engine.open(300 + round)
            _ = engine.handle(
                .identified(peer: peer(300 + round), IdentifyInfo(protocols: ["/other"], agent: "x")), now: at(0))
            for n in 251...500 { engine.removePeer(peer(n), now: at(0)) }
            // A peer removed while connected leaves the books with its connection.
            engine.close(UInt64(300 + round))
        }
        #expect(engine.store.count == 0)
        #expect(engine.store.internedCounts == baseline)
    }

    @Test("service slots per peer are bounded like its protocols")
    func serviceSlotsPerPeer() throws {
        var engine = try engine { $0.limits.maxProtocolsPerPeer = 3 }
        let info = PeerInfo(id: peer(1), addresses: [address(1)])
        for n in 0..<3 {
            #expect(
                engine.addServicePeer(info, protocolID: "/svc/\(n)", now: at(0)).reasons.contains(.serviceSlotAdded))
        }
        let refused = engine.addServicePeer(info, protocolID: "/svc/3", now: at(0))
        #expect(refused.reasons.last == .serviceSlotsFull)
        #expect(engine.serviceSlots.protocols.count == 3)
    }

    @Test("host-reported connections are bounded at 4 x capacity; stream protocols per peer at the limit")
    func hostConnectionsBounded() throws {
        var engine = try engine {
            $0.maxConnections = 10
            $0.relayServiceRatio = "80:20"
            $0.peerStoreCapacity = 10
            $0.colocationLimit = 0
            $0.limits.maxProtocolsPerPeer = 4
        }
        for n in 1...60 { engine.open(n) }
        #expect(engine.store.count == 40)
        #expect(engine.open(61).reasons == [.storeFull])
        #expect(!engine.store.contains(peer(61)))
        for n in 0..<10 {
            _ = engine.handle(.streamOpened(peer: peer(1), protocolID: "/s/\(n)", direction: .inbound), now: at(0))
        }
        _ = engine.handle(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        let streams = engine.streamCounts(peer(1))
        #expect(streams.count == 5)
        #expect(streams[WakuCodec.relay] != nil)
    }

    @Test("limits out of range are refused at start, each named")
    func validation() {
        var configuration = EngineConfiguration()
        configuration.limits.maxAddressesPerPeer = 0
        configuration.limits.maxProtocolsPerPeer = 5000
        configuration.limits.maxProtectionTags = -1
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(configuration.limits.problems.count == 3)
        #expect("\(configuration.limits.problems[0])".contains("maxAddressesPerPeer must be 1...1024"))
    }
}
