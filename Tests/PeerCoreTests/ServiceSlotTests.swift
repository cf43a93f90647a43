import PeerCore
import PeerIdentity
import Testing

@Suite("Service slots")
struct ServiceSlotTests {
    static let legacyLightpush = "/vac/waku/lightpush/2.0.0-beta1"

    @Test("addServicePeer stores service peers", arguments: [WakuCodec.store, legacyLightpush, WakuCodec.peerExchange])
    func stores(protocolID: String) throws {
        var engine = try engine()
        let actions = engine.addServicePeer(
            PeerInfo(id: peer(1), addresses: [address(1)]), protocolID: protocolID, now: at(0))
        #expect(actions.reasons == [.peerAdded, .serviceSlotAdded])
        #expect(engine.store.contains(peer(1)))
        #expect(engine.serviceSlots.peers(for: protocolID) == [peer(1)])
    }

    @Test("a relay service peer is neither stored nor slotted")
    func refusesRelay() throws {
        var engine = try engine()
        let actions = engine.addServicePeer(
            PeerInfo(id: peer(1), addresses: [address(1)]), protocolID: WakuCodec.relay, now: at(0))
        #expect(actions.reasons == [.serviceSlotRefusedRelay])
        #expect(!engine.store.contains(peer(1)))
        #expect(engine.serviceSlots.peers(for: WakuCodec.relay).isEmpty)
    }

    @Test("Adding, selecting and filtering peers work")
    func addingAndFiltering() throws {
        var engine = try engine()
        engine.addServicePeer(
            PeerInfo(id: peer(1), addresses: [address(1)], protocols: [WakuCodec.store]), protocolID: WakuCodec.store,
            now: at(0))
        engine.addServicePeer(
            PeerInfo(id: peer(2), addresses: [address(2)], protocols: [WakuCodec.filterSubscribe]),
            protocolID: WakuCodec.filterSubscribe, now: at(0))
        #expect(engine.store.count == 2)
        #expect(engine.store.peers(supporting: WakuCodec.store) == [peer(1)])
        #expect(engine.store.peers(supporting: WakuCodec.filterSubscribe) == [peer(2)])
        #expect(engine.record(1)?.addresses == [address(1)])
    }

    @Test("the limit counts distinct peers, not protocols (nwaku counts protocols)")
    func limitCountsPeers() throws {
        // 50 connections at 84:16 -> 8 service slots.
        var engine = try engine { $0.relayServiceRatio = "84:16" }
        #expect(engine.serviceSlots.maxPeers == 8)
        for n in 1...8 {
            engine.addServicePeer(
                PeerInfo(id: peer(n), addresses: [address(n)]), protocolID: WakuCodec.store, now: at(0))
        }
        // The same peer on more protocols takes no new place.
        let again = engine.addServicePeer(
            PeerInfo(id: peer(1), addresses: [address(1)]), protocolID: WakuCodec.lightpush, now: at(0))
        #expect(again.reasons.contains(.serviceSlotAdded))
        let ninth = engine.addServicePeer(
            PeerInfo(id: peer(9), addresses: [address(9)]), protocolID: WakuCodec.store, now: at(0))
        #expect(ninth.reasons == [.serviceSlotsFull])
        #expect(!engine.store.contains(peer(9)))
        #expect(engine.statistics(now: at(0)).servicePeers == 8)
    }

    @Test("removing a slot keeps the peer; deleting the peer frees its slots")
    func removal() throws {
        var engine = try engine()
        engine.addServicePeer(PeerInfo(id: peer(1), addresses: [address(1)]), protocolID: WakuCodec.store, now: at(0))
        #expect(engine.removeServicePeer(peer(1), protocolID: WakuCodec.store).reasons == [.serviceSlotRemoved])
        #expect(engine.store.contains(peer(1)))
        engine.addServicePeer(PeerInfo(id: peer(1), addresses: [address(1)]), protocolID: WakuCodec.store, now: at(0))
        engine.removePeer(peer(1), now: at(1))
        #expect(engine.serviceSlots.peers(for: WakuCodec.store).isEmpty)
        #expect(!engine.serviceSlots.contains(peer(1)))
    }
}
