import Dispatch
import Foundation
import Logging
import PeerCore
import PeerTrace
import Synchronization

/// Records the host trace (`--record-host-trace`): what the host reported, what was added and
/// what peerd commanded, with the engine times, as JSON Lines (PeerTrace's format).
///
/// Two halves so the engine lock never waits for a disk: ``record(_:at:)`` is called under the
/// engine lock and only appends a value to a bounded queue (its own short lock); a writer on a
/// dispatch queue of its own takes the queue every ``flushInterval``, encodes and writes it. If
/// the writer falls behind and the queue is full, records are dropped and counted, and a `gap`
/// record marks the place. At ``maxBytes`` recording stops (logged once): only whole lines are
/// ever written, so the file stays a valid trace.
public final class HostTraceRecorder: Sendable {
    /// The default size limit: 256 MiB.
    public static let defaultMaxBytes = 256 << 20
    /// The default queue bound (records waiting for the writer): 65 536, a few MiB of values.
    public static let defaultQueueLimit = 65_536
    public static let flushInterval: Duration = .milliseconds(100)

    public let path: String
    public let maxBytes: Int
    public let queueLimit: Int

    private struct Pending {
        var entries: [TraceEntry] = []
        /// Records dropped since the last one queued (a gap record is owed).
        var droppedSinceQueued: UInt64 = 0
        var droppedTotal: UInt64 = 0
        var lastMilliseconds: Int64 = 0
        /// The size limit was reached: nothing more is queued.
        var stopped = false
    }

    private struct Output {
        var handle: FileHandle?
        var encoder = TraceEncoder()
        var written: Int
    }

    private let started: EngineTime
    private let pending = Mutex(Pending())
    private let output: Mutex<Output>
    private let queue = DispatchQueue(label: "peerd.host-trace")
    private let closed = Atomic<Bool>(false)
    private let logger: Logger

    /// Creates (truncates) the file at `path` and writes the header.
    ///
    /// - Throws: when the file cannot be created or written, or the header alone exceeds
    ///   `maxBytes`.
    public init(
        path: String, header: TraceHeader, maxBytes: Int = HostTraceRecorder.defaultMaxBytes,
        queueLimit: Int = HostTraceRecorder.defaultQueueLimit, logger: Logger
    ) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.queueLimit = max(2, queueLimit)
        self.started = header.started
        self.logger = logger
        let line = try TraceEncoder().line(header)
        guard line.count <= maxBytes else { throw HostTraceError.headerTooLarge(maxBytes) }
        guard FileManager.default.createFile(atPath: path, contents: Data(line)) else {
            throw HostTraceError.cannotCreate(path)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw HostTraceError.cannotCreate(path) }
        _ = try handle.seekToEnd()
        output = Mutex(Output(handle: handle, written: line.count))
        scheduleFlush()
    }

    /// The writer's tick: a flush every ``flushInterval`` on the writer's queue until closed.
    private func scheduleFlush() {
        let interval = DispatchTimeInterval.milliseconds(Int(TraceEntry.milliseconds(Self.flushInterval)))
        queue.asyncAfter(deadline: .now() + interval) { [weak self] in
            guard let self, !self.closed.load(ordering: .acquiring) else { return }
            self.flush()
            self.scheduleFlush()
        }
    }

    /// Records dropped because the writer fell behind (`peerd_trace_records_dropped_total`).
    public var droppedRecords: UInt64 { pending.withLock { $0.droppedTotal } }

    /// Queues a record made at `now`. Cheap (a value appended under a short lock); called under
    /// the engine lock so records keep the engine's order.
    public func record(_ record: TraceRecord, at now: EngineTime) {
        let elapsed = TraceEntry.milliseconds(now - started)
        pending.withLock { pending in
            guard !pending.stopped else { return }
            // Engine times never go back, but the trace's start was read from the clock before the
            // engine's first turn: never before 0, never before the previous record.
            let milliseconds = max(pending.lastMilliseconds, elapsed)
            let needed = pending.droppedSinceQueued > 0 ? 2 : 1
            guard pending.entries.count + needed <= queueLimit else {
                pending.droppedSinceQueued += 1
                pending.droppedTotal += 1
                return
            }
            if pending.droppedSinceQueued > 0 {
                pending.entries.append(
                    TraceEntry(milliseconds: milliseconds, record: .gap(dropped: pending.droppedSinceQueued)))
                pending.droppedSinceQueued = 0
            }
            pending.entries.append(TraceEntry(milliseconds: milliseconds, record: record))
            pending.lastMilliseconds = milliseconds
        }
    }

    /// Writes what is queued now, on the caller's thread (the writer's queue calls it every
    /// ``flushInterval``; ``close()`` once more).
    private func flush() {
        let entries = pending.withLock { pending in
            let taken = pending.entries
            pending.entries.removeAll(keepingCapacity: true)
            return taken
        }
        guard !entries.isEmpty else { return }
        let stopped: (bytes: Int, reason: String)? = output.withLock { output in
            guard let handle = output.handle else { return nil }
            var bytes: [UInt8] = []
            var reason: String?
            for entry in entries {
                guard let line = try? output.encoder.line(entry) else { continue }
                guard output.written + bytes.count + line.count <= maxBytes else {
                    reason = "size limit reached"
                    break
                }
                bytes += line
            }
            do {
                try handle.write(contentsOf: bytes)
                output.written += bytes.count
            } catch {
                reason = "write failed: \(error)"
            }
            guard let reason else { return nil }
            // Only whole lines were written: what is in the file stays a valid trace.
            try? handle.close()
            output.handle = nil
            return (output.written, reason)
        }
        if let stopped {
            pending.withLock {
                $0.stopped = true
                $0.entries.removeAll()
            }
            logger.warning(
                "host trace stopped",
                metadata: [
                    "trace.path": "\(path)", "trace.reason": "\(stopped.reason)", "trace.bytes": "\(stopped.bytes)",
                    "trace.max_bytes": "\(maxBytes)",
                ])
        }
    }

    /// Writes everything queued and closes the file (at shutdown); later records are ignored.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.sync { flush() }
        pending.withLock { $0.stopped = true }
        output.withLock { output in
            try? output.handle?.close()
            output.handle = nil
        }
    }
}

public enum HostTraceError: Error, CustomStringConvertible {
    case cannotCreate(String)
    case headerTooLarge(Int)

    public var description: String {
        switch self {
        case .cannotCreate(let path): "cannot create the host trace file \(path)"
        case .headerTooLarge(let limit): "the host trace header alone exceeds \(limit) bytes"
        }
    }
}
