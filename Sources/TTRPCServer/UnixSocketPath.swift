#if canImport(Glibc)
    import Glibc
#endif

/// The POSIX side of a Unix socket path: its length limit and connect(2).
public enum UnixSocketPath {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    public static let maxLength = 107

    /// Connects `fd` to the Unix socket at `path`; returns 0 or -1 with `errno` set, like
    /// connect(2). A path longer than `sun_path` fails with ENAMETOOLONG.
    public static func connect(_ fd: Int32, to path: String) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
