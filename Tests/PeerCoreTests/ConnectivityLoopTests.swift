import PeerCore
import PeerIdentity
import Testing

@Suite("Connectivity loop")
struct ConnectivityLoopTests {
    @Test("Connects to all peers supporting a protocol")
    func connectsAll() throws {
        var engine = try engine()
        for n in 1...3 { engine.addPeer(relayInfo(n, shards: [0]), origin: .discv5, now: at(0)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(Set(step.actions.dials) == [peer(1), peer(2), peer(3)])
        let fill = try #require(step.actions.decisions.first { $0.reason == .outboundFill })
        #expect(fill.detail == "out relay 0/10, dialing 3 of 3 connectable")
        for n in 1...3 { engine.open(n, direction: .outbound) }
        engine.complete(dialsIn: step.actions, with: .succeeded, now: at(1))
        for n in 1...3 {
            #expect(engine.connectedness(n) == .connected)
            #expect(engine.store.hasPeer(peer(n), supporting: WakuCodec.relay))
        }
        #expect(engine.statistics(now: at(1)).outboundRelay == 3)
    }

    @Test("dials carry the addresses and the 10 s timeout")
    func dialCommand() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        var rng = SeededGenerator()
        let command = try #require(engine.tick(now: at(0), using: &rng).actions.commands.first)
        #expect(command.command == .dial(peer: peer(1), addresses: [address(1)], timeout: .seconds(10)))
    }

    @Test("batches of 10, the next batch only after the outcomes")
    func batches() throws {
        // 150 connections at 60:40 -> relay 90, outbound target 30.
        var engine = try engine {
            $0.maxConnections = 150
        }
        for n in 1...37 { engine.addPeer(relayInfo(n), now: at(0)) }
        var rng = SeededGenerator()
        let first = engine.tick(now: at(0), using: &rng)
        #expect(first.actions.dials.count == 10)
        #expect(
            first.actions.decisions.first { $0.reason == .outboundFill }?.detail
                == "out relay 0/30, dialing 10 of 37 connectable")

        let whileInFlight = engine.tick(now: at(1), using: &rng)
        #expect(whileInFlight.actions.dials.isEmpty)
        #expect(whileInFlight.actions.reasons.contains(.dialBatchInFlight))

        // 4 succeed, 6 fail: the next batch goes out when the last outcome arrives.
        var next: [EngineAction] = []
        for (index, command) in first.actions.commands.enumerated() {
            if index < 4 {
                engine.open(Int(try #require(command.command.peer).multihash[5]), direction: .outbound, now: at(2))
                next += engine.handle(.commandCompleted(command.id, .succeeded), now: at(2))
            } else {
                next += engine.handle(.commandCompleted(command.id, .failed(reason: "refused")), now: at(2))
            }
            if index < 9 { #expect(next.dials.isEmpty) }
        }
        #expect(next.dials.count == 10)
        #expect(Set(next.dials).isDisjoint(with: first.actions.dials))
        // Outbound relay peers are counted once identified.
        #expect(engine.statistics(now: at(2)).outboundRelay == 4)
    }

    @Test("peers in backoff are not dialled; CannotConnect peers are once it elapses")
    func respectsBackoff() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.failDial(1, now: at(0))
        var rng = SeededGenerator()
        let early = engine.tick(now: at(60), using: &rng)
        #expect(early.actions.dials.isEmpty)
        #expect(early.actions.reasons.contains(.noConnectableCandidates))
        #expect(engine.tick(now: at(121), using: &rng).actions.dials == [peer(1)])
    }

    @Test("peers known not to speak relay are not dialled; unknown ones are (nwaku dials any)")
    func relayOnly() throws {
        var engine = try engine()
        engine.addPeer(PeerInfo(id: peer(1), addresses: [address(1)], protocols: [WakuCodec.store]), now: at(0))
        engine.addPeer(
            PeerInfo(
                id: peer(2), addresses: [address(2)],
                enr: PeerENRInfo(sequence: 1, text: "enr:-x", capabilities: [.store])), now: at(0))
        engine.addPeer(PeerInfo(id: peer(3), addresses: [address(3)]), now: at(0))
        engine.addPeer(PeerInfo(id: peer(4)), now: at(0))  // no address: cannot be dialled
        var rng = SeededGenerator()
        #expect(engine.tick(now: at(0), using: &rng).actions.dials == [peer(3)])
    }

    @Test("no dialling while offline")
    func offline() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        _ = engine.handle(.networkReachability(online: false), now: at(0))
        #expect(!engine.isOnline)
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.isEmpty)
        #expect(step.actions.reasons.contains(.offline))
        #expect(engine.record(1)?.failedAttempts == 0)
        // One connection makes the engine online again.
        engine.open(2, direction: .inbound)
        #expect(engine.isOnline)
        #expect(engine.tick(now: at(1), using: &rng).actions.dials == [peer(1)])
    }

    @Test("target met: nothing to dial")
    func targetMet() throws {
        var engine = try engine()
        for n in 100..<110 {
            engine.open(n, direction: .outbound)
            engine.identifyRelay(n)
        }
        engine.addPeer(relayInfo(1), now: at(0))
        var rng = SeededGenerator()
        let step = engine.tick(now: at(0), using: &rng)
        #expect(step.actions.dials.isEmpty)
        #expect(step.actions.decisions.first?.reason == .outboundTargetMet)
        #expect(step.nextInterval == .seconds(30))
    }

    @Test("excess inbound relay peers are pruned, youngest first, protected ones kept")
    func prunesInbound() throws {
        var engine = try engine()
        // Protect 24 inbound relay peers while they join, so the join-time cap lets them in.
        for n in 1...24 {
            engine.open(n, direction: .inbound, now: at(Int64(n)))
            engine.protect(peer(n), tag: "setup")
            engine.identifyRelay(n, now: at(Int64(n)))
        }
        for n in 1...23 { engine.unprotect(peer(n), tag: "setup", now: at(30)) }
        var rng = SeededGenerator()
        let step = engine.tick(now: at(30), using: &rng)
        // 24 in, target 20: 4 go; 24 is protected, so 23, 22, 21, 20.
        #expect(Set(step.actions.disconnects) == [peer(20), peer(21), peer(22), peer(23)])
        let decision = try #require(step.actions.decisions.first { $0.reason == .inboundRelayPruned })
        #expect(decision.current == 24)
        #expect(decision.target == 20)
        // They no longer count while the host disconnects them.
        #expect(engine.statistics(now: at(30)).inboundRelay == 20)
        #expect(engine.tick(now: at(31), using: &rng).actions.disconnects.isEmpty)
    }

    @Test("the inbound relay cap disconnects a joining inbound relay peer, never an outbound one")
    func inboundCapOnJoin() throws {
        var engine = try engine()
        for n in 1...20 {
            engine.open(n, direction: .inbound)
            #expect(engine.identifyRelay(n).disconnects.isEmpty)
        }
        engine.open(21, direction: .inbound)
        let actions = engine.identifyRelay(21)
        #expect(actions.disconnects == [peer(21)])
        #expect(actions.reasons == [.inboundRelayLimit])
        engine.open(22, direction: .outbound)
        #expect(engine.identifyRelay(22).disconnects.isEmpty)
        // A relay stream also reveals a relay peer.
        engine.open(23, direction: .inbound)
        let stream = engine.handle(
            .streamOpened(peer: peer(23), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        #expect(stream.disconnects == [peer(23)])
        // A peer already counted is not cut again when it opens another relay stream.
        _ = engine.handle(.streamOpened(peer: peer(5), protocolID: WakuCodec.relay, direction: .inbound), now: at(0))
        #expect(engine.statistics(now: at(0)).inboundRelay == 20)
    }

    @Test("a seed replays the same dials")
    func replay() throws {
        func run(seed: UInt64) throws -> [PeerID] {
            var engine = try engine()
            for n in 1...100 { engine.addPeer(relayInfo(n), now: at(0)) }
            var rng = SeededGenerator(seed: seed)
            return engine.tick(now: at(0), using: &rng).actions.dials
        }
        #expect(try run(seed: 7) == run(seed: 7))
        #expect(try run(seed: 7) != run(seed: 8))
    }
}
