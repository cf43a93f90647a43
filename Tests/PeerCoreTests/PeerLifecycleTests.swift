import PeerCore
import PeerIdentity
import Testing

/// Peers that peerd forgets itself, deletion while connected, the host's own id, deferred
/// verdicts, and what a host event did (issue 9).
@Suite("Peer lifecycle")
struct PeerLifecycleTests {
    /// The books as a watcher rebuilds them from the peer changes alone.
    struct Replay {
        var stored: Set<PeerID> = []
        var connected: Set<PeerID> = []

        mutating func apply(_ actions: [EngineAction]) {
            for change in actions.peerChanges {
                switch change.kind {
                case .added: stored.insert(change.peer)
                case .removed: stored.remove(change.peer)
                case .connected: connected.insert(change.peer)
                case .disconnected: connected.remove(change.peer)
                }
            }
        }

        func matches(_ engine: PeerEngine) -> Bool {
            stored == Set(engine.store.records().map(\.id)) && connected == Set(engine.store.connectedPeers())
        }
    }

    @Test("a peer refused by the colocation limit is seen connected, disconnected and removed")
    func colocationRefusalIsWatched() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, ip: "7.7.7.7")
        let joined = engine.open(2, ip: "7.7.7.7")
        #expect(joined.disconnects == [peer(2)])
        #expect(joined.peerChanges == [PeerChange(.added, peer(2)), PeerChange(.connected, peer(2))])
        let left = engine.close(2)
        #expect(left.peerChanges == [PeerChange(.disconnected, peer(2)), PeerChange(.removed, peer(2))])
        #expect(!engine.store.contains(peer(2)))
    }

    @Test("a peer rejected for its cluster is seen disconnected and removed when it leaves")
    func clusterRejectionIsWatched() throws {
        var engine = try engine { $0.clusterID = 1 }
        let joined = engine.open(1)
        let request = try #require(joined.commands.first)
        let verdict = engine.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 2, shards: []))), now: at(1))
        #expect(verdict.disconnects == [peer(1)])
        let left = engine.close(1, now: at(2))
        #expect(left.peerChanges == [PeerChange(.disconnected, peer(1)), PeerChange(.removed, peer(1))])
    }

    @Test("the peer changes rebuild the books exactly, whatever path changed them")
    func changesReplayTheBooks() throws {
        var engine = try engine {
            $0.colocationLimit = 2
            $0.clusterID = 1
            $0.maxConnections = 20
            $0.relayServiceRatio = "60:40"
            $0.peerStoreCapacity = 24
        }
        var rng = SeededGenerator(seed: 7)
        var replay = Replay()
        var conn: UInt64 = 0
        var open: [UInt64: Int] = [:]
        var pendingCommands: [IssuedCommand] = []
        for step in 0..<3000 {
            let now = at(Int64(step))
            let n = Int.random(in: 1...40, using: &rng)
            var actions: [EngineAction] = []
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                conn += 1
                open[conn] = n
                actions = engine.open(
                    n, conn: conn, direction: Bool.random(using: &rng) ? .inbound : .outbound,
                    ip: "10.0.0.\(n % 5)", now: now)
            case 1:
                if let (id, _) = open.randomElement(using: &rng) {
                    open[id] = nil
                    actions = engine.close(id, now: now)
                }
            case 2: actions = engine.addPeer(relayInfo(n, shards: [UInt16(n % 3)]), now: now)
            case 3: actions = engine.removePeer(peer(n), now: now)
            case 4:
                actions = engine.handle(
                    .metadata(peer: peer(n), .received(clusterID: Bool.random(using: &rng) ? 1 : 2, shards: [0])),
                    now: now)
            case 5: actions = engine.identifyRelay(n, now: now)
            case 6:
                engine.protect(peer(n), tag: "t")
                if Bool.random(using: &rng) { actions = engine.unprotect(peer(n), tag: "t", now: now) }
            case 7:
                // The host carries out (or fails) a command.
                if !pendingCommands.isEmpty {
                    let command = pendingCommands.removeFirst()
                    let ok = Bool.random(using: &rng)
                    if case .disconnect(let target, _) = command.command, ok {
                        for (id, owner) in open where peer(owner) == target {
                            open[id] = nil
                            actions += engine.close(id, now: now)
                        }
                    }
                    actions += engine.handle(
                        .commandCompleted(command.id, ok ? .succeeded : .failed(reason: "no")), now: now)
                }
            case 8: actions = engine.tick(now: now, using: &rng).actions
            default: actions = engine.prune(now: now, using: &rng)
            }
            pendingCommands += actions.commands
            replay.apply(actions)
            #expect(replay.matches(engine), "step \(step)")
            if !replay.matches(engine) { break }
        }
        // Every connection the host closes brings the books back to no connected peer.
        for id in open.keys.sorted() { replay.apply(engine.close(id, now: at(4000))) }
        #expect(replay.matches(engine))
        #expect(engine.store.connectedPeers().isEmpty)
    }

    @Test("each host event says whether it was applied or ignored")
    func appliedOrIgnored() throws {
        var engine = try engine { $0.clusterID = 1 }
        func applied(_ event: HostEvent) -> Bool { engine.apply(event, now: at(0)).applied }
        let stranger = peer(77)
        #expect(applied(.connectionOpened(ConnectionID(1), peer: peer(1), direction: .inbound, observedAddress: nil)))
        #expect(!applied(.connectionOpened(ConnectionID(1), peer: peer(2), direction: .inbound, observedAddress: nil)))
        #expect(!applied(.connectionOpened(ConnectionID(9), peer: me, direction: .inbound, observedAddress: nil)))
        #expect(!applied(.connectionClosed(ConnectionID(42))))
        #expect(!applied(.streamOpened(peer: stranger, protocolID: WakuCodec.relay, direction: .inbound)))
        #expect(applied(.streamOpened(peer: peer(1), protocolID: WakuCodec.relay, direction: .inbound)))
        #expect(!applied(.identified(peer: stranger, IdentifyInfo(protocols: [WakuCodec.relay]))))
        #expect(applied(.identified(peer: peer(1), IdentifyInfo(protocols: [WakuCodec.relay]))))
        #expect(!applied(.metadata(peer: stranger, .received(clusterID: 1, shards: []))))
        #expect(applied(.metadata(peer: peer(1), .received(clusterID: 1, shards: []))))
        #expect(!applied(.commandCompleted(CommandID(999), .succeeded)))
        #expect(applied(.networkReachability(online: false)))
        #expect(applied(.connectionClosed(ConnectionID(1))))
    }

    @Test("the host's own id stored before it attached is removed: never dialled, never selected")
    func hostOwnIDRemovedOnAttach() throws {
        var engine = try engine()
        var rng = SeededGenerator()
        let host = peer(999)
        engine.addPeer(relayInfo(999), now: at(0))
        let attached = engine.hostAttached(selfID: host, clusterID: nil, shards: [], online: true, now: at(0))
        let actions = try #require(attached)
        #expect(!engine.store.contains(host))
        #expect(actions.peerChanges == [PeerChange(.removed, host)])
        #expect(engine.selectPeer(protocolID: WakuCodec.relay, using: &rng) == nil)
        #expect(engine.tick(now: at(1), using: &rng).actions.dials.isEmpty)
        // And refused afterwards.
        engine.addPeer(relayInfo(999), now: at(2))
        #expect(!engine.store.contains(host))
    }

    static func deferredRejection() throws -> (PeerEngine, IssuedCommand) {
        var engine = try engine { $0.clusterID = 4 }
        let joined = engine.open(1)
        let request = try #require(joined.commands.first)
        engine.protect(peer(1), tag: "store")
        let verdict = engine.handle(
            .commandCompleted(request.id, .metadata(.received(clusterID: 9, shards: []))), now: at(1))
        #expect(verdict.reasons == [.rejectionDeferred])
        return (engine, request)
    }

    @Test("a deferred rejection is void once the peer passes the check")
    func deferredRejectionClearedByValidMetadata() throws {
        var (engine, _) = try Self.deferredRejection()
        _ = engine.handle(.metadata(peer: peer(1), .received(clusterID: 4, shards: [0])), now: at(2))
        let later = engine.unprotect(peer(1), tag: "store", now: at(3))
        #expect(later.disconnects.isEmpty)
        #expect(engine.store.contains(peer(1)))
        #expect(engine.connectedness(1) == .connected)
    }

    @Test("a deferred rejection is void once the peer leaves")
    func deferredRejectionClearedByLeaving() throws {
        var (engine, _) = try Self.deferredRejection()
        engine.close(1, now: at(2))
        let later = engine.unprotect(peer(1), tag: "store", now: at(3))
        #expect(later.decisions.isEmpty)
        #expect(engine.store.contains(peer(1)))
    }

    @Test("an inbound peer cut by the relay cap at join is still checked: colocation place and metadata")
    func relayCapCutStillChecked() throws {
        var engine = try engine {
            $0.clusterID = 1
            $0.colocationLimit = 5
        }
        let inbound = engine.targets.inbound
        for n in 1...inbound + 1 { engine.addPeer(relayInfo(n), now: at(0)) }
        for n in 1...inbound { engine.open(n) }
        let cut = engine.open(inbound + 1)
        #expect(cut.disconnects == [peer(inbound + 1)])
        #expect(
            cut.commands.contains { $0.command == .requestMetadata(peer: peer(inbound + 1), timeout: .seconds(10)) })
        let ip = try #require(address(inbound + 1).ipAddress)
        #expect(engine.colocation.count(at: ip) == 1)
    }

    @Test("a peer removed while connected keeps its record, its colocation place and Disconnect")
    func removedWhileConnected() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        engine.open(1, ip: "7.7.7.7")
        let removed = engine.removePeer(peer(1), now: at(1))
        #expect(removed.reasons == [.peerRemoved])
        #expect(removed.peerChanges.isEmpty)
        #expect(engine.connectedness(1) == .connected)
        // The connection is real: it keeps its place behind the IP.
        #expect(engine.colocation.count(at: "7.7.7.7") == 1)
        #expect(engine.open(2, ip: "7.7.7.7").disconnects == [peer(2)])
        // Disconnect still reaches it.
        #expect(engine.disconnect(peer(1), now: at(2)).disconnects == [peer(1)])
        // Never selected, never protected.
        var rng = SeededGenerator()
        #expect(engine.selectPeer(protocolID: WakuCodec.relay, using: &rng) == nil)
        #expect(engine.protect(peer(1), tag: "x") == .unknownPeer)
        // Its last connection closing removes it.
        let left = engine.close(1, now: at(3))
        #expect(left.peerChanges == [PeerChange(.disconnected, peer(1)), PeerChange(.removed, peer(1))])
        #expect(!engine.store.contains(peer(1)))
        #expect(engine.colocation.count(at: "7.7.7.7") == 0)
    }

    @Test("AddPeer of a peer removed while connected keeps it Connected")
    func readdedWhileConnected() throws {
        var engine = try engine()
        engine.open(1, direction: .outbound)
        engine.removePeer(peer(1), now: at(1))
        let added = engine.addPeer(relayInfo(1), now: at(2))
        #expect(added.reasons == [.peerAdded])
        #expect(engine.connectedness(1) == .connected)
        #expect(engine.statistics(now: at(2)).outboundRelay == 1)
        engine.close(1, now: at(3))
        #expect(engine.connectedness(1) == .canConnect)
    }

    @Test("a failed policy disconnect is retried at the next ticks, three attempts in all")
    func failedPolicyDisconnectRetried() throws {
        var engine = try engine { $0.colocationLimit = 1 }
        var rng = SeededGenerator()
        engine.open(1, ip: "7.7.7.7")
        let refused = engine.open(2, ip: "7.7.7.7")
        var command = try #require(refused.commands.first)
        for attempt in 1...3 {
            let failed = engine.handle(.commandCompleted(command.id, .failed(reason: "busy")), now: at(Int64(attempt)))
            #expect(failed.reasons == [.disconnectFailed])
            let retry = engine.tick(now: at(Int64(attempt)), using: &rng).actions
            if attempt < 3 {
                #expect(retry.disconnects == [peer(2)])
                command = try #require(retry.commands.first { $0.command.peer == peer(2) })
            } else {
                #expect(retry.disconnects.isEmpty)
            }
        }
        #expect(engine.connectedness(2) == .connected)
    }

    @Test("a metadata failure that arrives after the peer left keeps the peer and its history")
    func lateMetadataFailureIgnored() throws {
        var engine = try engine { $0.clusterID = 1 }
        engine.addPeer(relayInfo(1), now: at(0))
        let joined = engine.open(1, direction: .outbound)
        let request = try #require(joined.commands.first)
        engine.close(1, now: at(1))
        let late = engine.apply(.commandCompleted(request.id, .failed(reason: "connection closed")), now: at(2))
        #expect(late.actions.decisions.isEmpty)
        #expect(engine.store.contains(peer(1)))
        #expect(engine.record(1)?.addresses == [address(1)])
    }

    @Test("a Connect after the host detached is refused, not expired as the peer's failure")
    func connectAfterDetachNotCounted() throws {
        var engine = try engine()
        var rng = SeededGenerator()
        engine.addPeer(relayInfo(1), now: at(0))
        _ = engine.hostDetached(now: at(0))
        let actions = engine.connect(peer(1), now: at(1))
        #expect(actions.commands.isEmpty)
        #expect(actions.reasons == [.connectRefused])
        _ = engine.tick(now: at(100), using: &rng)
        #expect(engine.record(1)?.failedAttempts == 0)
        // A host attaching again lifts the refusal.
        _ = engine.hostAttached(selfID: me, clusterID: nil, shards: [], online: true, now: at(101))
        #expect(engine.connect(peer(1), now: at(101)).dials == [peer(1)])
    }

    @Test("an identify with no protocols keeps the known ones: the peer still counts as relay")
    func emptyIdentifyKeepsProtocols() throws {
        var engine = try engine()
        engine.addPeer(relayInfo(1), now: at(0))
        engine.open(1, direction: .outbound)
        _ = engine.handle(.identified(peer: peer(1), IdentifyInfo(protocols: [], agent: "nwaku")), now: at(1))
        #expect(engine.record(1)?.protocols == [WakuCodec.relay])
        #expect(engine.record(1)?.agent == "nwaku")
        #expect(engine.statistics(now: at(1)).outboundRelay == 1)
    }
}
