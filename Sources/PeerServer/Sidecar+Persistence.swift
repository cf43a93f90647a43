import Logging
import PeerCore
import PeerIdentity
import PeerStorage

/// How peerd keeps its books on disk.
public struct PersistenceConfiguration: Sendable {
    /// Never-connected peers first stored longer ago than this are deleted at start and by a pass
    /// every prune interval while running, so the file stays bounded by the peers worth keeping
    /// (connected ones stay until pruned or removed).
    public static let defaultExpiry: Duration = .seconds(7 * 24 * 3600)

    public var file: PeerStoreFile
    public var expiry: Duration
    /// An nwaku `peers.db` merged into the store at start.
    public var importNwakuPath: String?
    /// Called with `waku_peers_errors`' type and a count ("storage_load_failure" for skipped
    /// rows, "storage_failure" for failed writes).
    public var onError: @Sendable (_ type: String, _ count: Int) -> Void
    /// Called with the count of never-connected peers expired, at load and by each pass while
    /// running (`peerd_store_expired_peers_total`): the log says when, the counter how many.
    public var onExpired: @Sendable (_ count: Int) -> Void

    public init(
        file: PeerStoreFile, expiry: Duration = Self.defaultExpiry, importNwakuPath: String? = nil,
        onError: @escaping @Sendable (_ type: String, _ count: Int) -> Void = { _, _ in },
        onExpired: @escaping @Sendable (_ count: Int) -> Void = { _ in }
    ) {
        self.file = file
        self.expiry = expiry
        self.importNwakuPath = importNwakuPath
        self.onError = onError
        self.onExpired = onExpired
    }
}

extension Sidecar {
    /// Loads the file (and an nwaku file to import) into the engine, before anything runs: the
    /// peers come back as Cache, relay peers are redialled after the reconnect backoff.
    ///
    /// - Throws: ``PeerStorageError`` for a file that cannot be read or written.
    static func load(
        _ persistence: PersistenceConfiguration, into engine: inout PeerEngine, now: EngineTime, logger: Logger
    ) throws -> PeerStoreWriter {
        let file = persistence.file
        let loaded = try file.load(now: now, expiry: persistence.expiry)
        var records = loaded.snapshot.peers
        if loaded.expired > 0 { persistence.onExpired(loaded.expired) }
        var batch = PeerStoreFile.Batch()
        if loaded.skipped > 0 {
            persistence.onError("storage_load_failure", loaded.skipped)
            logger.warning(
                "peer store rows skipped: cannot be decoded",
                metadata: [
                    "store.path": "\(file.path)", "store.skipped": "\(loaded.skipped)",
                    "error": "\(loaded.skippedReasons.joined(separator: "; "))",
                ])
        }
        if let nwakuPath = persistence.importNwakuPath {
            let imported = try NwakuPeerImport.read(path: nwakuPath)
            let known = Set(records.map(\.id))
            let fresh = imported.peers.filter { !known.contains($0.id) }
            records += fresh
            batch.upserts = fresh
            if imported.skipped > 0 { persistence.onError("storage_load_failure", imported.skipped) }
            logger.info(
                "nwaku peers imported",
                metadata: [
                    "import.path": "\(nwakuPath)", "import.peers": "\(fresh.count)",
                    "import.already_known": "\(imported.peers.count - fresh.count)",
                    "import.skipped": "\(imported.skipped)",
                    "error": "\(imported.skippedReasons.joined(separator: "; "))",
                ])
        }
        let actions = engine.importSnapshot(PeerSnapshot(peers: records), now: now)
        for (protocolID, peer) in loaded.serviceSlots where engine.store.contains(peer) {
            _ = engine.addServicePeer(PeerInfo(id: peer), protocolID: protocolID, now: now)
        }
        // A snapshot over the capacity was trimmed at once: those peers leave the file too.
        let removed = Set(actions.peerChanges.filter { $0.kind == .removed }.map(\.peer))
        batch.deletes = Array(removed)
        batch.upserts.removeAll { removed.contains($0.id) }
        if !batch.isEmpty { try file.write(batch, now: now) }
        logger.info(
            "peer store loaded",
            metadata: [
                "store.path": "\(file.path)", "store.peers": "\(engine.store.count)",
                "store.skipped": "\(loaded.skipped)", "store.expired": "\(loaded.expired)",
                "store.service_slots": "\(loaded.serviceSlots.count)",
            ])
        return PeerStoreWriter(
            file: file, logger: logger, expiry: persistence.expiry,
            onFailure: { persistence.onError("storage_failure", 1) }, onExpired: persistence.onExpired)
    }
}
