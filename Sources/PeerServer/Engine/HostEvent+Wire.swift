import PeerCore
import PeerIdentity
import PeerWire

extension HostEvent {
    /// The engine event for a host's wire event; malformed values are INVALID_ARGUMENT naming the
    /// field. A hello is not an event (it attaches the host) and is refused here.
    init(_ event: PeerManagerV1.HostEvent.OneOf_Event) throws {
        switch event {
        case .hello:
            throw RPCError(code: .failedPrecondition, message: "hello is only valid as the first event of a session")
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
            case nil: throw RPCError(code: .invalidArgument, message: "metadata: result is missing")
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
                throw RPCError(
                    code: .invalidArgument, message: "command_result \(result.commandID): outcome is missing")
            }
            self = .commandCompleted(CommandID(result.commandID), outcome)
        case .reachability(let reachability):
            self = .networkReachability(online: reachability.online)
        }
    }

    private static func protocolID(_ text: String) throws -> String {
        guard !text.isEmpty else { throw RPCError(code: .invalidArgument, message: "stream protocol is empty") }
        return text
    }
}

extension MetadataResult {
    init(_ info: PeerManagerV1.MetadataInfo) throws {
        self = .received(
            clusterID: try info.clusterID.map { try WireInput.uint16($0, field: "metadata.cluster_id") },
            shards: try info.shards.map { try WireInput.uint16($0, field: "metadata.shards") })
    }
}
