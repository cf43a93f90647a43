import NIOCore
import PeerCore
import PeerIdentity
import PeerWire

/// The host's side without a socket, for the libFuzzer targets in Fuzz/: wire host events are
/// decoded, converted to engine events and applied to the engine exactly as ReportEvents and
/// Attach do it.
@_spi(Fuzzing)
public enum HostEventFuzzing {
    /// Attaches a host with the first message (a hello, or a default one when it is none), then
    /// applies the other messages, in batches of `batch`, to `server`'s engine, and detaches.
    /// Malformed events and refused batches are skipped, as the services skip them.
    public static func apply(_ messages: [[UInt8]], batch: Int, to server: FuzzingServer) {
        let runtime = server.runtime
        var events = messages[...]
        var hello = PeerManagerV1.HostHello(
            peerID: "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ", online: true, takeOver: true)
        if let first = events.first,
            case .hello(let sent)? = (try? PeerManagerV1.HostEvent(wire: .init(bytes: first)))?.event
        {
            hello = sent
            events = events.dropFirst()
        }
        guard let parsed = try? HostHello(hello), let session = try? runtime.attachHost(parsed, mode: .unary) else {
            return
        }
        defer { runtime.detachHost(session, reason: .streamEnded) }
        var translated: [HostEvent] = []
        for message in events {
            if let wire = (try? PeerManagerV1.HostEvent(wire: .init(bytes: message)))?.event,
                let event = try? HostEvent(wire)
            {
                translated.append(event)
            }
            if translated.count >= max(1, batch) {
                _ = try? runtime.apply(translated, from: session)
                translated.removeAll(keepingCapacity: true)
            }
        }
        _ = try? runtime.apply(translated, from: session)
    }
}
