import ArgumentParser
import PeerClient
import PeerWire

struct Protect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Protect a peer from pruning, eviction and policy disconnects (Protect).",
        discussion: """
            A tag belongs to the connection that set it, and peerd releases it when that \
            connection closes: so without --hold the protection ends when peerctl exits (useful to \
            check the limits). With --hold, peerctl keeps the connection, and the tag, until \
            interrupted (Ctrl-C). NOT_FOUND for a peer not in the store; RESOURCE_EXHAUSTED over \
            the tag limits.

            Example: peerctl protect 16Uiu2HAm... maintenance --hold
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String
    @Argument(help: "The tag, e.g. store-request (at most 64 bytes by default).") var tag: String
    @Flag(help: "Keep the tag until interrupted.") var hold = false

    func run() async throws {
        let request = PeerManagerV1.ProtectRequest(peerID: peerID, tag: tag)
        let (output, hold, peerID) = (self.output, self.hold, self.peerID)
        try await withPeerd(connection) { peerd in
            let response = try await peerd.peerManager.protect(request, options: .peerctl)
            try Output.show(
                output, json: { ["peer_id": peerID, "is_protected": response.isProtected] },
                human: {
                    "\(peerID) is \(response.isProtected ? "" : "not ")protected"
                        + (hold ? "; holding the tag until interrupted\n" : "\n")
                })
            guard hold else { return }
            // Until SIGINT or SIGTERM ends the process, which closes the connection.
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

struct Unprotect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Release a protection tag (Unprotect).",
        discussion: """
            Any connection may release a tag. Prints whether the peer is still protected (by \
            other tags or other holders).

            Example: peerctl unprotect 16Uiu2HAm... maintenance
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The peer id.") var peerID: String
    @Argument(help: "The tag.") var tag: String

    func run() async throws {
        let request = PeerManagerV1.ProtectRequest(peerID: peerID, tag: tag)
        let response = try await withPeerd(connection) {
            try await $0.peerManager.unprotect(request, options: .peerctl)
        }
        try Output.show(
            output, json: { ["peer_id": peerID, "is_protected": response.isProtected] },
            human: { "\(peerID) is \(response.isProtected ? "still" : "not") protected\n" })
    }
}
