import ArgumentParser
import Logging
import PeerCore
import PeerServer
import PeerTrace
import Prometheus
import Synchronization

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

/// `peerd_trace_records_dropped_total`: the recorder's own count, carried into the registry at
/// each scrape (the recorder counts under its lock and never calls out of it).
final class TraceDropCounter: Sendable {
    static let name = "peerd_trace_records_dropped_total"
    private let counter: Counter
    private let recorder: HostTraceRecorder
    private let reported = Mutex<UInt64>(0)

    init(registry: PrometheusCollectorRegistry, recorder: HostTraceRecorder) {
        counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                metricName: Self.name, unitName: "",
                helpText: "Host trace records dropped because the trace writer fell behind"))
        self.recorder = recorder
    }

    /// Adds the drops since the last scrape.
    func refresh() {
        let total = recorder.droppedRecords
        let added = reported.withLock { reported in
            defer { reported = max(reported, total) }
            return total > reported ? total - reported : 0
        }
        if added > 0 { counter.increment(by: Int64(clamping: added)) }
    }
}
