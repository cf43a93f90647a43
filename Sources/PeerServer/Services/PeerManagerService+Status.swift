import PeerCore
import PeerWire
import TTRPCServer

/// GetStatistics, GetConfiguration and Watch.
extension PeerManagerService {
    func registerStatus(in router: inout RPCRouter) {
        router.inline(PeerManagerV1.PeerManager.getStatistics) { _, _ in
            let attached = runtime.hostAttached
            let statistics = runtime.read { engine, now, _ in engine.statistics(now: now) }
            return PeerManagerV1.Statistics(statistics, hostAttached: attached)
        }
        router.inline(PeerManagerV1.PeerManager.getConfiguration) { _, _ in
            let (configuration, floor) = runtime.read { engine, _, _ in (engine.configuration, engine.coverageFloor) }
            // Validation keeps every setting within UInt32 (EngineConfiguration.Bounds); the
            // clamps only make that visible here.
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
                metricsAddress: settings.metricsAddress,
                dialOversubscriptionPercent: UInt32(clamping: configuration.dialOversubscriptionPercent),
                shardCoverageFloor: UInt32(clamping: floor), reasonCooldowns: configuration.reasonCooldowns,
                discoveryRequestIntervalMs: configuration.discoveryRequestInterval?.milliseconds ?? 0,
                dialSpread: configuration.dialSpread, hostTracePath: runtime.hostTrace?.path ?? "")
        }
        router.serverStreaming(PeerManagerV1.PeerManager.watch) { request, _, writer in
            // Nothing asked for: decisions and peer events. Connection-status changes only when
            // asked for: a client that predates them never gets an event it cannot read.
            let both = !request.decisions && !request.peerEvents && !request.connectionStatus
            let watch = try runtime.watch(
                decisions: both || request.decisions, peerEvents: both || request.peerEvents,
                connectionStatus: request.connectionStatus)
            defer { runtime.endWatch(watch) }
            // Everything queued since the last write goes out in one write: a burst of events
            // costs one turn of the event loop, not one per event.
            // Encoded here, after the engine lock that queued them.
            while let items = try await watch.queue.next() {
                try await writer.write(contentsOf: items.map { $0.encoded() })
            }
        }
    }
}
