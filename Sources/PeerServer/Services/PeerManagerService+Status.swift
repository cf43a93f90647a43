import PeerCore
import PeerWire
import TTRPCServer

/// GetStatistics, GetConfiguration and Watch.
extension PeerManagerService {
    func registerStatus(in router: inout RPCRouter) {
        router.inline(PeerManagerV1.PeerManager.getStatistics) { _, _ in
            let attached = runtime.hostAttached
            return runtime.read { engine, now, _ in
                PeerManagerV1.Statistics(engine.statistics(now: now), hostAttached: attached)
            }
        }
        router.inline(PeerManagerV1.PeerManager.getConfiguration) { _, _ in
            runtime.read { engine, _, _ in
                // Validation keeps every setting within UInt32 (EngineConfiguration.Bounds); the
                // clamps only make that visible here.
                let configuration = engine.configuration
                return PeerManagerV1.Configuration(
                    maxConnections: UInt32(clamping: configuration.maxConnections),
                    relayServiceRatio: configuration.relayServiceRatio,
                    peerStoreCapacity: UInt32(clamping: configuration.effectiveCapacity),
                    ipColocationLimit: UInt32(clamping: configuration.colocationLimit),
                    clusterID: configuration.clusterID.map(UInt32.init),
                    shards: configuration.shards.map(UInt32.init),
                    relayShardManager: configuration.shardedPeerManagement,
                    dialTimeoutMs: configuration.dialTimeout.milliseconds,
                    initialBackoffMs: configuration.initialBackoff.milliseconds,
                    backoffFactor: UInt32(clamping: configuration.backoffFactor),
                    maxFailedAttempts: UInt32(clamping: configuration.maxFailedAttempts),
                    pruneIntervalMs: configuration.pruneInterval.milliseconds,
                    socketPath: settings.socketPath,
                    metricsAddress: settings.metricsAddress)
            }
        }
        router.serverStreaming(PeerManagerV1.PeerManager.watch) { request, _, writer in
            let both = !request.decisions && !request.peerEvents
            let watch = try runtime.watch(decisions: both || request.decisions, peerEvents: both || request.peerEvents)
            defer { runtime.endWatch(watch) }
            // Everything queued since the last write goes out in one write: a burst of events
            // costs one turn of the event loop, not one per event.
            while let events = try await watch.queue.next() { try await writer.write(contentsOf: events) }
        }
    }
}
