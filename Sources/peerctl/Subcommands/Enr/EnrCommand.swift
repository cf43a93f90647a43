import ArgumentParser

/// `peerctl enr ...`: Ethereum Node Records.
struct EnrCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enr",
        abstract: "Work with Ethereum Node Records (EIP-778) carrying Waku fields.",
        subcommands: [Decode.self])
}
