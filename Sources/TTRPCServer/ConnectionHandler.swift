import Logging
import NIOCore
import PeerWire

/// One client connection: the ttrpc stream state machine and the dispatch of calls.
///
/// Runs on the connection's event loop. It cuts the socket's bytes into frames itself (a
/// ByteToMessageHandler in front cost a boxed, dynamically cast message per frame), enforces the
/// stream rules (odd, increasing ids; a cap on concurrent streams; bounded per-stream queues),
/// decodes envelopes, routes calls, runs deadlines and Cancel frames, and writes every stream's
/// single final Response. Errors become a status on their stream; the connection stays up. While
/// a stream's handler is behind, it holds back the socket reads (backpressure) instead of
/// buffering without bound.
@_spi(Fuzzing)
public final class ConnectionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = Never
    /// Frames are written as bytes directly (header, then payload): no encoder copy.
    public typealias OutboundOut = ByteBuffer

    /// A frame is processed and a stream started only while `open`. The connection can close
    /// in the middle of a read (an answer's write fails when the client left without reading,
    /// and the error closes the channel at once), so every step that needs the channel takes it
    /// from here instead of assuming it is still there.
    private enum Lifecycle {
        /// Before `handlerAdded`.
        case idle
        case open(ChannelHandlerContext)
        /// Close requested: no more frames are processed and no stream starts; answers of
        /// streams still running may still be written until the channel is inactive.
        case closing(ChannelHandlerContext)
        /// Inactive or removed: every stream was released, and nothing is written.
        case closed
    }

    /// The context while frames may be processed and streams started.
    private var openContext: ChannelHandlerContext? {
        if case .open(let context) = lifecycle { context } else { nil }
    }

    /// The context while answers may still be written.
    private var writableContext: ChannelHandlerContext? {
        switch lifecycle {
        case .open(let context), .closing(let context): context
        case .idle, .closed: nil
        }
    }

    private struct ActiveStream {
        var started: ContinuousClock.Instant
        var task: Task<Void, Never>?
        /// Where Data frames go, for bidirectional streams until the client half-closes.
        var inbound: RequestStream?
        var deadlineTimer: Scheduled<Void>?
        var fullMethod: String
    }

    private let router: RPCRouter
    private let configuration: ServerConfiguration
    private let credentials: PeerCredentials
    private let registry: ConnectionRegistry
    private let logger: Logger
    private let observeCall: CallObserver?
    /// What decoded requests may hold (the configuration's `maxFieldBytes`): bound around every
    /// decode this connection runs, the envelope's and each handler's.
    private let wireLimits: WireLimits
    /// Whether decodes need `wireLimits` bound: not when they are the default, which is what an
    /// unbound task-local reads (nothing binds one around the event loop's work).
    private let bindsWireLimits: Bool

    /// Where the connection is in its life; see ``Lifecycle``.
    private var lifecycle: Lifecycle = .idle
    private var decoder: FrameDecoder
    /// Bytes read but not yet a whole frame; nil when none are left over.
    private var received: ByteBuffer?
    private var lastStreamID: UInt32 = 0
    private var streams: [UInt32: ActiveStream] = [:]
    private var draining = false
    /// A read the channel asked for while a stream was paused, to pass on when none is.
    private var readPending = false
    /// The method this connection called last: a client tends to call one method over and
    /// over, and comparing two short strings costs less than hashing them for the router.
    private var lastRoute: (service: String, method: String, route: RPCRouter.Route)?

    public init(
        router: RPCRouter, configuration: ServerConfiguration, credentials: PeerCredentials,
        registry: ConnectionRegistry, logger: Logger, observeCall: CallObserver? = nil
    ) {
        self.observeCall = observeCall
        self.router = router
        self.configuration = configuration
        self.credentials = credentials
        self.registry = registry
        self.logger = logger
        self.decoder = FrameDecoder(maxFrameSize: configuration.maxFrameSize)
        self.wireLimits = configuration.wireLimits
        self.bindsWireLimits = configuration.wireLimits != .standard
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        lifecycle = .open(context)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        registry.add(context.channel) {
            eventLoop.execute { handler.value.draining = true }
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closed(context)
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        closed(context)
    }

    /// The client is gone: nobody can read the answers, so stop the work. Runs once, whether the
    /// channel went inactive or the handler was removed first; frames read but not yet processed
    /// are dropped with the connection.
    private func closed(_ context: ChannelHandlerContext) {
        if case .closed = lifecycle { return }
        lifecycle = .closed
        received = nil
        readPending = false
        let released = streams
        streams.removeAll()
        for (id, stream) in released { release(id, stream, error: CancellationError()) }
        registry.remove(context.channel)
    }

    public func read(context: ChannelHandlerContext) {
        if anyStreamPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// A stream's handler caught up (or the stream ended): pass on a held-back read once no
    /// stream is paused.
    private func readIfPending() {
        guard readPending, !anyStreamPaused, let context = openContext else { return }
        readPending = false
        context.read()
    }

    private var anyStreamPaused: Bool { streams.values.contains { $0.inbound?.isPaused == true } }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        if case .open = lifecycle { lifecycle = .closing(context) }
        context.close(promise: nil)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .open = lifecycle else { return }  // read after a close was requested: dropped
        var bytes = unwrapInboundIn(data)
        if var earlier = received {
            received = nil  // uniquely held while the new bytes are appended
            earlier.writeBuffer(&bytes)
            received = earlier
        } else {
            received = bytes
        }
        // Every whole frame now, even while reads are held back: they are already in memory. An
        // answer's write can close the connection in the middle (see `Lifecycle`): the frames
        // after it are dropped with the connection.
        while case .open = lifecycle, var buffer = received {
            received = nil  // the buffer is uniquely held while the decoder reads from it
            let output = try? decoder.decode(buffer: &buffer)
            if buffer.readableBytes > 0 { received = buffer }
            guard let output else { break }
            receive(output)
        }
    }

    private func receive(_ output: FrameDecoder.Output) {
        switch output {
        case .frame(let frame):
            switch frame.type {
            case .request: receiveRequest(frame)
            case .data: receiveData(frame)
            case .cancel: receiveCancel(frame)
            default:
                // ttrpc: unknown message types are ignored for forward compatibility.
                logger.trace(
                    "ignored frame", metadata: ["rpc.stream_id": "\(frame.streamID)", "frame.type": "\(frame.type)"])
            }
        case .oversized(let header):
            receiveOversized(header)
        }
    }

    // MARK: - Frames

    private func receiveRequest(_ frame: Frame) {
        let id = frame.streamID
        guard id % 2 == 1 else {
            return respond(id, .invalidArgument, "stream id \(id) must be odd: client streams use odd ids")
        }
        guard id > lastStreamID else {
            return respond(
                id, .invalidArgument, "stream id \(id) cannot be re-used and must increment (last: \(lastStreamID))")
        }
        lastStreamID = id
        let envelope: RequestEnvelope
        do {
            envelope = try withWireLimits { try RequestEnvelope(wire: frame.payload) }
        } catch let error as WireFieldError {
            // A NUL in the method's name would otherwise serve the name cut before it.
            return respond(id, .invalidArgument, Self.message(for: error))
        } catch {
            return respond(id, .internal, "cannot decode ttrpc.Request (\(frame.payload.readableBytes) bytes)")
        }
        guard !draining else { return respond(id, .unavailable, "\(configuration.serverName) is shutting down") }
        let route: RPCRouter.Route
        if let last = lastRoute, last.method == envelope.method, last.service == envelope.service {
            route = last.route
        } else {
            switch router.lookup(service: envelope.service, method: envelope.method) {
            case .unknownService: return respond(id, .unimplemented, "service \(envelope.service)")
            case .unknownMethod: return respond(id, .unimplemented, "method \(envelope.method)")
            case .found(let found): route = found
            }
            lastRoute = (envelope.service, envelope.method, route)
        }
        if !route.handler.isStreaming && frame.flags.contains(.remoteOpen) {
            return respond(id, .unimplemented, "method \(route.fullMethod) is unary but the request opened a stream")
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            return respond(
                id, .resourceExhausted, "too many concurrent streams: max \(configuration.maxConcurrentStreams)")
        }
        dispatch(id, envelope: envelope, route: route, flags: frame.flags)
    }

    private func receiveData(_ frame: Frame) {
        let id = frame.streamID
        guard var stream = streams[id] else {
            // Data for a stream that ended (we may have answered already) is dropped; data for a
            // stream that never opened is an error the client should hear about.
            if id > lastStreamID { respond(id, .invalidArgument, "stream id \(id) is not active") }
            return
        }
        guard let inbound = stream.inbound else {
            return fail(id, RPCError(code: .invalidArgument, message: "stream \(id) accepts no data"))
        }
        if !frame.flags.contains(.noData), !inbound.enqueue(frame.payload) {
            return fail(
                id,
                RPCError(
                    code: .resourceExhausted,
                    message: "stream \(id): more than \(configuration.maxQueuedMessagesPerStream) messages queued"))
        }
        if frame.flags.contains(.remoteClosed) {
            inbound.finish()
            stream.inbound = nil
            streams[id] = stream
        }
    }

    private func receiveCancel(_ frame: Frame) {
        guard streams[frame.streamID] != nil else { return }
        fail(frame.streamID, RPCError(code: .cancelled, message: "cancelled by the client"))
    }

    private func receiveOversized(_ header: FrameHeader) {
        let message = "frame of \(header.length) bytes exceeds the maximum of \(configuration.maxFrameSize)"
        switch header.type {
        case .request:
            if header.streamID % 2 == 1 && header.streamID > lastStreamID { lastStreamID = header.streamID }
            respond(header.streamID, .resourceExhausted, message)
        case .data where streams[header.streamID] != nil:
            fail(header.streamID, RPCError(code: .resourceExhausted, message: message))
        default:
            logger.debug("ignored oversized frame", metadata: ["rpc.stream_id": "\(header.streamID)"])
        }
    }

    // MARK: - Calls

    private func dispatch(_ id: UInt32, envelope: RequestEnvelope, route: RPCRouter.Route, flags: FrameFlags) {
        guard let context = openContext else { return }
        let eventLoop = context.eventLoop
        let deadline: NIODeadline? =
            envelope.timeoutNanos > 0 ? .now() + .nanoseconds(envelope.timeoutNanos) : nil
        let serverContext = ServerContext(
            service: envelope.service, method: envelope.method, streamID: id, metadata: envelope.metadata,
            peer: credentials, registry: registry, channel: context.channel, deadline: deadline, baseLogger: logger)
        let payload = envelope.payload

        switch route.handler {
        case .inline(let body):
            let started = observeCall == nil ? nil : ContinuousClock.now
            let response: ResponseEnvelope
            do {
                response = ResponseEnvelope(payload: try withWireLimits { try body(payload, serverContext) })
            } catch {
                response = ResponseEnvelope(error: Self.status(for: error))
            }
            respond(id, response)
            if let started { observeCall?(route.fullMethod, response.code, ContinuousClock.now - started) }
        case .unary(let body):
            start(id, route: route, envelope: envelope, inbound: nil, on: eventLoop) {
                try await body(payload, serverContext)
            }
        case .serverStreaming(let body):
            let writer = makeWriter(for: id, on: eventLoop)
            start(id, route: route, envelope: envelope, inbound: nil, on: eventLoop) {
                try await body(payload, serverContext, writer)
                return ByteBuffer()
            }
        case .bidirectionalStreaming(let body):
            let handler = NIOLoopBound(self, eventLoop: eventLoop)
            let requests = RequestStream(
                limit: configuration.maxQueuedMessagesPerStream,
                pauseThreshold: configuration.maxQueuedMessagesPerStream / 4
            ) { eventLoop.execute { handler.value.readIfPending() } }
            if payload.readableBytes > 0 { _ = requests.enqueue(payload) }
            // Only `remote open` keeps the client's side open; a stock unary-style request has none.
            if !flags.contains(.remoteOpen) { requests.finish() }
            let writer = makeWriter(for: id, on: eventLoop)
            start(
                id, route: route, envelope: envelope, inbound: flags.contains(.remoteOpen) ? requests : nil,
                on: eventLoop
            ) {
                try await body(requests, serverContext, writer)
                return ByteBuffer()
            }
        }
    }

    /// Runs a handler in a Task; whichever comes first of its end, its deadline, a Cancel frame or
    /// the connection's end answers the stream, once. Called only while the connection is open
    /// (see `dispatch`): the stream is in `streams` before anything can end it, so the
    /// connection's end always finds and releases it.
    private func start(
        _ id: UInt32, route: RPCRouter.Route, envelope: RequestEnvelope, inbound: RequestStream?,
        on eventLoop: any EventLoop, _ body: @escaping @Sendable () async throws -> ByteBuffer
    ) {
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        let limits = wireLimits
        registry.callStarted()
        let task = Task {
            let result: Result<ByteBuffer, any Error>
            do {
                result = .success(try await WireLimits.$current.withValue(limits) { try await body() })
            } catch {
                result = .failure(error)
            }
            eventLoop.execute { handler.value.finish(id, result) }
        }
        var stream = ActiveStream(
            started: .now, task: task, inbound: inbound, deadlineTimer: nil, fullMethod: route.fullMethod)
        if envelope.timeoutNanos > 0 {
            let timeout = TimeAmount.nanoseconds(envelope.timeoutNanos)
            stream.deadlineTimer = eventLoop.scheduleTask(in: timeout) {
                handler.value.fail(
                    id,
                    RPCError(
                        code: .deadlineExceeded,
                        message: "deadline of \(Self.milliseconds(timeout)) ms exceeded"))
            }
        }
        streams[id] = stream
    }

    private func finish(_ id: UInt32, _ result: Result<ByteBuffer, any Error>) {
        guard let stream = streams.removeValue(forKey: id) else { return }  // already answered
        release(id, stream, error: nil)
        let response: ResponseEnvelope
        switch result {
        case .success(let payload): response = ResponseEnvelope(payload: payload)
        case .failure(let error): response = ResponseEnvelope(error: Self.status(for: error))
        }
        respond(id, response)
        observeCall?(stream.fullMethod, response.code, ContinuousClock.now - stream.started)
    }

    /// Ends a stream early with `error`, cancelling its handler.
    private func fail(_ id: UInt32, _ error: RPCError) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        release(id, stream, error: error)
        respond(id, ResponseEnvelope(error: error))
        observeCall?(stream.fullMethod, error.code, ContinuousClock.now - stream.started)
    }

    private func release(_ id: UInt32, _ stream: ActiveStream, error: (any Error)?) {
        stream.deadlineTimer?.cancel()
        if let error {
            stream.inbound?.finish(throwing: error)
            stream.task?.cancel()
        } else {
            stream.inbound?.finish()
        }
        readIfPending()
        registry.callEnded()
    }

    /// The stream's writer. It may outlive the connection (a handler keeps it until it returns):
    /// once the stream has ended or the connection is gone, writes fail with CANCELLED.
    private func makeWriter(for id: UInt32, on eventLoop: any EventLoop) -> StreamWriter {
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        return StreamWriter(
            send: { payload in
                try await eventLoop.flatSubmit { handler.value.writeData(id, [payload], on: eventLoop) }.get()
            },
            sendBatch: { payloads in
                try await eventLoop.flatSubmit { handler.value.writeData(id, payloads, on: eventLoop) }.get()
            })
    }

    /// Writes `payloads` as Data frames and flushes once; the future completes when the socket
    /// took the last of them.
    private func writeData(_ id: UInt32, _ payloads: [ByteBuffer], on eventLoop: any EventLoop) -> EventLoopFuture<Void>
    {
        guard let context = writableContext, streams[id] != nil else {
            return eventLoop.makeFailedFuture(
                RPCError(code: .cancelled, message: "stream \(id) has ended"))
        }
        // Every payload fits a frame (the frame limit is at most 16 MiB, so its length fits the
        // header's UInt32 without a trap).
        if let payload = payloads.first(where: { $0.readableBytes > configuration.maxFrameSize }) {
            return context.eventLoop.makeFailedFuture(
                RPCError(
                    code: .resourceExhausted,
                    message:
                        "message of \(payload.readableBytes) bytes exceeds the maximum of \(configuration.maxFrameSize)"
                ))
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        if payloads.count == 1 {
            // Two buffers, one writev: the payload is not copied behind its header.
            var header = context.channel.allocator.buffer(capacity: FrameHeader.size)
            let length = UInt32(truncatingIfNeeded: payloads[0].readableBytes)
            FrameHeader(length: length, streamID: id, type: .data).write(to: &header)
            context.write(wrapOutboundOut(header), promise: nil)
            context.writeAndFlush(wrapOutboundOut(payloads[0]), promise: promise)
        } else {
            // Many small messages (Watch events): copied into one buffer, one write.
            let size = payloads.reduce(0) { $0 + FrameHeader.size + $1.readableBytes }
            var frames = context.channel.allocator.buffer(capacity: size)
            for payload in payloads {
                FrameHeader(length: UInt32(truncatingIfNeeded: payload.readableBytes), streamID: id, type: .data)
                    .write(to: &frames)
                frames.writeImmutableBuffer(payload)
            }
            context.writeAndFlush(wrapOutboundOut(frames), promise: promise)
        }
        return promise.futureResult
    }

    // MARK: - Responses

    private func respond(_ id: UInt32, _ code: StatusCode, _ message: String) {
        logger.debug(
            "call refused", metadata: ["rpc.stream_id": "\(id)", "rpc.status": "\(code)", "rpc.message": "\(message)"])
        respond(id, ResponseEnvelope(code: code, message: message))
    }

    private func respond(_ id: UInt32, _ response: ResponseEnvelope) {
        guard let context = writableContext else { return }
        // The envelope is encoded right behind a reserved header, which is filled in once the
        // length is known: one buffer, one write.
        var buffer = context.channel.allocator.buffer(capacity: FrameHeader.size + response.payload.readableBytes + 32)
        buffer.writeRepeatingByte(0, count: FrameHeader.size)
        response.encode(into: &buffer)
        var length = buffer.readableBytes - FrameHeader.size
        if length > configuration.maxFrameSize {
            let tooLarge = ResponseEnvelope(
                code: .resourceExhausted,
                message: "response of \(length) bytes exceeds the maximum of \(configuration.maxFrameSize)")
            buffer.moveWriterIndex(to: FrameHeader.size)
            tooLarge.encode(into: &buffer)
            length = buffer.readableBytes - FrameHeader.size
        }
        // The configuration caps maxFrameSize at 16 MiB, so the length always fits.
        FrameHeader(length: UInt32(clamping: length), streamID: id, type: .response).set(
            in: &buffer, at: buffer.readerIndex)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Runs `body` (which decodes) with this connection's limits. Binding a task-local outside a
    /// task allocates, so it is skipped for the default limits: the inline hot path pays nothing.
    private func withWireLimits<R>(_ body: () throws -> R) rethrows -> R {
        guard bindsWireLimits else { return try body() }
        return try WireLimits.$current.withValue(wireLimits) { try body() }
    }

    /// gRPC's rules: a handler's `RPCError` keeps its code, cancellation is CANCELLED, a request it
    /// could not decode is INTERNAL, a field the wire limits refuse is INVALID_ARGUMENT, anything
    /// else is UNKNOWN.
    static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case is CancellationError: RPCError(code: .cancelled, message: "cancelled")
        case let error as WireDecodingError: RPCError(code: .internal, message: error.description)
        case let error as WireFieldError: RPCError(code: .invalidArgument, message: message(for: error))
        default: RPCError(code: .unknown, message: "\(error)")
        }
    }

    /// The field and the rule, and the flag that sets the limit; never the field's content.
    static func message(for error: WireFieldError) -> String {
        switch error.problem {
        case .nulByte: "\(error.field): a string must not contain a NUL byte"
        case .tooLong(let byteCount, let limit):
            "\(error.field): \(byteCount) bytes, more than the limit of \(limit) (--max-field-bytes)"
        case .tooManyItems(let limit): "\(error.field): more than \(limit) items (--max-repeated-items)"
        }
    }

    private static func milliseconds(_ amount: TimeAmount) -> String {
        let ms = Double(amount.nanoseconds) / 1_000_000
        return ms < 10 ? String(format2: ms) : "\(Int(ms.rounded()))"
    }
}

extension String {
    /// Two decimals without Foundation.
    fileprivate init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
