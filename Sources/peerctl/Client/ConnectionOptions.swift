import ArgumentParser
import Foundation
import PeerWire
import PeerdPaths

/// `--socket`, shared by every command that talks to a running peerd.
struct ConnectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "peerd's socket (default: the same default path as peerd's).", valueName: "path"))
    var socket: String?

    var socketPath: String {
        socket ?? DefaultPaths.socket(uid: getuid(), environment: ProcessInfo.processInfo.environment)
    }

    func connect() throws -> PeerdConnection {
        try PeerdConnection(socketPath: socketPath)
    }
}

/// Runs a client command: an RPC error or a lost connection becomes one line on stderr and exit
/// status 1.
func runClient(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as RPCError {
        FileHandle.standardError.write(Data("peerctl: \(error)\n".utf8))
        throw ExitCode.failure
    } catch let error as PeerdConnection.ConnectError {
        FileHandle.standardError.write(Data("peerctl: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
