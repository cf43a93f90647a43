import ArgumentParser
import PeerServer
import PeerdPaths

#if canImport(Glibc)
    import Glibc
#endif

/// Where the peer store file is, and what to do with it at start.
struct PersistenceOptions: ParsableArguments {
    @Option(
        name: .customLong("peer-store-path"),
        help: ArgumentHelp(
            "The peer store file (SQLite, WAL mode).",
            discussion: """
                Default: /var/lib/peerd/peers.db for root; $XDG_STATE_HOME/peerd/peers.db for other \
                users, else ~/.local/state/peerd/peers.db. A missing directory is created 0700, the \
                file 0600.
                """,
            valueName: "path"))
    var path: String?

    @Flag(name: .customLong("no-persistence"), help: "Keep the peer store in memory only (nothing is read or written).")
    var noPersistence = false

    @Flag(
        name: .customLong("peer-store-reset"),
        help: "If the peer store file cannot be read, move it aside (<path>.unreadable-<time>) and start empty.")
    var reset = false

    @Option(
        name: .customLong("import-nwaku-db"),
        help: ArgumentHelp(
            "Merge an nwaku peers.db into the peer store at start (rows that cannot be decoded are skipped).",
            valueName: "path"))
    var importNwakuPath: String?

    @Option(
        name: .customLong("peer-store-expiry"),
        help: ArgumentHelp(
            "Never-connected peers stored longer ago than this are deleted, at start and every prune interval "
                + "\(FlagBounds.help(Self.expiryRange)).",
            valueName: "seconds"))
    var expiry: Double = Double(PersistenceConfiguration.defaultExpiry.components.seconds)

    /// From one minute to ten years.
    static let expiryRange: ClosedRange<Duration> = .seconds(60) ... .seconds(10 * 365 * 24 * 3600)

    func problems() -> [String] {
        var problems: [String] = []
        if let problem = FlagBounds.seconds("--peer-store-expiry", expiry, in: Self.expiryRange) {
            problems.append(problem)
        }
        if noPersistence, path != nil || reset || importNwakuPath != nil {
            problems.append(
                "--no-persistence: cannot be combined with --peer-store-path, --peer-store-reset or --import-nwaku-db")
        }
        if let path, path.isEmpty { problems.append("--peer-store-path: must not be empty") }
        return problems
    }

    var resolvedPath: String {
        path ?? DefaultPaths.peerStore(environment: Self.environment())
    }

    var expiryDuration: Duration { FlagBounds.duration(seconds: expiry) }

    private static func environment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["XDG_STATE_HOME", "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }
}
