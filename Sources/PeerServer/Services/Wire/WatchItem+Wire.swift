import NIOCore
import PeerCore
import PeerIdentity
import PeerWire

extension WatchItem {
    /// The serialized `WatchEvent` a Watch stream writes for this item.
    func encoded() -> ByteBuffer {
        switch self {
        case .decision(let decision, let time):
            PeerManagerV1.WatchEvent(event: .decision(PeerManagerV1.Decision(decision, at: time))).encoded()
        case .peerChange(let change, let time):
            PeerManagerV1.WatchEvent(event: .peerEvent(PeerManagerV1.PeerEvent(change, at: time))).encoded()
        case .connectionStatus(let status, let previous, let time):
            PeerManagerV1.WatchEvent(
                event: .connectionStatus(
                    PeerManagerV1.ConnectionStatusEvent(
                        timeMs: time.unixMilliseconds, status: .init(status), previous: .init(previous)))
            ).encoded()
        }
    }
}

extension PeerManagerV1.PeerEvent {
    /// The Watch event for a change of the books.
    init(_ change: PeerChange, at time: EngineTime) {
        let kind: Kind =
            switch change.kind {
            case .added: .added
            case .removed: .removed
            case .connected: .connected
            case .disconnected: .disconnected
            }
        self.init(timeMs: time.unixMilliseconds, kind: kind, peerID: change.peer.description)
    }
}
