#if canImport(Glibc)
    import Glibc
#endif

/// Where peerd's socket lives by default.
public enum SocketPath {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    public static let maxLength = 107

    /// The default socket path for a user:
    /// - root: `/run/peerd/peerd.sock` (the system's runtime directory);
    /// - others: `$XDG_RUNTIME_DIR/peerd/peerd.sock` when that is set (systemd's per-user runtime
    ///   directory), else `/tmp/peerd-<uid>/peerd.sock`.
    public static func defaultPath(uid: UInt32 = getuid(), environment: [String: String]) -> String {
        if uid == 0 { return "/run/peerd/peerd.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return "\(runtime)/peerd/peerd.sock"
        }
        return "/tmp/peerd-\(uid)/peerd.sock"
    }
}
