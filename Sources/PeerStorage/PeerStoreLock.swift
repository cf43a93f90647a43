import Foundation

/// An exclusive claim on a peer store file, held by one peerd for its whole life: `flock` on
/// `<path>.lock` beside the file, with the holder's pid written in it for the message a second
/// peerd prints.
///
/// Why a lock file rather than SQLite's `locking_mode = EXCLUSIVE`: in WAL mode the exclusive
/// mode drops the shared-memory index, so no other connection can read the file while peerd
/// runs (the tests, an operator's `sqlite3`); `flock` keeps readers working and refuses only a
/// second writer. The kernel drops the lock with the last descriptor, so a peerd killed with
/// SIGKILL leaves no stale lock (a pid file would); the lock file itself stays and is reused.
public final class PeerStoreLock: Sendable {
    /// The lock file, `<store path>.lock`.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock for the store at `storePath` without waiting (creating the directory 0700
    /// and the lock file 0600 if missing).
    ///
    /// - Throws: ``PeerStorageError`` `.locked` when another process holds it (naming its pid
    ///   when it wrote one), `.unavailable` when the lock file cannot be opened.
    public static func acquire(storePath: String) throws(PeerStorageError) -> PeerStoreLock {
        try PeerStoreFile.createDirectory(for: storePath)
        let path = storePath + ".lock"
        var descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == EACCES || errno == EROFS {
            // A read-only lock file still takes a lock (flock needs no write access).
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            throw PeerStorageError(
                .unavailable, path: storePath, reason: "cannot open the lock file \(path): \(errnoText())")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let cause = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            guard cause == EWOULDBLOCK else {
                throw PeerStorageError(
                    .unavailable, path: storePath, reason: "cannot lock \(path): \(String(cString: strerror(cause)))")
            }
            throw PeerStorageError(
                .locked, path: storePath,
                reason: holder.map { "another peerd (pid \($0)) holds \(path)" } ?? "another process holds \(path)")
        }
        // Best effort: a read-only lock file still locks, it only cannot name its holder.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        return PeerStoreLock(path: path, descriptor: descriptor)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The pid the holder wrote, if it is one (a few bytes, parsed as a bounded integer).
    private static func holder(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    deinit { close(descriptor) }
}
