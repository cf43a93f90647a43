import ArgumentParser
import PeerServer
import PeerWire
import PeerdPaths
import TTRPCServer

#if canImport(Glibc)
    import Glibc
#endif

struct SocketOptions: ParsableArguments {
    @Option(
        name: .customLong("socket"),
        help: ArgumentHelp(
            "The Unix socket to listen on.",
            discussion: """
                Default: /run/peerd/peerd.sock for root; $XDG_RUNTIME_DIR/peerd/peerd.sock for other \
                users, or /tmp/peerd-<uid>/peerd.sock when XDG_RUNTIME_DIR is unset. Its directory is \
                created 0700, the socket is 0600. A stale socket file is replaced; a path served by \
                a running peerd is refused.
                """,
            valueName: "path"))
    var path: String?

    @Option(
        name: .customLong("allow-uid"),
        help: ArgumentHelp(
            "Also accept clients running as this user id (repeatable; 0 to 4294967294).",
            discussion: """
                Clients are checked with SO_PEERCRED; by default only peerd's own uid may connect. \
                With --allow-uid the socket is made 0666 and its directory 0711, and the uid check \
                is the gate.
                """,
            valueName: "uid"))
    var allowUID: [UInt32] = []

    /// Real user ids: 4294967295 is (uid_t)-1, "no user" to chown and setreuid.
    static let uidRange: ClosedRange<UInt32> = 0...(UInt32.max - 1)

    /// Every flag out of its range, named with the rule.
    func problems() -> [String] {
        var problems: [String] = []
        let path = resolvedPath
        if path.isEmpty { problems.append("--socket: must not be empty") }
        if path.utf8.count > UnixSocketPath.maxLength {
            problems.append(
                "--socket: must be at most \(UnixSocketPath.maxLength) bytes, the sun_path limit "
                    + "(actual: \(path.utf8.count) bytes)")
        }
        problems += allowUID.compactMap { FlagBounds.count("--allow-uid", $0, in: Self.uidRange) }
        return problems
    }

    var resolvedPath: String {
        path ?? DefaultPaths.socket(environment: Self.environment())
    }

    private static func environment() -> [String: String] {
        var environment: [String: String] = [:]
        if let value = getenv("XDG_RUNTIME_DIR") { environment["XDG_RUNTIME_DIR"] = String(cString: value) }
        return environment
    }
}
