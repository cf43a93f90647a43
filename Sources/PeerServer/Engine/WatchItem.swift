import PeerCore

/// One Watch event in the engine's terms, stamped with the engine's time.
///
/// Queued for the watchers under the engine lock (so every watcher sees the engine's order) and
/// encoded by the Watch service after it, so the lock never holds wire work.
enum WatchItem: Sendable, Hashable {
    case decision(Decision, at: EngineTime)
    case peerChange(PeerChange, at: EngineTime)
    case connectionStatus(ConnectionStatus, previous: ConnectionStatus, at: EngineTime)
}
