import ArgumentParser
import PeerClient
import PeerWire

struct Connected: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List connected peers with their direction and open streams (ConnectedPeers).",
        discussion: """
            One row per connected peer: direction and, per protocol, its inbound/outbound streams. \
            --protocol keeps peers with that protocol. With --json: {"peers": [{"peer_id", \
            "direction", "streams": [{"protocol", "inbound", "outbound"}]}]}.

            Example: peerctl connected --protocol /vac/waku/relay/2.0.0
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only peers connected for this protocol.") var `protocol`: String?

    func run() async throws {
        let request = PeerManagerV1.ConnectedPeersRequest(protocol: self.protocol ?? "")
        let response = try await withPeerd(connection) {
            try await $0.peerManager.connectedPeers(request, options: .peerctl)
        }
        let wide = output.wide
        try Output.show(
            output, json: { ["peers": response.peers.map(WireJSON.connectedPeer)] },
            human: {
                response.peers.isEmpty
                    ? "no connected peers\n" : HumanViews.connectedPeers(response.peers, wide: wide).render()
            })
    }
}
