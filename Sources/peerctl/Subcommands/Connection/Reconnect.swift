import ArgumentParser
import PeerClient
import PeerWire

struct Reconnect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Redial disconnected peers, as nwaku's reconnectPeers (Reconnect).",
        discussion: """
            Every disconnected peer outside its failure backoff (with a protocol starting with \
            --protocol, when given) is dialled once the reconnect backoff has passed since it left. \
            Prints how many peers are dialled now or scheduled.

            Example: peerctl reconnect --protocol /vac/waku/relay
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only peers with a protocol starting with this.") var `protocol`: String?

    func run() async throws {
        let request = PeerManagerV1.ReconnectRequest(protocol: self.protocol ?? "")
        let response = try await withPeerd(connection) {
            try await $0.peerManager.reconnect(request, options: .peerctl)
        }
        try Output.show(
            output, json: { ["dialing": response.dialing] },
            human: { "dialing \(response.dialing) peer\(response.dialing == 1 ? "" : "s")\n" })
    }
}
