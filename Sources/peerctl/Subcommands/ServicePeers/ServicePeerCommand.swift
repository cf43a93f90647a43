import ArgumentParser
import PeerClient
import PeerWire

/// `peerctl service-peer ...`: the service slots of non-relay protocols.
struct ServicePeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-peer", abstract: "Put peers in, or take them out of, a protocol's service slot.",
        subcommands: [AddServicePeer.self, RemoveServicePeer.self])
}

struct AddServicePeer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Put a peer in the service slot of a non-relay protocol (AddServicePeer).",
        discussion: """
            Selection for that protocol then prefers this peer. The relay protocol is \
            INVALID_ARGUMENT; full slots are RESOURCE_EXHAUSTED.

            Example: peerctl service-peer add /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2HAm... /vac/waku/store-query/3.0.0
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "A multiaddr with /p2p, or an ENR.") var address: String
    @Argument(help: "The protocol, e.g. /vac/waku/store-query/3.0.0.") var `protocol`: String

    func run() async throws {
        let output = self.output
        let request = PeerManagerV1.AddServicePeerRequest(address: address, protocol: self.protocol)
        let (response, context) = try await withPeerd(connection) { peerd in
            (
                try await peerd.peerManager.addServicePeer(request, options: .peerctl),
                try await peerd.tableContext(output)
            )
        }
        let slot = self.protocol
        try Output.show(
            output, json: { response.peer.map(WireJSON.peer) ?? [:] },
            human: {
                "service peer for \(slot):\n" + (response.peer.map { PeerTable.details($0, context).render() } ?? "")
            })
    }
}

struct RemoveServicePeer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Take a peer out of a protocol's service slot (RemoveServicePeer).",
        discussion: "Example: peerctl service-peer remove 16Uiu2HAm... /vac/waku/store-query/3.0.0")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String
    @Argument(help: "The protocol.") var `protocol`: String

    func run() async throws {
        let request = PeerManagerV1.RemoveServicePeerRequest(peerID: peerID, protocol: self.protocol)
        let response = try await withPeerd(connection) {
            try await $0.peerManager.removeServicePeer(request, options: .peerctl)
        }
        let (peerID, slot) = (self.peerID, self.protocol)
        try Output.show(
            output, json: { ["peer_id": peerID, "protocol": slot, "removed": response.removed] },
            human: {
                response.removed
                    ? "removed \(peerID) from the \(slot) slot\n" : "\(peerID) was not in the \(slot) slot\n"
            })
    }
}
