import PeerCore
import PeerIdentity
import PeerWire
import TTRPCServer

/// ConnectedPeers, Connect, Disconnect, DisconnectAll, Reconnect, CanBeConnected, Protect, Unprotect.
extension PeerManagerService {
    func registerConnections(in router: inout RPCRouter) {
        let service = Self.serviceName
        router.inline(service, "ConnectedPeers") { (request: PeerManagerV1.ConnectedPeersRequest, _) in
            // The engine's values under the lock; the reply is built after it.
            let connected = runtime.read { engine, _, _ in
                engine.store.connectedPeers().sorted().compactMap {
                    peer -> (PeerID, PeerDirection, [String: (inbound: Int, outbound: Int)])? in
                    guard let record = engine.store.record(peer) else { return nil }
                    if !request.protocol.isEmpty, !record.protocols.contains(request.protocol) { return nil }
                    return (peer, record.direction, engine.streamCounts(peer))
                }
            }
            return PeerManagerV1.ConnectedPeersResponse(
                peers: connected.map { peer, direction, streams in
                    PeerManagerV1.ConnectedPeer(
                        peerID: peer.description, direction: .init(direction),
                        streams: streams.sorted { $0.key < $1.key }.map {
                            PeerManagerV1.ProtocolStreams(
                                protocol: $0.key, inbound: UInt32(clamping: $0.value.inbound),
                                outbound: UInt32(clamping: $0.value.outbound))
                        })
                })
        }
        router.unary(service, "Connect") { (request: PeerManagerV1.ConnectRequest, _) in
            try requireHost(for: "dial")
            return PeerManagerV1.ConnectResponse(outcomes: try await connect(request))
        }
        router.inline(service, "Disconnect") { (request: PeerManagerV1.DisconnectRequest, _) in
            let peer = try WireInput.peerID(request.peerID)
            try requireHost(for: "disconnect")
            try runtime.perform { engine, now, _ in
                guard engine.store.connectedness(peer) == .connected else { throw PeerManagerError.notConnected(peer) }
                return ((), engine.disconnect(peer, now: now))
            }
            return PeerManagerV1.DisconnectResponse()
        }
        router.inline(service, "DisconnectAll") { (_: PeerManagerV1.DisconnectAllRequest, _) in
            try requireHost(for: "disconnect")
            // nwaku disconnectAllPeers: every connected peer, protected ones too (a request).
            let count = runtime.perform { engine, now, _ in
                let (actions, count) = engine.disconnectAll(now: now)
                return (count, actions)
            }
            return PeerManagerV1.DisconnectAllResponse(disconnected: UInt32(clamping: count))
        }
        router.inline(service, "Reconnect") { (request: PeerManagerV1.ReconnectRequest, _) in
            try requireHost(for: "dial")
            // Each peer is dialled once the backoff since its disconnect has passed (nwaku
            // `reconnectPeers`); `dialing` counts the peers dialled now or scheduled.
            let dialing = runtime.reconnect(protocolID: request.protocol)
            return PeerManagerV1.ReconnectResponse(dialing: UInt32(clamping: dialing))
        }
        router.inline(service, "CanBeConnected") { (request: PeerManagerV1.CanBeConnectedRequest, _) in
            let peer = try WireInput.peerID(request.peerID)
            let (allowed, earliest) = runtime.read { engine, now, _ in engine.canBeConnected(peer, now: now) }
            return PeerManagerV1.CanBeConnectedResponse(allowed: allowed, earliestMs: earliest?.unixMilliseconds)
        }
        router.inline(service, "Protect") { (request: PeerManagerV1.ProtectRequest, context) in
            let (peer, tag) = try protection(request)
            try protect(peer, tag: tag, connection: context.connection)
            return PeerManagerV1.ProtectResponse(isProtected: true)
        }
        router.inline(service, "Unprotect") { (request: PeerManagerV1.ProtectRequest, context) in
            let (peer, tag) = try protection(request)
            let owner = ProtectionOwner(context.connection.id)
            let stillProtected = runtime.perform { engine, now, _ in
                let actions = engine.unprotect(peer, tag: tag, owner: owner, now: now)
                return (engine.protection.isProtected(peer), actions)
            }
            return PeerManagerV1.ProtectResponse(isProtected: stillProtected)
        }
    }

    private func protection(_ request: PeerManagerV1.ProtectRequest) throws -> (PeerID, String) {
        let peer = try WireInput.peerID(request.peerID)
        guard !request.tag.isEmpty else { throw PeerManagerError.empty(field: "tag") }
        return (peer, request.tag)
    }

    /// Dials each requested peer through the host and waits for every outcome (in parallel).
    private func connect(_ request: PeerManagerV1.ConnectRequest) async throws -> [PeerManagerV1.ConnectOutcome] {
        guard !request.peers.isEmpty else { throw PeerManagerError.empty(field: "peers") }
        // Parse everything first: one bad entry refuses the call and dials nobody.
        let targets = try request.peers.enumerated().map { index, text -> (String, PeerInfo?, PeerID) in
            if text.hasPrefix("/") || text.hasPrefix("enr:") {
                let info = PeerInfo(try WireInput.remotePeer(text, field: "peers[\(index)]"))
                return (text, info, info.id)
            }
            return (text, nil, try WireInput.peerID(text, field: "peers[\(index)]"))
        }
        let timeout = try WireInput.milliseconds(
            request.timeoutMs, field: "timeout_ms", in: EngineConfiguration.Bounds.dialTimeout)
        // Dial for a protocol (nwaku dialPeer(peer, proto)): the host connects and opens it.
        let protocolID = request.protocol.isEmpty ? nil : request.protocol

        var waits: [(text: String, peer: PeerID, command: CommandID?, refusal: String?)] = []
        _ = runtime.performAwaiting { engine, now in
            var all: [EngineAction] = []
            for (text, info, peer) in targets {
                let actions =
                    info.map { engine.connect($0, timeout: timeout, protocolID: protocolID, now: now) }
                    ?? engine.connect(peer, timeout: timeout, protocolID: protocolID, now: now)
                let dial = actions.commands.first { $0.command.peer == peer }
                let refusal = actions.decisions.first { $0.reason == .connectRefused }?.detail
                waits.append((text, peer, dial?.id, dial == nil ? (refusal ?? "not dialled") : nil))
                all += actions
            }
            return all
        }
        // The engine expires an unanswered dial after its timeout plus the grace period; wait as long.
        let perDial = runtime.read { engine, _, _ in
            (timeout ?? engine.configuration.dialTimeout) + engine.configuration.commandGracePeriod
        }

        return await withTaskGroup(of: (Int, PeerManagerV1.ConnectOutcome).self) { group in
            for (index, wait) in waits.enumerated() {
                group.addTask {
                    var outcome = PeerManagerV1.ConnectOutcome(peer: wait.text, peerID: wait.peer.description)
                    if let command = wait.command {
                        switch await runtime.outcome(of: command, timeout: perDial) {
                        case .succeeded: outcome.connected = true
                        case .failed(let reason): outcome.error = reason
                        case .timedOut: outcome.error = "timed out"
                        case .metadata: outcome.error = "unexpected outcome"
                        }
                    } else if wait.refusal == "already connected" {
                        outcome.connected = true
                    } else {
                        outcome.error = wait.refusal ?? "not dialled"
                    }
                    return (index, outcome)
                }
            }
            var outcomes = [PeerManagerV1.ConnectOutcome?](repeating: nil, count: waits.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.compactMap { $0 }
        }
    }
}
