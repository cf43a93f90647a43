import PeerCore
import Testing

@Suite("Eviction protection")
struct ProtectionTests {
    @Test("tracks active store request state")
    func activeRequest() throws {
        var engine = try engine()
        for n in 1...20 {
            engine.open(n, direction: .inbound, now: at(Int64(n)))
            engine.identifyRelay(n)
        }
        engine.open(21, direction: .inbound, now: at(21))
        engine.protect(peer(21), tag: "store-request")
        let join = engine.identifyRelay(21, now: at(21))
        #expect(join.disconnects.isEmpty)
        #expect(join.reasons == [.inboundRelayLimit, .evictionSkippedProtected])
        #expect(engine.connectedness(21) == .connected)

        engine.unprotect(peer(21), tag: "store-request", now: at(22))
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(22), using: &rng).actions.disconnects == [peer(21)])
    }

    @Test("tags are counted")
    func counted() throws {
        var engine = try engine()
        engine.addPeer(PeerInfo(id: peer(1)), now: at(0))
        engine.protect(peer(1), tag: "store")
        engine.protect(peer(1), tag: "store")
        engine.protect(peer(1), tag: "filter")
        engine.unprotect(peer(1), tag: "store", now: at(0))
        engine.unprotect(peer(1), tag: "filter", now: at(0))
        #expect(engine.protection.isProtected(peer(1)))
        #expect(engine.protection.tags(of: peer(1)) == ["store": 1])
        engine.unprotect(peer(1), tag: "store", now: at(0))
        #expect(!engine.protection.isProtected(peer(1)))
        #expect(engine.unprotect(peer(1), tag: "store", now: at(0)).isEmpty)
    }

    @Test("an explicit disconnect request is honoured for a protected peer")
    func explicitDisconnect() throws {
        var engine = try engine()
        engine.open(1)
        engine.protect(peer(1), tag: "store")
        let actions = engine.disconnect(peer(1), now: at(0))
        #expect(actions.disconnects == [peer(1)])
        #expect(actions.reasons == [.disconnectRequested])
    }
}
