import ArgumentParser
import PeerServer

/// Recording the host trace: what the host reports, the peers added and the commands issued,
/// with times, for `peerd-sim replay` (SIMULATION.md, "Record and replay").
struct TraceOptions: ParsableArguments {
    @Option(
        name: .customLong("record-host-trace"),
        help: ArgumentHelp(
            "Record the host trace to this file (JSON Lines; created or truncated at start).",
            discussion: """
                Every host event peerd applies, every AddPeer, every command sent to the host and every \
                host attach and detach, with milliseconds since the start, for `peerd-sim replay`. \
                Written off the engine lock, flushed every 100 ms and at shutdown; if the writer falls \
                behind, records are dropped, counted (peerd_trace_records_dropped_total) and marked \
                with a gap record.
                """,
            valueName: "path"))
    var path: String?

    @Option(
        name: .customLong("record-host-trace-max-bytes"),
        help: ArgumentHelp(
            "Stop recording the host trace at this size; the file stays a valid trace "
                + "\(FlagBounds.help(Self.maxBytesRange)).",
            valueName: "bytes"))
    var maxBytes: Int = HostTraceRecorder.defaultMaxBytes

    /// From 4 KiB (a header and a few records) to 1 TiB.
    static let maxBytesRange: ClosedRange<Int> = 4096...(1 << 40)

    func problems() -> [String] {
        var problems: [String] = []
        if let problem = FlagBounds.count("--record-host-trace-max-bytes", maxBytes, in: Self.maxBytesRange) {
            problems.append(problem)
        }
        if let path, path.isEmpty { problems.append("--record-host-trace: must not be empty") }
        return problems
    }
}
