import PeerCore
import PeerTrace

/// The host trace's hook points that take more than one line (the others call
/// ``HostTraceRecorder/record(_:at:)`` where they are). All run under the engine lock, so records
/// keep the engine's order; none does I/O.
extension EngineRuntime {
    /// Commands as they go to the host's outbox (not those dropped with no host attached: the
    /// trace holds what the host was asked to do).
    func traceCommands(_ commands: [IssuedCommand], at now: EngineTime) {
        guard let hostTrace else { return }
        for command in commands { hostTrace.record(.command(command), at: now) }
    }

    /// A session attached with its hello; its snapshot follows as events.
    func traceAttach(_ session: HostSession, _ hello: HostHello, at now: EngineTime) {
        hostTrace?.record(
            .session(
                .attached(
                    id: session.id, selfID: hello.selfID, clusterID: hello.clusterID, shards: hello.shards,
                    online: hello.online, takeOver: hello.takeOver)),
            at: now)
    }
}
