import Foundation
import PeerCore
import PeerIdentity

/// Writes a trace's lines: JSON objects with sorted keys, each ending in a newline.
///
/// Not thread-safe: one writer owns one encoder.
public struct TraceEncoder {
    private let json: JSONEncoder

    public init() {
        json = JSONEncoder()
        // Sorted keys: the same record is the same bytes (fixtures, diffs); unescaped slashes keep
        // multiaddrs readable.
        json.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The header line.
    public func line(_ header: TraceHeader) throws -> [UInt8] {
        var line = TraceLine()
        line.trace = TraceHeader.traceName
        line.version = header.version
        line.started = TraceTimestamp.format(header.started)
        line.selfID = header.selfID?.description
        line.cluster = header.clusterID
        line.shards = header.shards
        line.maxConnections = header.maxConnections
        return try encode(line)
    }

    /// A record's line.
    public func line(_ entry: TraceEntry) throws -> [UInt8] {
        try encode(TraceLine(entry))
    }

    /// A whole trace, header first.
    public func encode(_ trace: HostTrace) throws -> [UInt8] {
        var bytes = try line(trace.header)
        for entry in trace.entries { bytes += try line(entry) }
        return bytes
    }

    private func encode(_ line: TraceLine) throws -> [UInt8] {
        var bytes = [UInt8](try json.encode(line))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
