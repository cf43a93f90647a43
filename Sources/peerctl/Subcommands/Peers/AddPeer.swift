import ArgumentParser
import PeerClient
import PeerWire

struct AddPeer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a peer from a multiaddr with /p2p or an ENR (AddPeer).",
        discussion: """
            peerd merges it into its books with nwaku's rules and prints the record after the \
            merge. A bad address is INVALID_ARGUMENT (exit status 1).

            Example: peerctl peers add /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2HAm... --origin static
            Example: peerctl peers add enr:-QESuED0qW1B... --origin discv5
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "/ip4/.../tcp/.../p2p/<id> or enr:...") var address: String
    @Option(help: "Origin: \(WireJSON.originNames.joined(separator: ", ")).") var origin = "static"

    func validate() throws {
        _ = try WireName.parse(origin, in: WireJSON.originNames, option: "--origin")
    }

    func run() async throws {
        let output = self.output
        let request = PeerManagerV1.AddPeerRequest(
            source: .address(address),
            origin: PeerManagerV1.Origin(
                rawValue: try WireName.parse(origin, in: WireJSON.originNames, option: "--origin") ?? 0))
        let (response, context) = try await withPeerd(connection) { peerd in
            (try await peerd.peerManager.addPeer(request, options: .peerctl), try await peerd.tableContext(output))
        }
        try Output.show(
            output, json: { response.peer.map(WireJSON.peer) ?? [:] },
            human: { response.peer.map { PeerTable.details($0, context).render() } ?? "added\n" })
    }
}
