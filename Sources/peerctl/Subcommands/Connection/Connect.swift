import ArgumentParser
import PeerClient
import PeerWire

struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Dial peers through the attached host and wait for every outcome (Connect).",
        discussion: """
            Each peer is a peer id already in the store (dialled at its stored addresses), or a \
            multiaddr with /p2p or an ENR (merged into the store and dialled at the address given). \
            With --protocol, success means a stream of that protocol opened. Prints one row per \
            peer: connected or failed, and why. Exits with status 1 when a dial \
            failed, and FAILED_PRECONDITION when no host is attached.

            Example: peerctl connect /ip4/1.2.3.4/tcp/60000/p2p/16Uiu2HAm... --timeout 10
            Example: peerctl connect 16Uiu2HAm... --protocol /vac/waku/store-query/3.0.0
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Peer ids, multiaddrs with /p2p, or ENRs.") var peers: [String]
    @Option(help: "Seconds per dial (default: peerd's --dial-timeout).") var timeout: Double?
    @Option(help: "Dial for this protocol: connect and open a stream of it (nwaku dialPeer(peer, proto)).")
    var `protocol`: String?

    func validate() throws {
        if peers.isEmpty { throw ValidationError("name at least one peer") }
        if let timeout, !(timeout >= 0.01 && timeout <= 3600) {
            throw ValidationError("--timeout must be 0.01 to 3600 seconds")
        }
    }

    func run() async throws {
        let request = PeerManagerV1.ConnectRequest(
            peers: peers, timeoutMs: timeout.map { UInt64(($0 * 1000).rounded()) } ?? 0, protocol: self.protocol ?? "")
        // The call lasts as long as the slowest dial: its deadline is the dial timeout and a margin.
        let deadline = timeout.map { Duration.milliseconds(Int64(($0 * 1000).rounded())) + .seconds(30) }
        let response = try await withPeerd(connection) {
            try await $0.peerManager.connect(request, options: CallOptions(timeout: deadline))
        }
        let wide = output.wide
        try Output.show(
            output, json: { ["outcomes": response.outcomes.map(WireJSON.connectOutcome)] },
            human: { HumanViews.connectOutcomes(response.outcomes, wide: wide).render() })
        if response.outcomes.contains(where: { !$0.connected }) { throw ExitCode.failure }
    }
}
