/// Why the peer store file could not be used.
public struct PeerStorageError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The file (or its directory) could not be created or opened.
        case unavailable
        /// The file is not a peer store SQLite can read (corrupt, truncated, another format), or
        /// its schema is newer than this peerd knows.
        case unreadable
        /// A write failed (read-only file, full disk); the change was not stored.
        case writeFailed
        /// An nwaku `peers.db` to import cannot be read (missing, not SQLite, no `Peer` table).
        case importFailed
        /// Another process (a second peerd) holds the file's lock.
        case locked
    }

    public var kind: Kind
    public var path: String
    public var reason: String

    public init(_ kind: Kind, path: String, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .unavailable:
            "cannot open the peer store \(path): \(reason). Check the file and its directory (peerd needs to "
                + "write both), choose another file with --peer-store-path, or run from memory with --no-persistence"
        case .unreadable:
            "the peer store \(path) cannot be read: \(reason). Start peerd with --peer-store-reset to move it aside "
                + "and start with an empty store, or --no-persistence to run from memory"
        case .locked:
            "the peer store \(path) is in use: \(reason). Two peerds cannot share one store; stop the other one, "
                + "or give this one its own file with --peer-store-path (or --no-persistence)"
        case .writeFailed: "cannot write the peer store \(path): \(reason)"
        case .importFailed: "cannot import the nwaku peer store \(path) (--import-nwaku-db): \(reason)"
        }
    }
}
