import ArgumentParser

/// `peerctl multiaddr ...`: libp2p multiaddrs.
struct MultiaddrCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multiaddr",
        abstract: "Work with libp2p multiaddrs.",
        subcommands: [Parse.self])
}
