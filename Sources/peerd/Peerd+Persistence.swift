import ArgumentParser
import Logging
import PeerMetrics
import PeerServer
import PeerStorage
import PeerWire

extension Peerd {
    /// Opens the peer store file (nil with `--no-persistence`). A file that cannot be read stops
    /// peerd with a message naming `--peer-store-reset`; with it, the file is moved aside. A file
    /// another peerd holds stops this one with a message naming it and `--peer-store-path`.
    func openPeerStore(logger: Logger, metrics: PeerMetrics) throws -> PersistenceConfiguration? {
        guard !persistence.noPersistence else {
            logger.info("persistence off: the peer store lives in memory only")
            return nil
        }
        do {
            let (file, movedAside) = try PeerStoreFile.open(
                path: persistence.resolvedPath, reset: persistence.reset, exclusive: true)
            if let movedAside {
                logger.warning(
                    "unreadable peer store moved aside; starting empty",
                    metadata: ["store.path": "\(file.path)", "store.moved_to": "\(movedAside)"])
            }
            return PersistenceConfiguration(
                file: file, expiry: persistence.expiryDuration, importNwakuPath: persistence.importNwakuPath,
                onError: { type, count in metrics.recordPeersError(type: type, count: count) },
                onExpired: { count in metrics.recordExpiredPeers(count) })
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// The sidecar, with the peer store loaded into it.
    func makeSidecar(
        logger: Logger, metrics peerMetrics: PeerMetrics, persistence: PersistenceConfiguration?,
        hostTrace: HostTraceRecorder?
    ) throws -> Sidecar {
        do {
            return try Sidecar(
                server: serverConfiguration(), engine: storeLimits.apply(to: engine.configuration),
                version: Self.version, metricsAddress: metrics.endpoint == nil ? "" : metrics.metricsAddress,
                sessionTimeout: engine.hostSessionTimeoutDuration, limits: sessionLimits.limits,
                persistence: persistence, hostTrace: hostTrace, logger: logger,
                observers: [{ decisions, _ in peerMetrics.record(decisions) }],
                observeCall: { method, code, duration in
                    peerMetrics.recordCall(method: method, code: code.description, duration: duration)
                })
        } catch let error as PeerStorageError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
