import PeerCore
import PeerIdentity
import Testing

/// The addresses of every dial in `actions`.
private func dialAddresses(_ actions: [EngineAction]) -> [[Multiaddr]] {
    actions.commands.compactMap { if case .dial(_, let addresses, _, _) = $0.command { addresses } else { nil } }
}

@Suite("Connect dials the addresses it is given")
struct ConnectAddressTests {
    @Test("a stored peer is dialled at the given addresses, which are merged into its record")
    func storedPeerGivenAddresses() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        let given = [address(1, ip: "192.0.2.7")]
        let actions = engine.connect(PeerInfo(id: peer(1), addresses: given), now: at(1))
        // Before: dialled at the stored 10.0.0.1 and the record kept it.
        #expect(dialAddresses(actions) == [given])
        #expect(engine.record(1)?.addresses == given)
        #expect(engine.record(1)?.protocols == [WakuCodec.relay])
    }

    @Test("a peer known only from an inbound connection is dialled at the given address")
    func inboundOnlyPeer() throws {
        var engine = try engine()
        engine.open(2)
        engine.close(2, now: at(1))
        #expect(engine.record(2)?.addresses.isEmpty == true)
        let given = [address(2, ip: "192.0.2.8")]
        let actions = engine.connect(PeerInfo(id: peer(2), addresses: given), now: at(2))
        // Before: refused with "no known address".
        #expect(actions.reasons.contains(.connectRefused) == false)
        #expect(dialAddresses(actions) == [given])
        #expect(engine.record(2)?.addresses == given)
    }

    @Test("a peer id alone is dialled at the stored addresses; with none it is refused")
    func peerIDAlone() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(3), now: at(0))
        #expect(dialAddresses(engine.connect(PeerInfo(id: peer(3), addresses: []), now: at(1))) == [[address(3)]])
        engine.open(4)
        engine.close(4, now: at(1))
        let refused = engine.connect(peer(4), now: at(2))
        #expect(refused.decisions.first?.reason == .connectRefused)
        #expect(refused.decisions.first?.detail == "no known address")
    }

    @Test("a stale ENR is not merged, but the given addresses are still dialled (as nwaku does)")
    func staleENR() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(5, shards: [0], sequence: 9), now: at(0))
        var stale = relayInfo(5, shards: [0], sequence: 3)
        stale.addresses = [address(5, ip: "192.0.2.9")]
        let actions = engine.connect(stale, now: at(1))
        #expect(actions.reasons.contains(.peerIgnoredStaleENR))
        #expect(dialAddresses(actions) == [stale.addresses])
        #expect(engine.record(5)?.addresses == [address(5)])
    }
}

@Suite("Reconnect waits out the backoff since the disconnect (nwaku reconnectPeers)")
struct ReconnectWaitTests {
    @Test(
        "the rest of the backoff since the disconnect",
        arguments: [
            // (disconnected at, backoff s, now, expected wait s)
            (Optional(at(0)), 62, at(0), 62),
            (Optional(at(0)), 62, at(10), 52),
            (Optional(at(0)), 62, at(62), 0),
            (Optional(at(0)), 62, at(100), 0),
            (Optional(at(5)), 0, at(5), 0),
            (Optional(EngineTime.epoch), 62, at(0), 0),
            (nil, 62, at(0), 0),
        ] as [(EngineTime?, Int64, EngineTime, Int64)])
    func wait(disconnected: EngineTime?, backoff: Int64, now: EngineTime, expected: Int64) {
        #expect(
            PeerEngine.reconnectWait(disconnectedAt: disconnected, backoff: .seconds(backoff), now: now)
                == .seconds(expected))
    }

    @Test("a recently disconnected peer is planned at disconnect + backoff; others now; connected ones not at all")
    func plan() throws {
        var engine = try engine { $0.reconnectBackoff = .seconds(60) }
        engine.addPeer(relayInfo(1), now: at(0))  // never connected
        engine.open(2, direction: .outbound)
        engine.identifyRelay(2)
        engine.close(2, now: at(100))  // disconnected at 100
        engine.addPeer(relayInfo(2), now: at(100))
        engine.open(3, direction: .outbound)
        engine.identifyRelay(3)  // connected
        let plan = engine.reconnectPlan(protocolID: WakuCodec.relay, now: at(130))
        #expect(plan.map(\.peer) == [peer(1), peer(2)])
        #expect(plan.map(\.at) == [at(130), at(160)])
        #expect(engine.reconnectPlan(protocolID: "/other", now: at(130)).isEmpty)
        // nwaku's protocolMatcher: a prefix matches.
        #expect(engine.reconnectPlan(protocolID: "/vac/waku/relay", now: at(130)).map(\.peer) == [peer(1), peer(2)])
        #expect(engine.reconnectWait(peer(2), now: at(130)) == .seconds(30))
        #expect(engine.reconnectWait(peer(9), now: at(130)) == nil)
        #expect(
            engine.reconnectPlan(protocolID: WakuCodec.relay, backoff: .seconds(1), now: at(130)).map(\.at) == [
                at(130), at(130),
            ])
    }
}

@Suite("Operator-facing text")
struct OperatorTextTests {
    @Test("command_expired says how long the command went unanswered, not an absolute time")
    func expiryDetail() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        _ = engine.connect(peer(1), now: at(0))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(16), using: &rng)
        let expired = try #require(step.actions.decisions.first { $0.reason == .commandExpired })
        // Before: "no result for #1 by 1700000015.000000000s".
        #expect(expired.detail.hasSuffix("after 15.0 s"), "\(expired.detail)")
    }

    @Test("reconnect_scheduled says when in seconds from now, not an absolute time")
    func reconnectScheduledDetail() throws {
        var engine = try engine()
        let decision = try #require(engine.scheduleReconnect(now: at(0)).decisions.first)
        // Before: "... redialled at 1700000062.000000000s".
        #expect(decision.detail == "persisted relay peers will be redialled in 62.0 s")
    }

    @Test("durations for operators", arguments: [(15_000, "15.0 s"), (250, "0.2 s"), (0, "0.0 s"), (-1_500, "-1.5 s")])
    func secondsText(milliseconds: Int64, text: String) {
        #expect(Duration.milliseconds(milliseconds).secondsText == text)
    }

    @Test("the status line is nwaku's \"Relay peer connections\" with its field names and value forms")
    func statusLine() throws {
        var engine = try engine()
        engine.open(1)
        engine.identifyRelay(1)
        engine.open(2, direction: .outbound)
        engine.identifyRelay(2)
        engine.addPeer(relayInfo(3), now: at(0))
        let statistics = engine.statistics(now: at(0))
        #expect(EngineStatistics.statusMessage == "Relay peer connections")
        let fields = statistics.statusFields
        #expect(
            fields.map(\.name) == [
                "inRelayConns", "outRelayConns", "totalConnections", "notConnectedPeers", "outsideBackoffPeers",
            ])
        #expect(fields.map(\.value) == ["1/20", "1/10", "2/50", "1", "1"])
    }
}
