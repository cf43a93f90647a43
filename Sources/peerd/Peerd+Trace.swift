import ArgumentParser
import Logging
import PeerCore
import PeerServer
import PeerTrace

extension Peerd {
    /// The host trace recorder (nil without `--record-host-trace`). A file that cannot be
    /// created stops peerd: the operator asked for a trace and would otherwise find none.
    func openHostTrace(logger: Logger) throws -> HostTraceRecorder? {
        guard let path = trace.path else { return nil }
        let configuration = storeLimits.apply(to: engine.configuration)
        let header = TraceHeader(
            started: WallClock().now(), clusterID: configuration.clusterID, shards: configuration.shards,
            maxConnections: configuration.maxConnections)
        do {
            let recorder = try HostTraceRecorder(path: path, header: header, maxBytes: trace.maxBytes, logger: logger)
            logger.info(
                "recording the host trace", metadata: ["trace.path": "\(path)", "trace.max_bytes": "\(trace.maxBytes)"])
            return recorder
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
