import ArgumentParser
import PeerClient
import PeerWire

struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show peerd's version, wire protocol, uptime, services and limits (GetInfo).",
        discussion: "Example: peerctl info")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let info = try await withPeerd(connection) { try await $0.peerManager.getInfo(options: .peerctl) }
        let socket = connection.socketPath
        try Output.show(
            output, json: { WireJSON.info(info, socket: socket) },
            human: { HumanViews.info(info, socket: socket).render() })
    }
}
