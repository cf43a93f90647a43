import PeerCore
import PeerIdentity
import PeerWire

extension HostEvent {
    /// The engine event for a host's wire event; malformed values are refused naming the field
    /// (``PeerManagerError/invalid(field:reason:)``). A hello is not an event (it attaches the
    /// host) and is refused here.
    init(_ event: PeerManagerV1.HostEvent.OneOf_Event) throws {
        switch event {
        case .hello:
            throw PeerManagerError.helloNotFirst
        case .connectionOpened(let opened):
            let observed =
                opened.observedAddress.isEmpty
                ? nil : try WireInput.multiaddr(opened.observedAddress, field: "connection_opened.observed_address")
            self = .connectionOpened(
                ConnectionID(opened.connectionID),
                peer: try WireInput.peerID(opened.peerID, field: "connection_opened.peer_id"),
                direction: opened.direction.engineValue, observedAddress: observed)
        case .connectionClosed(let closed):
            self = .connectionClosed(ConnectionID(closed.connectionID))
        case .streamOpened(let stream):
            self = .streamOpened(
                peer: try WireInput.peerID(stream.peerID, field: "stream_opened.peer_id"),
                protocolID: try Self.protocolID(stream.protocol), direction: stream.direction.engineValue)
        case .streamClosed(let stream):
            self = .streamClosed(
                peer: try WireInput.peerID(stream.peerID, field: "stream_closed.peer_id"),
                protocolID: try Self.protocolID(stream.protocol), direction: stream.direction.engineValue)
        case .identified(let identified):
            let peer = try WireInput.peerID(identified.peerID, field: "identified.peer_id")
            self = .identified(
                peer: peer,
                IdentifyInfo(
                    protocols: identified.protocols,
                    agent: identified.agent.isEmpty ? nil : identified.agent,
                    protocolVersion: identified.protocolVersion.isEmpty ? nil : identified.protocolVersion,
                    publicKey: identified.publicKey.isEmpty
                        ? nil
                        : try WireInput.publicKey(identified.publicKey, of: peer, field: "identified.public_key"),
                    listenAddresses: try identified.listenAddresses.map {
                        try WireInput.multiaddr($0, field: "identified.listen_addresses")
                    }))
        case .metadata(let report):
            let peer = try WireInput.peerID(report.peerID, field: "metadata.peer_id")
            switch report.result {
            case .received(let info): self = .metadata(peer: peer, try MetadataResult(info))
            case .failure(let reason): self = .metadata(peer: peer, .failed(reason: reason))
            case nil: throw PeerManagerError.invalid(field: "metadata", reason: "result is missing")
            }
        case .commandResult(let result):
            let outcome: CommandOutcome
            switch result.outcome {
            case .succeeded: outcome = .succeeded
            case .failed(let reason): outcome = .failed(reason: reason.isEmpty ? "failed" : reason)
            case .timedOut: outcome = .timedOut
            case .metadata(let info): outcome = .metadata(try MetadataResult(info))
            case .metadataFailed(let reason): outcome = .metadata(.failed(reason: reason))
            case nil:
                throw PeerManagerError.invalid(
                    field: "command_result \(result.commandID)", reason: "outcome is missing")
            }
            self = .commandCompleted(CommandID(result.commandID), outcome)
        case .reachability(let reachability):
            self = .networkReachability(online: reachability.online)
        }
    }

    private static func protocolID(_ text: String) throws -> String {
        guard !text.isEmpty else { throw PeerManagerError.empty(field: "stream protocol") }
        return text
    }
}

extension HostHello {
    /// A wire hello, parsed and validated whole (ids, numbers, every snapshot entry) before the
    /// runtime sees it: a malformed hello attaches nothing.
    init(_ hello: PeerManagerV1.HostHello) throws {
        self.init(
            selfID: try WireInput.peerID(hello.peerID, field: "hello.peer_id"),
            clusterID: try hello.clusterID.map { try WireInput.uint16($0, field: "hello.cluster_id") },
            shards: try hello.shards.map { try WireInput.uint16($0, field: "hello.shards") },
            online: hello.online, takeOver: hello.takeOver,
            snapshot: try hello.connections.map { try HostEvent(.connectionOpened($0)) }
                + hello.identified.map { try HostEvent(.identified($0)) })
    }
}

extension MetadataResult {
    init(_ info: PeerManagerV1.MetadataInfo) throws {
        self = .received(
            clusterID: try info.clusterID.map { try WireInput.uint16($0, field: "metadata.cluster_id") },
            shards: try info.shards.map { try WireInput.uint16($0, field: "metadata.shards") })
    }
}
