import PeerCore
import PeerIdentity
import PeerStorage

/// The seam between the runtime and the peer store file (``PeerStoreWriter``).
extension EngineRuntime {
    /// Commits the changes a client call made before it replies OK: kill -9 right after the reply
    /// loses nothing. Without persistence, returns at once.
    ///
    /// - Throws: ``PeerManagerError/notStored(_:)`` (UNAVAILABLE) when the write failed (the change stays in memory and is written when
    ///   the disk recovers, but the caller must not hear OK for what was not stored).
    func commitAcknowledged(_ peers: [PeerID], slots: Bool = false) async throws {
        guard let storeWriter else { return }
        storeWriter.mark(peers, slots: slots)
        do {
            try await storeWriter.commit(from: self)
        } catch {
            throw PeerManagerError.notStored(error.reason)
        }
    }
}
