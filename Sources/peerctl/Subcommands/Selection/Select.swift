import ArgumentParser
import PeerClient
import PeerWire

struct Select: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select", abstract: "Select peers for a protocol, as peerd would for the node.",
        discussion: """
            Without --count: one peer (SelectPeer; relay at random, other protocols from the \
            service slot first). With --count N: up to N distinct peers, slot peers first \
            (SelectPeers; 0 = every matching peer). Prints a peer table; {"peers": [...]} with \
            --json (an empty list when no peer fits). Also available as `peers select`.

            Example: peerctl select /vac/waku/store-query/3.0.0 --topic /waku/2/rs/1/0
            Example: peerctl select /vac/waku/relay/2.0.0 --shard 3 --count 0 --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The protocol, e.g. /vac/waku/store-query/3.0.0.") var `protocol`: String
    @Option(help: "A pubsub topic /waku/2/rs/<cluster>/<shard>.") var topic: String?
    @Option(help: "A shard in --cluster, or in peerd's cluster.") var shard: UInt32?
    @Option(help: "The cluster of --shard.") var cluster: UInt32?
    @Option(help: "How many peers (0: all that fit); without it, one peer by SelectPeer.") var count: UInt32?

    func run() async throws {
        let output = self.output
        let (peers, context): ([PeerManagerV1.Peer], PeerTable.Context?)
        if let count {
            let request = PeerManagerV1.SelectPeersRequest(
                protocol: self.protocol, shard: shard, clusterID: cluster, pubsubTopic: topic ?? "", count: count)
            (peers, context) = try await withPeerd(connection) { peerd in
                (
                    try await peerd.peerManager.selectPeers(request, options: .peerctl).peers,
                    output.json ? nil : try await peerd.tableContext(output)
                )
            }
        } else {
            let request = PeerManagerV1.SelectPeerRequest(
                protocol: self.protocol, shard: shard, clusterID: cluster, pubsubTopic: topic ?? "")
            (peers, context) = try await withPeerd(connection) { peerd in
                (
                    try await peerd.peerManager.selectPeer(request, options: .peerctl).peer.map { [$0] } ?? [],
                    output.json ? nil : try await peerd.tableContext(output)
                )
            }
        }
        try Output.show(
            output, json: { ["peers": peers.map(WireJSON.peer)] },
            human: {
                guard let context, !peers.isEmpty else { return "no peer fits\n" }
                return PeerTable.table(peers, context).render()
            })
    }
}
