import PeerCore
import PeerIdentity
import Testing

/// nwaku's `calculateConnectionState` (health monitor, #3689) as a table: connected peers per
/// kind in, the status out. The rows are nwaku's own test cases (tests/node/test_wakunode_health
/// "health state calculation", dLow 4) plus the edges of each threshold.
@Suite("Connection status (nwaku calculateConnectionState)")
struct ConnectionStatusTests {
    typealias Strength = ConnectionStatus.Strength

    static let rows: [(String, Strength, ConnectionStatus)] = [
        ("zero peers", Strength(), .disconnected),
        ("weak relay (dLow - 1)", Strength(relay: 3), .partiallyConnected),
        ("one relay peer", Strength(relay: 1), .partiallyConnected),
        ("robust relay (dLow)", Strength(relay: 4), .connected),
        ("relay over dLow", Strength(relay: 50), .connected),
        ("robust edge (2 of each)", Strength(lightpush: 2, filter: 2, store: 2), .connected),
        ("edge missing store", Strength(lightpush: 2, filter: 2, store: 0), .disconnected),
        ("edge missing lightpush", Strength(lightpush: 0, filter: 5, store: 5), .disconnected),
        ("edge missing filter", Strength(lightpush: 5, filter: 0, store: 5), .disconnected),
        ("edge meets the minimum (1 of each)", Strength(lightpush: 1, filter: 1, store: 1), .partiallyConnected),
        ("edge robust but one", Strength(lightpush: 2, filter: 1, store: 2), .partiallyConnected),
        ("robust relay ignores a missing store", Strength(relay: 4, store: 0), .connected),
        (
            "weak relay decides even with a robust edge", Strength(relay: 1, lightpush: 3, filter: 3, store: 3),
            .partiallyConnected
        ),
    ]

    @Test("nwaku's rule", arguments: rows)
    func rule(_ name: String, _ strength: Strength, _ expected: ConnectionStatus) {
        #expect(ConnectionStatus.of(strength) == expected, "\(name)")
    }

    @Test("the engine counts connected relay peers, and edge peers only without relay")
    func census() throws {
        var engine = try engine()
        #expect(engine.connectionStatus == .disconnected)
        for n in 1...3 {
            engine.open(n)
            engine.identifyRelay(n)
        }
        #expect(engine.connectionStrength == Strength(relay: 3))
        #expect(engine.connectionStatus == .partiallyConnected)
        engine.open(4, direction: .outbound)
        engine.identifyRelay(4)
        #expect(engine.connectionStatus == .connected)
        for conn in 1...4 { engine.close(UInt64(conn)) }
        #expect(engine.connectionStatus == .disconnected)
    }

    @Test("an edge node: one lightpush, filter and store peer each is partial; two of each connected")
    func edgeCensus() throws {
        var engine = try engine()
        let edge = [
            "/vac/waku/lightpush/3.0.0", "/vac/waku/filter-subscribe/2.0.0-beta1", "/vac/waku/store-query/3.0.0",
        ]
        func identify(_ n: Int, _ protocols: [String]) {
            engine.open(n, direction: .outbound)
            _ = engine.handle(.identified(peer: peer(n), IdentifyInfo(protocols: protocols)), now: at(0))
        }
        identify(1, edge)
        #expect(engine.connectionStrength == Strength(lightpush: 1, filter: 1, store: 1))
        #expect(engine.connectionStatus == .partiallyConnected)
        // A legacy lightpush peer counts for lightpush (nwaku takes the larger count per kind).
        identify(2, ["/vac/waku/lightpush/2.0.0-beta1", edge[1], "/vac/waku/store/2.0.0-beta4"])
        #expect(engine.connectionStrength == Strength(lightpush: 1, filter: 2, store: 1))
        identify(3, edge)
        #expect(engine.connectionStrength == Strength(lightpush: 2, filter: 3, store: 2))
        #expect(engine.connectionStatus == .connected)
        // A stored peer that is not connected counts for nothing.
        engine.close(3)
        #expect(engine.connectionStrength == Strength(lightpush: 1, filter: 2, store: 1))
    }

    @Test("the status is in the statistics")
    func statistics() throws {
        var engine = try engine()
        engine.open(1)
        engine.identifyRelay(1)
        #expect(engine.statistics(now: at(0)).connectionStatus == .partiallyConnected)
    }
}

@Suite("DisconnectAll and dialling for a protocol (nwaku embedder API)")
struct EmbedderRequestTests {
    @Test("DisconnectAll disconnects every connected peer, protected ones too, and none being disconnected")
    func disconnectAll() throws {
        var engine = try engine()
        for n in 1...4 { engine.open(n) }
        engine.addPeer(relayInfo(9), now: at(0))  // stored, not connected
        #expect(engine.protect(peer(2), tag: "store-request") == nil)
        _ = engine.disconnect(peer(3), now: at(1))  // already leaving
        let (actions, count) = engine.disconnectAll(now: at(2))
        #expect(count == 3)
        #expect(Set(actions.disconnects) == [peer(1), peer(2), peer(4)])
        #expect(actions.reasons.filter { $0 == .disconnectRequested }.count == 3)
        // Asked again before the host answered: nobody is asked twice.
        #expect(engine.disconnectAll(now: at(3)).count == 0)
    }

    @Test("a Connect for a protocol issues a dial that carries it; without one, none")
    func dialForProtocol() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.addPeer(relayInfo(2), now: at(0))
        let withProtocol = engine.connect(peer(1), protocolID: "/vac/waku/store-query/3.0.0", now: at(1))
        let plain = engine.connect(peer(2), now: at(1))
        func protocols(_ actions: [EngineAction]) -> [String?] {
            actions.commands.compactMap { if case .dial(_, _, _, let proto) = $0.command { proto } else { nil } }
        }
        #expect(protocols(withProtocol) == ["/vac/waku/store-query/3.0.0"])
        #expect(protocols(plain) == [nil])
    }
}
