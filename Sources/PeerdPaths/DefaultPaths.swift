#if canImport(Glibc)
    import Glibc
#endif

/// Where peerd keeps its files when no flag says otherwise. peerd, peerctl and the clients read
/// these, so a client finds the socket a default peerd serves.
public enum DefaultPaths {
    /// The default socket path for a user:
    /// - root: `/run/peerd/peerd.sock` (the system's runtime directory);
    /// - others: `$XDG_RUNTIME_DIR/peerd/peerd.sock` when that is set (systemd's per-user runtime
    ///   directory), else `/tmp/peerd-<uid>/peerd.sock`.
    public static func socket(uid: UInt32 = getuid(), environment: [String: String]) -> String {
        if uid == 0 { return "/run/peerd/peerd.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return "\(runtime)/peerd/peerd.sock"
        }
        return "/tmp/peerd-\(uid)/peerd.sock"
    }

    /// The default peer store file for a user (state that outlives a reboot, unlike the socket):
    /// - root: `/var/lib/peerd/peers.db`;
    /// - others: `$XDG_STATE_HOME/peerd/peers.db` when that is set, else
    ///   `$HOME/.local/state/peerd/peers.db` (the XDG default), else `/tmp/peerd-<uid>/peers.db`.
    public static func peerStore(uid: UInt32 = getuid(), environment: [String: String]) -> String {
        if uid == 0 { return "/var/lib/peerd/peers.db" }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return "\(state)/peerd/peers.db"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return "\(home)/.local/state/peerd/peers.db"
        }
        return "/tmp/peerd-\(uid)/peers.db"
    }
}
