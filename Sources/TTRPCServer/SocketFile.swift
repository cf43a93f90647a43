import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// Why the socket could not be set up.
public struct SocketFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
}

/// The socket file's lifecycle: a private directory, a lock that keeps two servers off one path,
/// stale-socket replacement, permissions after bind, and removal at shutdown.
final class SocketFile: Sendable {
    let path: String
    private let lockPath: String
    private let lockFD: Int32

    /// Takes the lock for `path` and clears a stale socket left by a server that died.
    ///
    /// - Parameter serverName: names the server in the error when another one holds the lock.
    /// - Throws: `SocketFileError` when another server serves `path`, when `path` exists and is
    ///   not a socket, or when the directory cannot be created.
    init(path: String, sharedWithOtherUsers: Bool, serverName: String) throws {
        self.path = path
        self.lockPath = path + ".lock"
        try Self.makeDirectory(parentOf: path, mode: sharedWithOtherUsers ? 0o711 : 0o700)

        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SocketFileError(description: "cannot open lock file \(lockPath): \(Self.errno())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SocketFileError(description: "another \(serverName) is serving \(path) (lock \(lockPath) is held)")
        }
        self.lockFD = fd

        do {
            try Self.removeStaleSocket(at: path)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Runs `bind` with a umask that creates the socket file with its final mode, so that no
    /// client ever finds it listening with the default mode (0755 under the usual umask) before
    /// ``restrictPermissions(sharedWithOtherUsers:)``. The umask is process-wide: it is set only
    /// for the bind, at startup, and the previous one is restored.
    func withCreationMode<Result>(
        sharedWithOtherUsers: Bool, _ bind: () async throws -> Result
    ) async throws -> Result {
        let previous = umask(sharedWithOtherUsers ? 0o111 : 0o177)
        defer { umask(previous) }
        return try await bind()
    }

    /// Sets the socket's mode once it is bound: 0600, or 0666 when other users are allowed in (the
    /// SO_PEERCRED check is then the gate).
    func restrictPermissions(sharedWithOtherUsers: Bool) throws {
        guard chmod(path, sharedWithOtherUsers ? 0o666 : 0o600) == 0 else {
            throw SocketFileError(description: "cannot chmod \(path): \(Self.errno())")
        }
    }

    /// Removes the socket and the lock file, then releases the lock.
    func remove() {
        unlink(path)
        unlink(lockPath)
        close(lockFD)
    }

    private static func removeStaleSocket(at path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SocketFileError(description: "\(path) exists and is not a socket; refusing to replace it")
        }
        // We hold the lock, but a server started without one (an older build, another tool) may
        // still be listening: refuse to steal its path if it answers.
        if isAcceptingConnections(path) {
            throw SocketFileError(description: "a process is already listening on \(path)")
        }
        guard unlink(path) == 0 else { throw SocketFileError(description: "cannot remove stale \(path): \(errno())") }
    }

    private static func isAcceptingConnections(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return UnixSocketPath.connect(fd, to: path) == 0
    }

    private static func makeDirectory(parentOf path: String, mode: mode_t) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var info = stat()
        if stat(directory, &info) == 0 { return }
        try makeDirectory(parentOf: directory, mode: 0o755)
        guard mkdir(directory, mode) == 0 || Glibc.errno == EEXIST else {
            throw SocketFileError(description: "cannot create directory \(directory): \(errno())")
        }
    }

    private static func errno() -> String { String(cString: strerror(Glibc.errno)) }
}
