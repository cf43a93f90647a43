import Synchronization

/// One client connection as handlers see it: an id unique for the server's life, and work to
/// run when the connection closes.
///
/// State a client sets on the server's behalf (protection tags) belongs to its connection, so a
/// client that dies mid-way cannot leave it behind: the handler registers a release with
/// ``onClose(_:_:)`` and the ``ConnectionRegistry`` runs it when the connection goes.
public final class ClientConnection: Sendable {
    /// Unique for the server's life; never 0 (0 is the engine's own protection owner).
    public let id: UInt64

    private struct State {
        var closed = false
        var onClose: [String: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    init(id: UInt64) { self.id = id }

    /// Runs `body` once when the connection closes, or at once if it already has. One body per
    /// `key`: registering the same key again keeps the first (a release registered on every
    /// Protect call is registered once).
    public func onClose(_ key: String, _ body: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.closed { return true }
            if state.onClose[key] == nil { state.onClose[key] = body }
            return false
        }
        if runNow { body() }
    }

    /// Whether the connection has closed.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Marks the connection closed and runs what was registered (outside the lock).
    func close() {
        let bodies = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.onClose.removeAll() }
            return Array(state.onClose.values)
        }
        for body in bodies { body() }
    }
}
