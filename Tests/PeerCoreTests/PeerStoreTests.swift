import PeerCore
import PeerIdentity
import Testing

@Suite("Peer store")
struct PeerStoreTests {
    @Test("Cannot add self")
    func cannotAddSelf() throws {
        var engine = try engine()
        let actions = engine.addPeer(PeerInfo(id: me, addresses: [address(1)]), now: at(0))
        #expect(actions.reasons == [.peerIgnoredSelf])
        #expect(!engine.store.contains(me))
        #expect(engine.store.count == 0)
    }

    @Test("Peer stored in peer store")
    func peerStored() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        #expect(engine.record(1)?.addresses == [address(1)])
    }

    @Test("Metadata Recording: defaults for a new peer")
    func metadataRecording() throws {
        var engine = try engine()
        let enr = PeerENRInfo(sequence: 3, text: "enr:-abc", capabilities: [.relay, .store])
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)], publicKey: [1, 2, 3], enr: enr), now: at(0))
        let record = try #require(engine.record(1))
        #expect(record.enr == enr)
        #expect(record.publicKey == [1, 2, 3])
        #expect(record.connectedness == .notConnected)
        #expect(record.disconnectTime == nil)
        #expect(record.origin == .unknown)
        #expect(record.direction == .unknown)
        #expect(record.lastFailedAttempt == nil)
        #expect(record.failedAttempts == 0)
        #expect(engine.store.hasCapability(peer(1), .store))
    }

    @Test("merge: addresses overwritten, protocols merged, set-if-absent, explicit origin wins")
    func mergeRules() throws {
        var engine = try engine()
        engine.addPeer(
            PeerInfo(id: peer(1), addresses: [address(1)], protocols: ["/a"], agent: "nwaku", protocolVersion: "v1"),
            origin: .discv5, now: at(0))
        let actions = engine.addPeer(
            PeerInfo(
                id: peer(1), addresses: [address(2)], protocols: ["/b", "/a"], agent: "other", protocolVersion: "v2"),
            now: at(1))
        #expect(actions.reasons == [.peerUpdated])
        var record = try #require(engine.record(1))
        #expect(record.addresses == [address(2)])
        #expect(record.protocols == ["/a", "/b"])
        #expect(record.agent == "nwaku")
        #expect(record.protocolVersion == "v1")
        #expect(record.origin == .discv5)  // unknown origin does not overwrite

        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(2)]), origin: .peerExchange, now: at(2))
        record = try #require(engine.record(1))
        #expect(record.origin == .peerExchange)
    }

    @Test("merge never touches connection state (nwaku #3400)")
    func mergeKeepsState() throws {
        var engine = try engine()
        engine.open(1, direction: .inbound)
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(9)]), origin: .discv5, now: at(1))
        let record = try #require(engine.record(1))
        #expect(record.connectedness == .connected)
        #expect(record.direction == .inbound)
    }

    @Test("empty incoming addresses do not wipe known ones")
    func emptyAddressesKeep() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.addPeer(PeerInfo(id: peer(1), protocols: ["/x"]), now: at(1))
        #expect(engine.record(1)?.addresses == [address(1)])
    }

    @Test(
        "ENR sequence number gate",
        arguments: [(UInt64(5), UInt64(4), false), (5, 5, true), (5, 6, true)])
    func enrGate(stored: UInt64, incoming: UInt64, applied: Bool) throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1, shards: [0], sequence: stored), now: at(0))
        var newer = relayInfo(1, shards: [1], sequence: incoming)
        newer.addresses = [address(2)]
        newer.enr?.text = "enr:-newer"
        let actions = engine.addPeer(newer, now: at(1))
        #expect(actions.reasons == [applied ? .peerUpdated : .peerIgnoredStaleENR])
        #expect(engine.record(1)?.addresses == [applied ? address(2) : address(1)])
        #expect(engine.record(1)?.enr?.sequence == (applied ? incoming : stored))
    }

    @Test("re-adding an unchanged peer is not a new unique peer (nwaku counts every call)")
    func uniquePeers() throws {
        var engine = try engine()
        var added = 0
        for _ in 0..<5 {
            added += engine.addPeer(relayInfo(1), origin: .discv5, now: at(0)).reasons.count { $0 == .peerAdded }
        }
        #expect(added == 1)
        #expect(engine.addPeer(relayInfo(1), origin: .discv5, now: at(0)).isEmpty)
    }

    @Test("peers(proto) is exact, peers(matcher) is a prefix match")
    func protocolMatching() throws {
        var engine = try engine()
        let store2 = "/vac/waku/store/2.0.0"
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)], protocols: [store2]), now: at(0))
        engine.addPeer(
            PeerInfo(id: peer(2), addresses: [address(2)], protocols: [store2, WakuCodec.relay]), now: at(0))
        engine.addPeer(PeerInfo(id: peer(3), addresses: [address(3)], protocols: [store2 + "-beta1"]), now: at(0))
        engine.addPeer(PeerInfo(id: peer(4), addresses: [address(4)], protocols: [store2 + "-beta2"]), now: at(0))
        engine.addPeer(PeerInfo(id: peer(5), addresses: [address(5)], protocols: ["/vac/waku/swap/2.0.0"]), now: at(0))
        #expect(Set(engine.store.peers(supporting: store2)) == [peer(1), peer(2)])
        #expect(Set(engine.store.peers(withProtocolPrefix: store2)) == [peer(1), peer(2), peer(3), peer(4)])
        #expect(engine.store.peers(withProtocolPrefix: "/vac/waku/swap").count == 1)
        #expect(engine.store.hasPeer(peer(1), supporting: store2))
        #expect(!engine.store.hasPeer(peer(3), supporting: store2))
        #expect(!engine.store.hasPeer(peer(99), supporting: store2))
        #expect(engine.store.hasPeers(supporting: store2 + "-beta1"))
        #expect(!engine.store.hasPeers(supporting: "/vac/waku/store/3.0.0"))
        #expect(engine.store.hasPeers(withProtocolPrefix: "/vac/waku/swap"))
        #expect(Set(engine.store.wakuProtocols()).count == 5)
        #expect(engine.store.records().count == 5)
    }

    @Test("connectedness of an unknown peer is NotConnected")
    func unknownConnectedness() throws {
        #expect(try engine().store.connectedness(peer(1)) == .notConnected)
    }

    @Test("Peer store tracks incoming connections: 4 in, 1 out")
    func directions() throws {
        var engine = try engine()
        for n in 1...4 { engine.open(n, direction: .inbound) }
        engine.open(5, direction: .outbound)
        #expect(Set(engine.store.peers(direction: .inbound)) == [peer(1), peer(2), peer(3), peer(4)])
        #expect(engine.store.peers(direction: .outbound) == [peer(5)])
        #expect(engine.store.connectedPeers().count == 5)
    }

    @Test("getDisconnectedPeers: NotConnected, CannotConnect and CanConnect peers")
    func disconnectedPeers() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))  // NotConnected
        engine.addPeer(relayInfo(2), now: at(0))
        engine.failDial(2, now: at(0))  // CannotConnect
        engine.open(3, direction: .inbound)
        engine.close(3, now: at(1))  // CanConnect
        engine.open(4, direction: .inbound)  // Connected
        #expect(Set(engine.store.disconnectedPeers()) == [peer(1), peer(2), peer(3)])
        #expect(engine.connectedness(3) == .canConnect)
        #expect(engine.record(3)?.disconnectTime == at(1))
    }

    @Test("State Tracking & Transition")
    func stateTransitions() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        #expect(engine.connectedness(1) == .notConnected)
        let dial = engine.connect(peer(1), now: at(0))
        engine.open(1, direction: .outbound, now: at(0))
        engine.complete(dialsIn: dial, with: .succeeded, now: at(0))
        #expect(engine.connectedness(1) == .connected)
        #expect(engine.record(1)?.direction == .outbound)
        engine.close(1, now: at(5))
        #expect(engine.connectedness(1) == .canConnect)
        #expect(engine.record(1)?.direction == .unknown)
        engine.failDial(1, now: at(6))
        #expect(engine.connectedness(1) == .cannotConnect)
    }

    @Test("several connections: Joined on the first, Left on the last")
    func multipleConnections() throws {
        var engine = try engine()
        #expect(engine.open(1, conn: 10, direction: .inbound).reasons == [.peerJoined])
        #expect(engine.open(1, conn: 11, direction: .outbound).isEmpty)
        #expect(engine.record(1)?.direction == .inbound)
        #expect(engine.close(10).isEmpty)
        #expect(engine.connectedness(1) == .connected)
        #expect(engine.close(11).reasons == [.peerLeft])
    }

    @Test("delete resets every book")
    func deleteResets() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1, shards: [0]), origin: .dns, now: at(0))
        engine.failDial(1, now: at(0))
        #expect(engine.removePeer(peer(1), now: at(1)).reasons == [.peerRemoved])
        #expect(engine.record(1) == nil)
        #expect(engine.store.peers(onShard: RelayShard(clusterID: 1, shardID: 0)).isEmpty)
        #expect(engine.store.peers(supporting: WakuCodec.relay).isEmpty)
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)]), now: at(2))
        let record = try #require(engine.record(1))
        #expect(record.failedAttempts == 0)
        #expect(record.origin == .unknown)
        #expect(record.protocols.isEmpty)
        #expect(record.enr == nil)
    }

    @Test("identify replaces protocols and fills agent and version")
    func identify() throws {
        var engine = try engine()
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)], protocols: ["/old"]), now: at(0))
        engine.open(1, direction: .inbound)
        let defaults = ["/ipfs/id/1.0.0", "/libp2p/autonat/1.0.0", "/libp2p/circuit/relay/0.2.0/hop"]
        _ = engine.handle(
            .identified(
                peer: peer(1),
                IdentifyInfo(protocols: defaults + [WakuCodec.relay], agent: "nwaku", protocolVersion: "ipfs/0.1.0")),
            now: at(0))
        let record = try #require(engine.record(1))
        #expect(record.protocols == defaults + [WakuCodec.relay])
        #expect(record.agent == "nwaku")
        #expect(record.protocolVersion == "ipfs/0.1.0")
        #expect(engine.statistics(now: at(0)).inboundRelay == 1)
    }

    @Test("a late identify for an unknown peer that is not connected creates nothing")
    func lateIdentify() throws {
        var engine = try engine()
        engine.identifyRelay(1)
        #expect(!engine.store.contains(peer(1)))
    }
}
