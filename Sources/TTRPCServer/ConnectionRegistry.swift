import NIOCore
import Synchronization

/// The open connections and the calls in flight across them, so shutdown can drain and close.
///
/// Each connection gets a ``ClientConnection`` (an id and close hooks) when it is added; removing
/// it (the channel went inactive) runs the hooks, e.g. releasing the protection tags it set.
@_spi(Fuzzing)
public final class ConnectionRegistry: Sendable {
    struct Entry: Sendable {
        var channel: any Channel
        /// Hops to the connection's event loop and stops it accepting new calls.
        var beginDraining: @Sendable () -> Void
        var connection: ClientConnection
    }

    private struct State {
        var connections: [ObjectIdentifier: Entry] = [:]
        var activeCalls = 0
        var draining = false
        var nextConnectionID: UInt64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    @discardableResult
    func add(_ channel: any Channel, beginDraining: @escaping @Sendable () -> Void) -> ClientConnection {
        let (connection, drainNow) = state.withLock { state in
            let connection = ClientConnection(id: state.nextConnectionID)
            state.nextConnectionID += 1
            state.connections[ObjectIdentifier(channel)] = Entry(
                channel: channel, beginDraining: beginDraining, connection: connection)
            return (connection, state.draining)
        }
        if drainNow { beginDraining() }
        return connection
    }

    /// Forgets the connection and runs its close hooks.
    func remove(_ channel: any Channel) {
        let entry = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        entry?.connection.close()
    }

    /// The connection of `channel`; a closed one (whose hooks run at once) if it is not registered.
    func connection(of channel: (any Channel)?) -> ClientConnection {
        state.withLock { state in
            if let channel, let entry = state.connections[ObjectIdentifier(channel)] { return entry.connection }
            let closed = ClientConnection(id: state.nextConnectionID)
            state.nextConnectionID += 1
            closed.close()
            return closed
        }
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
