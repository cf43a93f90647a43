import NIOCore
import Synchronization

/// The open connections and the calls in flight across them, so shutdown can drain and close.
final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        var channel: any Channel
        /// Hops to the connection's event loop and stops it accepting new calls.
        var beginDraining: @Sendable () -> Void
    }

    private struct State {
        var connections: [ObjectIdentifier: Entry] = [:]
        var activeCalls = 0
        var draining = false
    }

    private let state = Mutex(State())

    func add(_ channel: any Channel, beginDraining: @escaping @Sendable () -> Void) {
        let drainNow = state.withLock { state in
            state.connections[ObjectIdentifier(channel)] = Entry(channel: channel, beginDraining: beginDraining)
            return state.draining
        }
        if drainNow { beginDraining() }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func callStarted() { state.withLock { $0.activeCalls += 1 } }
    func callEnded() { state.withLock { $0.activeCalls -= 1 } }

    var activeCalls: Int { state.withLock { $0.activeCalls } }

    /// Every connection refuses new calls (UNAVAILABLE) from now on.
    func drainAll() {
        let entries = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        for entry in entries { entry.beginDraining() }
    }

    /// Closes every connection; their calls in flight are cancelled.
    func closeAll() async {
        let channels = state.withLock { Array($0.connections.values.map(\.channel)) }
        for channel in channels { try? await channel.close() }
    }
}
