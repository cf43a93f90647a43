import ArgumentParser
import PeerIdentity

extension MultiaddrCommand {
    /// `peerctl multiaddr parse <text>`.
    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a multiaddr, printing its components, binary form and peer id as JSON.",
            discussion: """
                Accepts the text form (/ip4/1.2.3.4/tcp/60000/p2p/16Uiu2...) or, with --binary, the binary \
                form as hex. The output holds the canonical text, the binary form (hex), each component \
                (protocol, multicodec code, value), the trailing /p2p peer id, the first IP address and \
                whether peerd would accept the address as a peer to dial (TCP, optional tls/ws/wss, /p2p).

                An invalid multiaddr prints {"valid": false, "reason": "..."} and exits with status 1.
                """)

        @Argument(help: "The multiaddr, e.g. /dns4/node.example.org/tcp/443/wss/p2p/16Uiu2HAm...")
        var multiaddr: String

        @Flag(help: "Read the argument as the binary form, in hex.")
        var binary = false

        func run() throws {
            let parsed: Multiaddr
            do {
                parsed = try parse()
            } catch {
                try JSONOutput.invalid(reason: error.description, extra: ["part": error.part])
            }
            try JSONOutput.print(MultiaddrReport.json(parsed))
        }

        private func parse() throws(Multiaddr.ParseError) -> Multiaddr {
            guard binary else { return try Multiaddr(multiaddr) }
            guard let bytes = Hex.decode(multiaddr) else {
                throw Multiaddr.ParseError(part: multiaddr, reason: "--binary expects hex")
            }
            return try Multiaddr(bytes: bytes)
        }
    }
}
