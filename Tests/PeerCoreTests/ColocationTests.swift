import PeerCore
import Testing

@Suite("IP colocation limit")
struct ColocationTests {
    @Test("Without colocation limits / With colocation limits", arguments: [(0, 3), (1, 1), (2, 2), (5, 3)])
    func limits(limit: Int, kept: Int) throws {
        var engine = try engine { $0.colocationLimit = limit }
        for n in 1...3 {
            // The host carries out the disconnect of a refused peer (its record goes with its connection).
            if !engine.open(n, direction: .inbound, ip: "127.0.0.1").disconnects.isEmpty { engine.close(UInt64(n)) }
        }
        let stillConnected = (1...3).filter {
            engine.connectedness($0) == .connected
        }
        #expect(stillConnected.count == kept)
        #expect(engine.store.count == kept)
        if limit != 0 { #expect(engine.colocation.count(at: "127.0.0.1") == kept) }
    }

    @Test("colocationLimit enforced: the oldest peer keeps its place")
    func enforced() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, direction: .inbound, ip: "127.0.0.1")
        let second = engine.open(2, direction: .inbound, ip: "127.0.0.1")
        #expect(second.disconnects == [peer(2)])
        #expect(second.reasons.contains(.colocationLimit))
        let third = engine.open(3, direction: .outbound, ip: "127.0.0.1")
        let fourth = engine.open(4, direction: .outbound, ip: "127.0.0.1")
        #expect(third.disconnects == [peer(3)])
        #expect(fourth.disconnects == [peer(4)])
        #expect(engine.colocation.count(at: "127.0.0.1") == 1)
        // The host carries out the disconnects: the refused peers' records go with their connections.
        for conn in 2...4 { engine.close(UInt64(conn)) }
        #expect(engine.store.count == 1)
        #expect(engine.store.contains(peer(1)))
        let decision = try #require(second.decisions.first { $0.reason == .colocationLimit })
        #expect(decision.current == 2)
        #expect(decision.target == 1)
    }

    @Test("a peer that leaves frees its place")
    func leaveFrees() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, ip: "10.9.9.9")
        engine.close(1)
        #expect(engine.colocation.count(at: "10.9.9.9") == 0)
        #expect(engine.open(2, ip: "10.9.9.9").disconnects.isEmpty)
    }

    @Test("a protected newcomer is admitted over the limit")
    func protectedNewcomer() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, ip: "10.9.9.9")
        engine.addPeer(PeerInfo(id: peer(2)), now: at(0))  // only stored peers can be protected
        engine.protect(peer(2), tag: "filter")
        #expect(engine.open(2, ip: "10.9.9.9").disconnects.isEmpty)
        #expect(engine.colocation.count(at: "10.9.9.9") == 2)
    }
}
