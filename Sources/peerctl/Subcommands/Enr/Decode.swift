import ArgumentParser
import PeerIdentity

extension EnrCommand {
    /// `peerctl enr decode <enr>`.
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode and verify an ENR, printing its fields as JSON.",
            discussion: """
                The record must be `enr:` followed by unpadded base64url. It is checked strictly: at most \
                300 bytes, canonical RLP, keys sorted and unique, identity scheme v4, and a low-S secp256k1 \
                signature. The output holds seq, node_id, peer_id, every field (ip/tcp/udp, ip6/tcp6/udp6, \
                waku2 capabilities, rs/rsv shards, multiaddrs, others as hex), the protocols implied by \
                waku2 and the derived dial addresses.

                An invalid record prints {"valid": false, "reason": "..."} and exits with status 1.
                """)

        @Argument(help: "The record, e.g. enr:-QESuED0qW1B...")
        var enr: String

        func run() throws {
            do {
                try JSONOutput.print(ENRReport.json(try ENR(enr)))
            } catch let error as ENRError {
                try JSONOutput.invalid(reason: error.description, extra: ["kind": error.kind.rawValue])
            }
        }
    }
}
