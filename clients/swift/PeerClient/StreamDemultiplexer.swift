import NIOCore
import PeerWire

/// Where the frames of one open stream go.
enum StreamReceiver {
    /// A unary call: its Response envelope, once. Unsafe rather than checked (which allocates a
    /// canary per call): the demultiplexer removes a stream before it resumes its call, so each
    /// continuation is resumed exactly once.
    case unary(UnsafeContinuation<ResponseEnvelope, any Error>)
    /// A streaming call: each Data frame's payload, then the end (OK or an error).
    case stream(PayloadProducer.Source)

    /// Ends the call with `error`.
    func fail(_ error: any Error) {
        switch self {
        case .unary(let continuation): continuation.resume(throwing: error)
        case .stream(let source): source.finish(error)
        }
    }

    /// Ends the call with peerd's Response.
    func finish(with envelope: ResponseEnvelope) {
        switch self {
        case .unary(let continuation):
            continuation.resume(returning: envelope)
        case .stream(let source):
            if envelope.code == .ok {
                source.finish()
            } else {
                source.finish(PeerdClientError(code: envelope.code, message: envelope.message))
            }
        }
    }
}

/// A call's link between the caller's task and the event loop: its stream id once the loop has
/// opened it, or that the caller cancelled it before (a task cancelled early cancels before the
/// loop runs the start).
struct CallState: Sendable {
    var streamID: UInt32 = 0
    var cancelled = false
}

typealias CallBox = NIOLoopBoundBox<CallState>

/// The client side of one ttrpc connection, on its event loop: opens streams with increasing
/// odd ids, routes peerd's frames to the calls by stream id, sends Cancel frames, runs the
/// deadlines.
///
/// Writes are batched: a burst of calls started in the same event-loop turn goes out in one
/// flush (one `writev`), which is what lets 64 calls in flight cost far less than 64 syscalls.
/// Reading pauses while a stream's consumer is behind (its high watermark), as peerd's own server
/// does: the other streams on the connection wait too.
final class StreamDemultiplexer: ChannelDuplexHandler {
    typealias InboundIn = FrameDecoder.Output
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct OpenStream {
        var receiver: StreamReceiver
        var timer: Scheduled<Void>?
    }

    /// A call not sent yet: at the concurrency limit, calls wait in order.
    private struct WaitingStream {
        var call: CallBox
        var frame: ByteBuffer
        var flags: FrameFlags
        var receiver: StreamReceiver
        var timer: Scheduled<Void>?
    }

    /// ttrpc's stream ids are odd and increase; the largest is 2^32 - 1.
    static let lastStreamID = UInt32.max

    private let socketPath: String
    private let maxConcurrentStreams: Int
    private var streams: [UInt32: OpenStream] = [:]
    private var cancelledStreams: Set<UInt32> = []
    private var waiting = CircularBuffer<WaitingStream>()
    private var nextStreamID: UInt32 = 1
    private var context: ChannelHandlerContext?
    private var active = true
    private var flushScheduled = false
    private var pausedStreams: Set<UInt32> = []
    private var readPending = false

    init(socketPath: String, maxConcurrentStreams: Int) {
        self.socketPath = socketPath
        self.maxConcurrentStreams = max(1, maxConcurrentStreams)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(PeerdClientError.connectionLost(socketPath))
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(PeerdClientError.connectionLost(socketPath))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A socket error ends the connection; the calls on it fail as it closes.
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if pausedStreams.isEmpty {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .frame(let frame):
            route(frame)
        case .oversized(let header):
            defer { openWaiting() }
            // A Response is the stream's last frame: nothing is left to cancel.
            end(
                header.streamID,
                with: PeerdClientError(
                    code: .resourceExhausted,
                    message: "peerd sent a frame of \(header.length) bytes, over the client's maximum"),
                cancelReason: header.type == .response ? nil : "reply too large")
        }
    }

    private func route(_ frame: Frame) {
        switch frame.type {
        case .response:
            defer { openWaiting() }
            guard let open = streams.removeValue(forKey: frame.streamID) else {
                cancelledStreams.remove(frame.streamID)  // peerd's answer to our Cancel
                return
            }
            open.timer?.cancel()
            resumeReading(frame.streamID)
            do {
                open.receiver.finish(with: try ResponseEnvelopeReader.read(frame.payload))
            } catch {
                open.receiver.fail(
                    PeerdClientError(code: .internal, message: "undecodable Response envelope: \(error)"))
            }
        case .data:
            guard let open = streams[frame.streamID], case .stream(let source) = open.receiver,
                !frame.flags.contains(.noData)
            else { return }
            if source.yield(frame.payload) == .stopProducing {
                pausedStreams.insert(frame.streamID)
            }
        default:
            return  // ttrpc: unknown types are ignored
        }
    }

    /// Starts a call: `frame` holds 10 reserved bytes for the header, then the Request envelope.
    /// At the concurrency limit the call waits for a stream to end (as gRPC's calls wait for
    /// HTTP/2's MAX_CONCURRENT_STREAMS) rather than being refused by peerd.
    func start(
        _ call: CallBox, frame: ByteBuffer, flags: FrameFlags, timeout: Duration?, receiver: StreamReceiver
    ) {
        guard !call.value.cancelled else { return receiver.fail(PeerdClientError.cancelled) }
        guard active, let context else { return receiver.fail(PeerdClientError.connectionLost(socketPath)) }
        var timer: Scheduled<Void>?
        if let timeout {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
                self.expire(call, timeout)
            }
        }
        let stream = WaitingStream(call: call, frame: frame, flags: flags, receiver: receiver, timer: timer)
        if streamsCounted < maxConcurrentStreams && waiting.isEmpty {
            open(stream)
        } else {
            waiting.append(stream)
        }
    }

    /// Streams peerd counts against its limit: the open ones, and the cancelled ones until
    /// peerd's Response for them arrives.
    private var streamsCounted: Int { streams.count + cancelledStreams.count }

    private func open(_ stream: WaitingStream) {
        guard let context else { return stream.receiver.fail(PeerdClientError.connectionLost(socketPath)) }
        let id = nextStreamID
        guard id != 0 else {
            // Every id of this connection is used (after 2^31 calls): close it, the next call reconnects.
            stream.timer?.cancel()
            stream.receiver.fail(PeerdClientError(code: .unavailable, message: "stream ids exhausted; reconnecting"))
            context.close(promise: nil)
            return
        }
        nextStreamID = id == Self.lastStreamID ? 0 : id + 2
        stream.call.value.streamID = id
        streams[id] = OpenStream(receiver: stream.receiver, timer: stream.timer)
        write(
            stream.frame, header: FrameHeader(length: 0, streamID: id, type: .request, flags: stream.flags),
            promise: nil)
    }

    /// Opens waiting calls while there is room.
    private func openWaiting() {
        while streamsCounted < maxConcurrentStreams, let next = waiting.popFirst() {
            open(next)
        }
    }

    private func expire(_ call: CallBox, _ timeout: Duration) {
        let error = PeerdClientError.deadlineExceeded(timeout)
        if call.value.streamID != 0 {
            end(call.value.streamID, with: error, cancelReason: "deadline exceeded")
        } else if let index = waiting.firstIndex(where: { $0.call === call }) {
            waiting.remove(at: index).receiver.fail(error)
        }
    }

    /// Sends one Data frame on the call's stream (`frame`: 10 reserved bytes, then the message).
    func send(_ call: CallBox, frame: ByteBuffer, flags: FrameFlags, promise: EventLoopPromise<Void>) {
        let id = call.value.streamID
        guard active, context != nil else { return promise.fail(PeerdClientError.connectionLost(socketPath)) }
        guard id != 0, streams[id] != nil else {
            return promise.fail(PeerdClientError(code: .failedPrecondition, message: "the stream has ended"))
        }
        write(frame, header: FrameHeader(length: 0, streamID: id, type: .data, flags: flags), promise: promise)
    }

    /// The caller abandons the call: it ends with CANCELLED and peerd gets a Cancel frame.
    func cancel(_ call: CallBox, reason: String) {
        guard call.value.streamID != 0 else {
            // Not started yet (the start is still queued for the loop), or waiting for room.
            call.value.cancelled = true
            if let index = waiting.firstIndex(where: { $0.call === call }) {
                let stream = waiting.remove(at: index)
                stream.timer?.cancel()
                stream.receiver.fail(PeerdClientError.cancelled)
            }
            return
        }
        end(call.value.streamID, with: PeerdClientError.cancelled, cancelReason: reason)
    }

    /// The consumer of a paused stream caught up.
    func produceMore(_ call: CallBox) {
        resumeReading(call.value.streamID)
    }

    /// Ends a stream with `error`; with a `cancelReason`, peerd gets a Cancel frame (and the
    /// stream counts against the limit until peerd's Response for it arrives).
    private func end(_ id: UInt32, with error: PeerdClientError, cancelReason: String?) {
        guard let open = streams.removeValue(forKey: id) else { return }
        open.timer?.cancel()
        resumeReading(id)
        open.receiver.fail(error)
        guard let cancelReason, active, context != nil else { return }
        cancelledStreams.insert(id)
        var frame = ByteBuffer()
        frame.writeRepeatingByte(0, count: FrameHeader.size)  // the header, written once the stream id is known
        CancelMessage(reason: cancelReason).encode(into: &frame)
        write(frame, header: FrameHeader(length: 0, streamID: id, type: .cancel), promise: nil)
    }

    private func resumeReading(_ id: UInt32) {
        guard pausedStreams.remove(id) != nil, pausedStreams.isEmpty, readPending, let context else { return }
        readPending = false
        context.read()
    }

    /// Fills in the header (its length from the frame) and queues the frame; one flush per
    /// event-loop turn sends everything queued in the turn.
    private func write(_ frame: ByteBuffer, header: FrameHeader, promise: EventLoopPromise<Void>?) {
        guard let context else { return }
        var frame = frame
        var header = header
        header.length = UInt32(frame.readableBytes - FrameHeader.size)
        header.set(in: &frame, at: frame.readerIndex)
        context.write(wrapOutboundOut(frame), promise: promise)
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    private func failAll(_ error: PeerdClientError) {
        active = false
        let open = streams
        let waiting = waiting
        streams.removeAll()
        cancelledStreams.removeAll()
        pausedStreams.removeAll()
        self.waiting.removeAll()
        for stream in open.values {
            stream.timer?.cancel()
            stream.receiver.fail(error)
        }
        for stream in waiting {
            stream.timer?.cancel()
            stream.receiver.fail(error)
        }
    }
}

extension TimeAmount {
    /// A Duration as NIO's nanoseconds, saturating.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}

extension Duration {
    /// The whole nanoseconds, saturating at Int64's bounds (a Duration holds 128 bits).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (secondNanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = secondNanos.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
