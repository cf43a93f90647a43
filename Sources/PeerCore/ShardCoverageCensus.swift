import PeerIdentity

/// What the engine knows about one subscribed shard at one instant: the simulator's census of
/// why a shard is below the floor reads it (issue 14), and an operator could.
public struct ShardCoverageCensus: Sendable, Equatable {
    /// Connected relay peers serving the shard, as the engine counts them (both directions, not
    /// being disconnected): a peer whose shards identify or metadata have not told yet is absent.
    public var connected: Int
    /// Dials in flight to stored peers serving the shard.
    public var dialling: Int
    /// Known relay peers serving the shard that may be dialled now.
    public var connectable: Int
    /// Known relay peers serving the shard, not connected and not being dialled, that may not be
    /// dialled now (backoff, a cool-down, the scheduled reconnect).
    public var waiting: Int

    public init(connected: Int = 0, dialling: Int = 0, connectable: Int = 0, waiting: Int = 0) {
        self.connected = connected
        self.dialling = dialling
        self.connectable = connectable
        self.waiting = waiting
    }
}

extension PeerEngine {
    /// The census of every subscribed shard (one pass over the store: for diagnosis, not the
    /// engine's hot path).
    public func shardCoverageCensus(now: EngineTime) -> [UInt16: ShardCoverageCensus] {
        var census: [UInt16: ShardCoverageCensus] = [:]
        for shard in configuration.shards { census[shard] = ShardCoverageCensus() }
        for (shard, count) in shardCoverageCounts() { census[shard]?.connected = count }
        for handle in store.handles.values {
            let entry = store.entry(handle)
            guard entry.connectedness != .connected, store.isKnownRelay(entry) else { continue }
            let shards = subscribedShards(of: handle)
            guard !shards.isEmpty else { continue }
            let dialled = dialing[entry.id] != nil
            let ready = !dialled && isConnectable(handle, now: now) && !awaitsReconnect(handle)
            for shard in shards {
                if dialled {
                    census[shard]?.dialling += 1
                } else if ready {
                    census[shard]?.connectable += 1
                } else {
                    census[shard]?.waiting += 1
                }
            }
        }
        return census
    }
}
