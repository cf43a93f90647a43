import ArgumentParser
import Foundation
import PeerdPaths

/// `--socket`, shared by every command that talks to a running peerd. The root command declares
/// it too: ArgumentParser hands an option group the root decoded to the subcommand, so
/// `peerctl --socket X peers list` and `peerctl peers list --socket X` mean the same.
struct ConnectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "peerd's socket (default: $PEERD_SOCKET, else the same default path as peerd's).", valueName: "path"))
    var socket: String?

    var socketPath: String {
        Self.socketPath(flag: socket, environment: ProcessInfo.processInfo.environment)
    }

    /// The flag, else `PEERD_SOCKET` (when not empty), else peerd's default for this user.
    static func socketPath(flag: String?, environment: [String: String], uid: UInt32 = getuid()) -> String {
        if let flag { return flag }
        if let variable = environment["PEERD_SOCKET"], !variable.isEmpty { return variable }
        return DefaultPaths.socket(uid: uid, environment: environment)
    }
}

/// `--json` and `--wide`, for every command that prints peerd's answers.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (stable snake_case field names, as in the .proto) instead of a table.")
    var json = false

    @Flag(help: "Print peer ids whole in tables.")
    var wide = false
}
