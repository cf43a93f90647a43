import Foundation
import PeerCore
import PeerIdentity

/// Why a trace could not be read: the 1-based line and what was wrong with it.
public struct TraceDecodingError: Error, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "trace line \(line): \(message)" }
}

/// Reads a trace. A trace is input from elsewhere (a file someone sends to replay), so reading it
/// is bounded: a line longer than ``Options/maxLineBytes`` is refused before it is parsed, each
/// line is parsed once (linear time), numbers that do not fit their field are errors rather than
/// traps, times must not go back, and a version newer than ``TraceHeader/currentVersion`` is
/// refused rather than half understood.
public struct TraceDecoder {
    /// The default longest line: 1 MiB. The longest record peerd writes is an identify or an
    /// AddPeer at the engine's per-peer limits (addresses, protocols), a few tens of KiB.
    public static let defaultMaxLineBytes = 1 << 20

    public struct Options: Sendable, Hashable {
        public var maxLineBytes: Int
        /// Skip records of a `kind` this version does not know (counted in
        /// ``HostTrace/skippedUnknown``) instead of refusing the trace.
        public var skipUnknownKinds: Bool

        public init(maxLineBytes: Int = TraceDecoder.defaultMaxLineBytes, skipUnknownKinds: Bool = false) {
            self.maxLineBytes = maxLineBytes
            self.skipUnknownKinds = skipUnknownKinds
        }
    }

    public var options: Options
    private let json = JSONDecoder()

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Decodes a whole trace: the header line, then one record per line. A final newline is
    /// optional; an empty line elsewhere is an error.
    public func decode(_ bytes: [UInt8]) throws(TraceDecodingError) -> HostTrace {
        var trace: HostTrace?
        var number = 0
        var start = 0
        var lastMilliseconds: Int64 = 0
        while start < bytes.count {
            number += 1
            // The line's end, never looking further than the bound.
            let limit = min(bytes.count, start + options.maxLineBytes + 1)
            var end = start
            while end < limit, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            guard end - start <= options.maxLineBytes else {
                throw TraceDecodingError(line: number, message: "longer than \(options.maxLineBytes) bytes")
            }
            let line = bytes[start..<end]
            start = end + 1
            guard !line.isEmpty else { throw TraceDecodingError(line: number, message: "empty line") }
            guard var decoded = trace else {
                trace = HostTrace(header: try header(line, number: number))
                continue
            }
            guard let entry = try entry(line, number: number) else {
                decoded.skippedUnknown += 1
                trace = decoded
                continue
            }
            guard entry.milliseconds >= lastMilliseconds else {
                throw TraceDecodingError(
                    line: number, message: "t_ms \(entry.milliseconds) is before the previous \(lastMilliseconds)")
            }
            lastMilliseconds = entry.milliseconds
            trace = nil  // Keeps the entries array uniquely referenced while appending.
            decoded.entries.append(entry)
            trace = decoded
        }
        guard let trace else { throw TraceDecodingError(line: 1, message: "no header: the trace is empty") }
        return trace
    }

    /// Decodes a header line.
    public func header(_ line: ArraySlice<UInt8>, number: Int = 1) throws(TraceDecodingError) -> TraceHeader {
        let fields = try fields(line, number: number)
        guard fields.trace == TraceHeader.traceName else {
            throw TraceDecodingError(
                line: number, message: "not a peerd host trace (trace is not \"\(TraceHeader.traceName)\")")
        }
        guard let version = fields.version, version >= 1 else {
            throw TraceDecodingError(line: number, message: "version: missing or below 1")
        }
        guard version <= TraceHeader.currentVersion else {
            throw TraceDecodingError(
                line: number,
                message: "version \(version) is newer than this peerd reads (\(TraceHeader.currentVersion))")
        }
        guard let text = fields.started, let started = TraceTimestamp.parse(text) else {
            throw TraceDecodingError(line: number, message: "started: missing or not ISO 8601 UTC")
        }
        guard let maxConnections = fields.maxConnections, maxConnections >= 0 else {
            throw TraceDecodingError(line: number, message: "max_connections: missing or negative")
        }
        do throws(TraceFieldError) {
            return TraceHeader(
                version: version, started: started,
                selfID: try fields.selfID.map { text throws(TraceFieldError) in try TraceLine.peerID(text, "self") },
                clusterID: fields.cluster, shards: fields.shards ?? [], maxConnections: maxConnections)
        } catch {
            throw TraceDecodingError(line: number, message: error.message)
        }
    }

    /// Decodes a record line; nil for a kind this version does not know when skipping them.
    public func entry(_ line: ArraySlice<UInt8>, number: Int) throws(TraceDecodingError) -> TraceEntry? {
        let fields = try fields(line, number: number)
        do throws(TraceFieldError) {
            guard let milliseconds = fields.tMs, milliseconds >= 0 else {
                throw TraceFieldError("t_ms: missing or negative")
            }
            guard let record = try fields.record() else {
                if options.skipUnknownKinds { return nil }
                throw TraceFieldError("kind: unknown kind \"\(fields.kind ?? "")\"")
            }
            return TraceEntry(milliseconds: milliseconds, record: record)
        } catch {
            throw TraceDecodingError(line: number, message: error.message)
        }
    }

    private func fields(_ line: ArraySlice<UInt8>, number: Int) throws(TraceDecodingError) -> TraceLine {
        guard line.count <= options.maxLineBytes else {
            throw TraceDecodingError(line: number, message: "longer than \(options.maxLineBytes) bytes")
        }
        do {
            return try json.decode(TraceLine.self, from: Data(line))
        } catch {
            throw TraceDecodingError(line: number, message: "not a trace record: \(Self.describe(error))")
        }
    }

    /// A decoding error in one line, without Foundation's coding-path noise.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
