import Logging
import NIOCore
import PeerWire

/// One client connection: NIO glue around the stream rules (``StateMachine``) and the dispatch of
/// calls.
///
/// Runs on the connection's event loop. It cuts the socket's bytes into frames itself (a
/// ByteToMessageHandler in front cost a boxed, dynamically cast message per frame), feeds every
/// frame, handler end, deadline, drain and close to the state machine (odd, increasing ids; a cap
/// on concurrent streams; what Data, Cancel and oversized frames do), and performs what it
/// answers: decodes envelopes, routes calls, runs handlers, deadlines and cancellation, and writes
/// every stream's single final Response. Errors become a status on their stream; the connection
/// stays up. While a stream's handler is behind, it holds back the socket reads (backpressure)
/// instead of buffering without bound.
@_spi(Fuzzing)
public final class ConnectionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = Never
    /// Frames are written as bytes directly (header, then payload): no encoder copy.
    public typealias OutboundOut = ByteBuffer

    /// The connection can close in the middle of a read (an answer's write fails when the
    /// client left without reading, and the error closes the channel at once), so every step
    /// that needs the channel takes it from here, as the state machine's lifecycle allows,
    /// instead of assuming it is still there.
    private var context: ChannelHandlerContext?

    /// The context while frames may be processed and streams started.
    private var openContext: ChannelHandlerContext? { state.isOpen ? context : nil }

    /// The context while answers may still be written.
    private var writableContext: ChannelHandlerContext? { state.isWritable ? context : nil }

    /// What the handler keeps per running stream; the state machine holds it and hands it back
    /// when the stream ends. A class: the machine hands it out for every Data frame, and one
    /// reference costs less to pass than a copy of five fields. Used on the event loop only.
    final class ActiveStream {
        let started: ContinuousClock.Instant
        let task: Task<Void, Never>?
        /// Where Data frames go, for bidirectional streams (finished when the client half-closes).
        let inbound: RequestStream?
        var deadlineTimer: Scheduled<Void>?
        let fullMethod: String

        init(started: ContinuousClock.Instant, task: Task<Void, Never>?, inbound: RequestStream?, fullMethod: String) {
            self.started = started
            self.task = task
            self.inbound = inbound
            self.fullMethod = fullMethod
        }
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

    /// The stream rules: the connection's lifecycle, the ids, the running streams.
    private var state: StateMachine<ActiveStream>
    private var decoder: FrameDecoder
    /// Bytes read but not yet a whole frame; nil when none are left over.
    private var received: ByteBuffer?
    /// A read the channel asked for while a stream was paused, to pass on when none is.
    private var readPending = false
    /// Between a read and its `channelReadComplete`: answers written meanwhile (inline calls)
    /// wait for one flush at the end, so a burst of pipelined calls read at once goes out in one
    /// writev instead of one write(2) per answer.
    private var reading = false
    /// Answers written during the read, not yet flushed.
    private var flushPending = false
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
        self.state = StateMachine(
            limits: .init(
                maxConcurrentStreams: configuration.maxConcurrentStreams,
                maxQueuedMessagesPerStream: configuration.maxQueuedMessagesPerStream,
                maxFrameSize: configuration.maxFrameSize, serverName: configuration.serverName))
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.added()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        registry.add(context.channel) {
            eventLoop.execute { handler.value.state.drain() }
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
        guard let released = state.closed() else { return }
        self.context = nil
        received = nil
        readPending = false
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

    private var anyStreamPaused: Bool { state.containsStream { $0.inbound?.isPaused == true } }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        state.closeRequested()
        context.close(promise: nil)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state.isOpen else { return }  // read after a close was requested: dropped
        reading = true
        var bytes = unwrapInboundIn(data)
        if var earlier = received {
            received = nil  // uniquely held while the new bytes are appended
            earlier.writeBuffer(&bytes)
            received = earlier
        } else {
            received = bytes
        }
        // Every whole frame now, even while reads are held back: they are already in memory. An
        // answer's write can close the connection in the middle (see `StateMachine.Lifecycle`):
        // the frames after it are dropped with the connection.
        while state.isOpen, var buffer = received {
            received = nil  // the buffer is uniquely held while the decoder reads from it
            let output = try? decoder.decode(buffer: &buffer)
            if buffer.readableBytes > 0 { received = buffer }
            guard let output else { break }
            receive(output)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if flushPending {
            flushPending = false
            context.flush()
        }
        context.fireChannelReadComplete()
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
            switch state.oversizedReceived(header) {
            case .drop: logger.debug("ignored oversized frame", metadata: ["rpc.stream_id": "\(header.streamID)"])
            case let action: perform(action)
            }
        }
    }

    // MARK: - Frames

    private func receiveRequest(_ frame: Frame) {
        let id = frame.streamID
        switch state.requestReceived(id) {
        case .drop: return
        case .refuse(let code, let message): return respond(id, code, message)
        case .decode: break
        }
        let envelope: RequestEnvelope
        do {
            envelope = try withWireLimits { try RequestEnvelope(wire: frame.payload) }
        } catch let error as WireFieldError {
            // A NUL in the method's name would otherwise serve the name cut before it.
            return respond(id, .invalidArgument, Self.message(for: error))
        } catch {
            return respond(id, .internal, "cannot decode ttrpc.Request (\(frame.payload.readableBytes) bytes)")
        }
        var route: RPCRouter.Route?
        let method: StateMachine<ActiveStream>.Method
        if let last = lastRoute, last.method == envelope.method, last.service == envelope.service {
            route = last.route
            method = .found(last.route, flags: frame.flags)
        } else {
            switch router.lookup(service: envelope.service, method: envelope.method) {
            case .unknownService: method = .unknownService(envelope.service)
            case .unknownMethod: method = .unknownMethod(envelope.method)
            case .found(let found):
                route = found
                lastRoute = (envelope.service, envelope.method, found)
                method = .found(found, flags: frame.flags)
            }
        }
        switch state.admit(method) {
        case .refuse(let code, let message): respond(id, code, message)
        case .dispatch: if let route { dispatch(id, envelope: envelope, route: route, flags: frame.flags) }
        }
    }

    private func receiveData(_ frame: Frame) {
        perform(state.dataReceived(frame.streamID, flags: frame.flags), payload: frame.payload)
    }

    private func receiveCancel(_ frame: Frame) {
        perform(state.cancelReceived(frame.streamID))
    }

    /// Does what the state machine answered to a frame, a deadline or a failure.
    private func perform(_ action: StateMachine<ActiveStream>.Action, payload: ByteBuffer = ByteBuffer()) {
        switch action {
        case .drop:
            break
        case .refuse(let id, let code, let message):
            respond(id, code, message)
        case .fail(let id, let stream, let error):
            release(id, stream, error: error)
            respond(id, ResponseEnvelope(error: error))
            observeCall?(stream.fullMethod, error.code, ContinuousClock.now - stream.started)
        case .deliver(let id, let stream, let enqueue, let halfClose):
            guard let inbound = stream.inbound else { return }
            if enqueue, !inbound.enqueue(payload) { return perform(state.overflowed(id)) }
            if halfClose { inbound.finish() }
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
        let stream = ActiveStream(started: .now, task: task, inbound: inbound, fullMethod: route.fullMethod)
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
        state.started(id, stream: stream, acceptsData: inbound != nil)
    }

    private func finish(_ id: UInt32, _ result: Result<ByteBuffer, any Error>) {
        guard let stream = state.finished(id) else { return }  // already answered
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
        perform(state.fail(id, error))
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
        guard let context = writableContext, state.canWrite(id) else {
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
        if reading {
            context.write(wrapOutboundOut(buffer), promise: nil)
            flushPending = true
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// Runs `body` (which decodes) with this connection's limits. Binding a task-local outside a
    /// task allocates, so it is skipped for the default limits: the inline hot path pays nothing.
    private func withWireLimits<R>(_ body: () throws -> R) rethrows -> R {
        guard bindsWireLimits else { return try body() }
        return try WireLimits.$current.withValue(wireLimits) { try body() }
    }

    /// gRPC's rules: a handler's `RPCError` keeps its code (an `RPCErrorConvertible` says its
    /// own), cancellation is CANCELLED, a request it could not decode is INTERNAL, a field the wire
    /// limits refuse is INVALID_ARGUMENT, anything else is UNKNOWN.
    static func status(for error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
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

extension ConnectionHandler.StateMachine.Method where Stream == ConnectionHandler.ActiveStream {
    /// A method the router found, for a request with `flags`.
    fileprivate static func found(_ route: RPCRouter.Route, flags: FrameFlags) -> Self {
        .found(
            fullMethod: route.fullMethod, isStreaming: route.handler.isStreaming,
            opensStream: flags.contains(.remoteOpen))
    }
}
