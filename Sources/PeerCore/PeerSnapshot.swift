import PeerIdentity

/// The persistent books as values, for the persistence layer to save and load.
///
/// Export carries every peer with all its books. Import restores peers with Cache semantics:
/// origin `.cache`, connectedness reset to NotConnected (CannotConnect kept, so an unreachable
/// peer is not redialled), direction unknown, failures and times kept; then the reconnection of
/// persisted relay peers is scheduled after ``EngineConfiguration/reconnectBackoff``.
public struct PeerSnapshot: Sendable, Hashable {
    public var peers: [PeerRecord]

    public init(peers: [PeerRecord]) { self.peers = peers }
}

extension PeerEngine {
    /// Every peer in the books, sorted by id so that exports are stable. Peers deleted while
    /// connected (whose record only waits for their last connection to close) are left out.
    public func exportSnapshot() -> PeerSnapshot {
        var records = store.records()
        if !rejected.isEmpty { records.removeAll { rejected.contains($0.id) } }
        return PeerSnapshot(peers: records.sorted { $0.id < $1.id })
    }

    /// One peer as it is to be persisted, or nil when it is not in the books (or was deleted
    /// while connected and only waits for its last connection to close): the storage deletes it.
    public func persistableRecord(_ id: PeerID) -> PeerRecord? {
        if !rejected.isEmpty, rejected.contains(id) { return nil }
        return store.record(id)
    }

    /// Loads persisted peers. Our own id and peers already known are skipped (live information
    /// wins over storage).
    @discardableResult
    public mutating func importSnapshot(_ snapshot: PeerSnapshot, now: EngineTime) -> [EngineAction] {
        var imported = 0
        // One allocation for the books instead of a rehash every doubling (100k peers at start).
        store.reserveCapacity(store.count + min(snapshot.peers.count, store.capacity))
        for record in snapshot.peers where record.id != selfID && !store.contains(record.id) {
            store.restore(record)
            imported += 1
        }
        var actions: [EngineAction] = [
            .decision(
                Decision(
                    .snapshotImported, current: store.count, chosen: imported, available: snapshot.peers.count,
                    detail: "imported \(imported) of \(snapshot.peers.count) persisted peers as cache"))
        ]
        // Capacity holds at insert: a snapshot larger than the room left is trimmed at once by
        // the pruning rules (failed and shardless peers go first), not at the next prune.
        if store.count > store.capacity {
            var rng = evictionRandom
            actions.append(.decision(evict(store.count - store.capacity, using: &rng)))
            evictionRandom = rng
        }
        if imported > 0 { actions += scheduleReconnect(now: now) }
        flushPeerChanges(into: &actions)
        return actions
    }
}
