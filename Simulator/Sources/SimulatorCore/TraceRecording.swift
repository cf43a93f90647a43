import PeerCore
import PeerIdentity
import PeerTrace

/// A simulated run written as a host trace (`peerd-sim --record-trace`), in the format peerd
/// records: what discovery reported (as AddPeer), every host event the policy was given and
/// every command it gave, at their virtual times. Replaying it (``TraceNetwork``) against the same
/// policy should give close figures: a check of the replay model against a run whose truth is
/// known.
///
/// The simulator's peer ids are identity multihashes without a key and its ENRs stand-ins, which
/// a trace refuses (its decoder validates ids and ENRs as peerd does), so each virtual peer is
/// written under a real secp256k1 identity derived from its id, with a signed ENR carrying its
/// address, shards and capabilities.
struct TraceRecording {
    var entries: [TraceEntry] = []
    private var keys: [PeerID: (id: PeerID, secret: [UInt8])] = [:]

    init(selfID: PeerID, clusterID: UInt16, shards: [UInt16]) {
        let me = identity(selfID).id
        entries.append(
            TraceEntry(
                milliseconds: 0,
                record: .session(
                    .attached(id: 1, selfID: me, clusterID: clusterID, shards: shards, online: true, takeOver: false))))
    }

    /// The real identity a virtual peer is written under.
    mutating func identity(_ id: PeerID) -> (id: PeerID, secret: [UInt8]) {
        if let known = keys[id] { return known }
        // A valid secret key from the id (a hash is below the curve order but for ~2^-128 odds).
        let secret = SHA256.hash([0x53, 0x49, 0x4D] + id.multihash)
        let mapped = (try? ENR.sign(seq: 1, entries: [], secretKey: secret).peerID) ?? id
        keys[id] = (mapped, secret)
        return (mapped, secret)
    }

    mutating func note(_ record: TraceRecord, at now: EngineTime) {
        entries.append(TraceEntry(milliseconds: TraceEntry.milliseconds(now - .epoch), record: record))
    }

    mutating func note(_ commands: [SimCommand], at now: EngineTime) {
        for command in commands {
            note(.command(IssuedCommand(id: command.id, command: traceable(command.command))), at: now)
        }
    }

    /// The application's static peers, at the run's start unless a replay gives them later.
    mutating func note(staticPeers: [PeerInfo], at now: EngineTime = .epoch) {
        for info in staticPeers { note(.peerAdded(traceable(info), origin: .static), at: now) }
    }

    mutating func traceable(_ info: PeerInfo) -> PeerInfo {
        let (id, secret) = identity(info.id)
        var entries: [ENR.Entry] = [.tcp(60000)]
        for case .ip4(let ip) in info.addresses.first?.components ?? [] { entries.append(.ip(ip)) }
        if let enr = info.enr {
            entries.append(.waku2(enr.capabilities))
            if let shards = enr.relayShards { entries.append(.relayShards(shards)) }
        }
        let signed = try? ENR.sign(seq: 1, entries: entries, secretKey: secret)
        return PeerInfo(
            id: id, addresses: info.addresses, protocols: info.protocols,
            enr: signed.map {
                PeerENRInfo(
                    sequence: $0.seq, text: $0.description, relayShards: $0.relayShards, capabilities: $0.waku2 ?? [])
            })
    }

    mutating func traceable(_ event: HostEvent) -> HostEvent {
        switch event {
        case .connectionOpened(let connection, let peer, let direction, let address):
            .connectionOpened(connection, peer: identity(peer).id, direction: direction, observedAddress: address)
        case .streamOpened(let peer, let protocolID, let direction):
            .streamOpened(peer: identity(peer).id, protocolID: protocolID, direction: direction)
        case .streamClosed(let peer, let protocolID, let direction):
            .streamClosed(peer: identity(peer).id, protocolID: protocolID, direction: direction)
        case .identified(let peer, let info): .identified(peer: identity(peer).id, info)
        case .metadata(let peer, let result): .metadata(peer: identity(peer).id, result)
        case .connectionClosed, .commandCompleted, .networkReachability: event
        }
    }

    mutating func traceable(_ command: HostCommand) -> HostCommand {
        switch command {
        case .dial(let peer, let addresses, let timeout, let protocolID):
            .dial(peer: identity(peer).id, addresses: addresses, timeout: timeout, protocolID: protocolID)
        case .disconnect(let peer, let reason): .disconnect(peer: identity(peer).id, reason: reason)
        case .requestMetadata(let peer, let timeout): .requestMetadata(peer: identity(peer).id, timeout: timeout)
        case .requestDiscovery: command
        }
    }
}

extension Simulation {
    /// Starts recording this run as a host trace; call before ``run()``.
    public mutating func recordTrace() {
        recording = TraceRecording(
            selfID: PeerID(multihash: [0x00, 0x02, 0x53, 0x45]), clusterID: scenario.clusterID,
            shards: scenario.ourShards)
    }

    /// The recorded run (nil when ``recordTrace()`` was not called).
    public var recordedTrace: HostTrace? {
        recording.map {
            HostTrace(
                header: TraceHeader(
                    started: .epoch, clusterID: scenario.clusterID, shards: scenario.ourShards,
                    maxConnections: scenario.maxConnections),
                entries: $0.entries)
        }
    }

    /// The recorded run as trace file bytes (JSON Lines), nil when not recording.
    public func encodedTrace() throws -> [UInt8]? {
        try recordedTrace.map { try TraceEncoder().encode($0) }
    }

    /// Discovery reports `info` to the policy (an AddPeer in the recording).
    mutating func discovered(_ info: PeerInfo, origin: PeerOrigin = .discv5) -> [SimCommand] {
        if var recording {
            self.recording = nil
            recording.note(.peerAdded(recording.traceable(info), origin: origin), at: now)
            self.recording = recording
        }
        return policy.discovered(info, origin: origin, now: now)
    }

    /// The host reports `event` to the policy (an event in the recording).
    mutating func handled(_ event: HostEvent) -> [SimCommand] {
        if var recording {
            self.recording = nil
            recording.note(.event(recording.traceable(event)), at: now)
            self.recording = recording
        }
        return policy.handle(event, now: now)
    }
}
