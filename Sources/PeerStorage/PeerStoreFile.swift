import Foundation
import GRDB
import PeerCore
import PeerIdentity

/// The peer store on disk: one SQLite file in WAL mode, written in transactions.
///
/// A write returns once its transaction is committed to the WAL, which the kernel keeps when the
/// process dies (kill -9); `synchronous = NORMAL` does not wait for the disk itself, so power
/// loss can lose the last transactions (out of scope, documented in the README).
public final class PeerStoreFile: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// Held for as long as this store lives when opened `exclusive` (peerd); nil for readers.
    let lock: PeerStoreLock?

    /// Opens (or creates) the file: the directory is created 0700, the file 0600.
    ///
    /// - Parameter reset: a file that cannot be read is moved aside (`<path>.unreadable-<time>`)
    ///   and an empty one created in its place.
    /// - Parameter exclusive: take ``PeerStoreLock`` first and hold it while the store lives, so
    ///   a second peerd on the same file is refused (readers such as tests open without it).
    /// - Returns: the store, and where an unreadable file was moved, if it was.
    /// - Throws: ``PeerStorageError`` `.unreadable` for a corrupt file without `reset`,
    ///   `.unavailable` when the file cannot be created, `.locked` when another peerd holds it.
    public static func open(path: String, reset: Bool = false, exclusive: Bool = false) throws(PeerStorageError) -> (
        store: PeerStoreFile, movedAside: String?
    ) {
        // Locked first: a second peerd must neither migrate nor move aside a file in use.
        let lock = exclusive ? try PeerStoreLock.acquire(storePath: path) : nil
        try createFile(path)
        do {
            return (try PeerStoreFile(path: path, lock: lock), nil)
        } catch let error where error.kind == .unreadable && reset {
            let aside = "\(path).unreadable-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                guard rename(path + suffix, aside + suffix) == 0 else {
                    throw PeerStorageError(.unavailable, path: path, reason: "cannot move it aside: \(errnoText())")
                }
            }
            try createFile(path)
            return (try PeerStoreFile(path: path, lock: lock), aside)
        }
    }

    private init(path: String, lock: PeerStoreLock?) throws(PeerStorageError) {
        self.path = path
        self.lock = lock
        var configuration = Configuration()
        configuration.label = "peerd.peer-store"
        // Another process (a second peerd, an operator's sqlite3) may hold the lock briefly.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL: a reader never blocks the writer; NORMAL: a commit reaches the WAL (kept on a
            // process crash) without waiting for fsync.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode?.lowercased() == "wal" else {
                    throw PeerStorageError(.unreadable, path: path, reason: "WAL mode refused (\(mode ?? "none"))")
                }
                // Checked before migrating: a file of another schema must not be altered.
                _ = try Int.fetchOne(db, sql: "PRAGMA quick_check")
            }
            let migrator = PeerStoreSchema.migrator
            try queue.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw PeerStorageError(.unreadable, path: path, reason: "written by a newer peerd (unknown schema)")
                }
            }
            try migrator.migrate(queue)
            self.queue = queue
        } catch let error as PeerStorageError {
            throw error
        } catch let error as DatabaseError {
            let kind: PeerStorageError.Kind =
                switch error.resultCode {
                case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: .unavailable
                default: .unreadable
                }
            throw PeerStorageError(kind, path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw PeerStorageError(.unreadable, path: path, reason: "\(error)")
        }
    }

    /// Creates the directory (0700) and the file (0600) if missing; an existing directory or file
    /// keeps its mode (the operator's choice).
    private static func createFile(_ path: String) throws(PeerStorageError) {
        try createDirectory(for: path)
        let descriptor = Foundation.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        // A read-only file still opens for reading; writes then fail and are reported.
        if errno == EACCES || errno == EROFS, access(path, R_OK) == 0 { return }
        throw PeerStorageError(.unavailable, path: path, reason: errnoText())
    }

    /// Creates the directory of `path` (0700) if missing.
    static func createDirectory(for path: String) throws(PeerStorageError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw PeerStorageError(.unavailable, path: path, reason: "cannot create \(directory): \(error)")
            }
        }
    }

    // MARK: - Loading

    /// What a load found.
    public struct Loaded: Sendable {
        public var snapshot: PeerSnapshot
        /// Service slots in order: (protocol, peer), only for peers that were loaded.
        public var serviceSlots: [(protocolID: String, peer: PeerID)]
        /// Rows that could not be decoded (skipped), with the first reasons.
        public var skipped: Int
        public var skippedReasons: [String]
        /// Never-connected peers deleted for being older than the expiry age.
        public var expired: Int
    }

    /// Deletes peers never connected and first stored more than `expiry` before `now`, then
    /// reads every row; a row that cannot be decoded is skipped and counted, not fatal.
    public func load(now: EngineTime, expiry: Duration) throws(PeerStorageError) -> Loaded {
        do {
            return try queue.write { db in
                let cutoff = (now - expiry).secondsSinceEpoch
                try db.execute(sql: "DELETE FROM peer WHERE connected = 0 AND stored_at < ?", arguments: [cutoff])
                let expired = db.changesCount
                try db.execute(sql: "DELETE FROM service_slot WHERE peer_id NOT IN (SELECT peer_id FROM peer)")
                var peers: [PeerRecord] = []
                var skipped = 0
                var reasons: [String] = []
                let rows = try Row.fetchCursor(db, sql: "SELECT peer_id, record FROM peer")
                while let row = try rows.next() {
                    do {
                        let id = try row.withUnsafeData(atIndex: 0) { data in
                            guard let data else { throw RowDecodingError("a NULL peer id") }
                            return try PeerID(validatingMultihash: [UInt8](data))
                        }
                        // Decoded in place, from SQLite's buffer.
                        peers.append(
                            try row.withUnsafeData(atIndex: 1) { data in
                                guard let data else { throw RowDecodingError("a NULL record") }
                                return try withBytes(data) { (buffer) throws(RowDecodingError) in
                                    try PeerRow.decode(id: id, buffer)
                                }
                            })
                    } catch {
                        skipped += 1
                        if reasons.count < 5 { reasons.append("\(error)") }
                    }
                }
                var slots: [(String, PeerID)] = []
                let slotRows = try Row.fetchAll(
                    db, sql: "SELECT protocol, peer_id FROM service_slot ORDER BY protocol, position")
                // Only when there are slots: hashing 100k ids for none was 8% of a load (perf).
                let known = slotRows.isEmpty ? [] : Set(peers.map(\.id))
                for row in slotRows {
                    guard let protocolID = row[0] as String?, let bytes = row[1] as Data?,
                        let peer = try? PeerID(validatingMultihash: [UInt8](bytes)), known.contains(peer)
                    else { continue }
                    slots.append((protocolID, peer))
                }
                return Loaded(
                    snapshot: PeerSnapshot(peers: peers), serviceSlots: slots, skipped: skipped,
                    skippedReasons: reasons, expired: expired)
            }
        } catch let error as DatabaseError {
            throw PeerStorageError(.unreadable, path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw PeerStorageError(.unreadable, path: path, reason: "\(error)")
        }
    }

    // MARK: - Writing

    /// Changes to store in one transaction.
    public struct Batch: Sendable {
        /// Peers to insert or replace, whole.
        public var upserts: [PeerRecord] = []
        /// Peers to delete (and their service slots).
        public var deletes: [PeerID] = []
        /// The service slots, all of them, when they changed.
        public var serviceSlots: [(protocolID: String, peers: [PeerID])]?

        public init(
            upserts: [PeerRecord] = [], deletes: [PeerID] = [],
            serviceSlots: [(protocolID: String, peers: [PeerID])]? = nil
        ) {
            self.upserts = upserts
            self.deletes = deletes
            self.serviceSlots = serviceSlots
        }

        public var isEmpty: Bool { upserts.isEmpty && deletes.isEmpty && serviceSlots == nil }
    }

    /// Commits `batch` in one transaction, blocking the calling thread.
    public func write(_ batch: Batch, now: EngineTime) throws(PeerStorageError) {
        do {
            try queue.write { db in try Self.apply(batch, now: now, in: db) }
        } catch {
            throw writeError(error)
        }
    }

    /// Commits `batch` in one transaction on the database's own queue, off the caller's thread.
    public func write(_ batch: Batch, now: EngineTime) async throws(PeerStorageError) {
        do {
            try await queue.write { db in try Self.apply(batch, now: now, in: db) }
        } catch {
            throw writeError(error)
        }
    }

    /// Runs `body` on the database's queue, then commits `body`'s batch: the batch is taken on
    /// that queue, so batches taken in order commit in order, and a batch never overtakes an
    /// older state of the same peer.
    ///
    /// - Parameter restore: called on the queue when the transaction fails, before the next
    ///   write takes its batch: what this batch took must be pending again by then, or a caller
    ///   whose change it held would find nothing to commit and hear OK for a change not stored.
    public func write(
        now: EngineTime, taking body: @escaping @Sendable () -> Batch,
        restoringOnFailure restore: @escaping @Sendable () -> Void
    ) async throws(PeerStorageError) {
        do {
            try await queue.writeWithoutTransaction { db in
                let batch = body()
                do {
                    try db.inTransaction {
                        try Self.apply(batch, now: now, in: db)
                        return .commit
                    }
                } catch {
                    restore()
                    throw error
                }
            }
        } catch {
            throw writeError(error)
        }
    }

    private func writeError(_ error: any Error) -> PeerStorageError {
        if let error = error as? DatabaseError {
            return PeerStorageError(.writeFailed, path: path, reason: error.message ?? "\(error.resultCode)")
        }
        return PeerStorageError(.writeFailed, path: path, reason: "\(error)")
    }

    static func apply(_ batch: Batch, now: EngineTime, in db: Database) throws {
        if !batch.upserts.isEmpty {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO peer (peer_id, record, stored_at, connected) VALUES (?, ?, ?, ?)
                    ON CONFLICT (peer_id) DO UPDATE SET record = excluded.record,
                        connected = connected OR excluded.connected
                    """)
            let seconds = now.secondsSinceEpoch
            for record in batch.upserts {
                try upsert.execute(arguments: [
                    Data(record.id.multihash), Data(PeerRow.encode(record)), seconds, everConnected(record),
                ])
            }
        }
        if !batch.deletes.isEmpty {
            let delete = try db.cachedStatement(sql: "DELETE FROM peer WHERE peer_id = ?")
            let deleteSlots = try db.cachedStatement(sql: "DELETE FROM service_slot WHERE peer_id = ?")
            for id in batch.deletes {
                try delete.execute(arguments: [Data(id.multihash)])
                try deleteSlots.execute(arguments: [Data(id.multihash)])
            }
        }
        if let slots = batch.serviceSlots {
            try db.execute(sql: "DELETE FROM service_slot")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO service_slot (protocol, position, peer_id) VALUES (?, ?, ?)")
            for (protocolID, peers) in slots {
                for (position, peer) in peers.enumerated() {
                    try insert.execute(arguments: [protocolID, position, Data(peer.multihash)])
                }
            }
        }
    }

    /// Whether a peer was ever connected, as far as its books tell: such a peer never expires
    /// (it stays until pruned or removed).
    public static func everConnected(_ record: PeerRecord) -> Bool {
        record.connectedness == .connected || record.connectedness == .canConnect || record.disconnectTime != nil
    }

    /// The peers never connected and first stored before `cutoff`, read on the database's queue
    /// (the expiry pass while peerd runs; the caller decides and deletes through the engine).
    public func neverConnected(storedBefore cutoff: EngineTime) async throws(PeerStorageError) -> [PeerID] {
        do {
            return try await queue.read { db in
                var peers: [PeerID] = []
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT peer_id FROM peer WHERE connected = 0 AND stored_at < ?",
                    arguments: [cutoff.secondsSinceEpoch])
                while let row = try rows.next() {
                    // A key that is no peer id is skipped here as the load skips it.
                    if let bytes = row[0] as Data?, let id = try? PeerID(validatingMultihash: [UInt8](bytes)) {
                        peers.append(id)
                    }
                }
                return peers
            }
        } catch {
            throw PeerStorageError(.unreadable, path: path, reason: "\(error)")
        }
    }

    /// The number of peer rows.
    public func count() throws(PeerStorageError) -> Int {
        do {
            return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM peer") ?? 0 }
        } catch {
            throw PeerStorageError(.unreadable, path: path, reason: "\(error)")
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
