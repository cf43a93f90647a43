import NIOCore
import NIOPosix
import PeerWire
import Synchronization

/// One ttrpc connection to peerd, multiplexing any number of calls (grpc-swift-2's
/// `GRPCClient` over one HTTP/2 connection plays the same part).
///
/// It connects on the first call. When the connection breaks, the calls in flight fail with
/// UNAVAILABLE and the next call connects again. Every call takes ``CallOptions`` (a deadline)
/// and ends early, with CANCELLED and a Cancel frame to peerd, when its task is cancelled.
public final class ClientConnection: Sendable {
    /// The Unix socket peerd listens on.
    public let socketPath: String
    /// The largest frame sent or accepted, in bytes: peerd's default, ttrpc's own limit.
    public let maxFrameSize: Int
    /// The most streams open at once; more calls wait for one to end. peerd's
    /// `--max-concurrent-streams` (GetInfo tells it).
    public let maxConcurrentStreams: Int

    /// The loop every connection (and reconnection) runs on.
    private let eventLoop: any EventLoop
    private let state = Mutex(State.idle)

    /// Runs a task's calls on this connection's event loop, skipping the hops to the concurrency
    /// pool and back: `withTaskExecutorPreference(connection.taskExecutor) { ... }`. See
    /// ``EventLoopTaskExecutor`` for when that pays and what it asks of the code.
    public let taskExecutor: EventLoopTaskExecutor

    private enum State {
        case idle
        case connecting(EventLoopFuture<Established>)
        case ready(Established)
        case closed
    }

    /// An open channel and its demultiplexer.
    struct Established: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<StreamDemultiplexer>

        var eventLoop: any EventLoop { handler.eventLoop }

        func makeCall() -> CallBox {
            CallBox.makeBoxSendingValue(CallState(), as: CallState.self, eventLoop: eventLoop)
        }

        /// Runs `body` on the event loop with the demultiplexer: at once when already on it (a
        /// task preferring ``ClientConnection/taskExecutor``), else queued for it.
        func onLoop(_ body: @escaping @Sendable (StreamDemultiplexer) -> Void) {
            let handler = handler
            if eventLoop.inEventLoop {
                body(handler.value)
            } else {
                eventLoop.execute { body(handler.value) }
            }
        }

        func cancel(_ call: CallBox, reason: String) {
            onLoop { $0.cancel(call, reason: reason) }
        }
    }

    /// - Parameters:
    ///   - socketPath: peerd's socket.
    ///   - maxFrameSize: the largest frame sent or accepted (peerd's `--max-frame-size`).
    ///   - maxConcurrentStreams: the most calls sent at once (peerd's `--max-concurrent-streams`).
    ///   - eventLoopGroup: where the connection's I/O runs.
    public init(
        socketPath: String, maxFrameSize: Int = FrameDecoder.defaultMaxFrameSize,
        maxConcurrentStreams: Int = ClientConnection.defaultMaxConcurrentStreams,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.socketPath = socketPath
        self.maxFrameSize = max(0, maxFrameSize)
        self.maxConcurrentStreams = max(1, maxConcurrentStreams)
        self.eventLoop = eventLoopGroup.next()
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: eventLoop)
    }

    /// A connection nobody holds any more closes its socket (calls in flight hold it).
    deinit {
        if case .ready(let established) = state.withLock({ $0 }) {
            established.channel.close(promise: nil)
        }
    }

    /// peerd's default `--max-concurrent-streams`.
    public static let defaultMaxConcurrentStreams = 128

    /// Closes the connection: calls in flight fail with UNAVAILABLE, and later calls too.
    public func close() async {
        let channel: (any Channel)? = state.withLock { state in
            defer { state = .closed }
            if case .ready(let established) = state { return established.channel }
            return nil
        }
        try? await channel?.close()
    }

    // MARK: Calls

    /// A unary call: one request, one response.
    public func unary<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = .defaults
    ) async throws -> Response {
        let frame = try requestFrame(method, request: request, timeout: options.timeout)
        let connection = try await established()
        let call = connection.makeCall()
        let envelope = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation {
                (continuation: UnsafeContinuation<ResponseEnvelope, any Error>) in
                connection.onLoop {
                    $0.start(call, frame: frame, flags: [], timeout: options.timeout, receiver: .unary(continuation))
                }
            }
        } onCancel: {
            connection.cancel(call, reason: "the caller's task was cancelled")
        }
        guard envelope.code == .ok else { throw PeerdClientError(code: envelope.code, message: envelope.message) }
        return try decodeReply(Response.self, envelope.payload)
    }

    /// A server-streaming call: one request, then the responses as they come. Stopping the
    /// iteration (or cancelling its task) cancels the call.
    public func serverStreaming<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = .defaults
    ) async throws -> ResponseStream<Response> {
        let frame = try requestFrame(method, request: request, timeout: options.timeout)
        let connection = try await established()
        let (call, producer) = makeStream(on: connection)
        connection.onLoop {
            $0.start(
                call, frame: frame, flags: [.remoteClosed], timeout: options.timeout, receiver: .stream(producer.source)
            )
        }
        return ResponseStream(payloads: producer.sequence)
    }

    /// A bidirectional call: send requests with ``BidirectionalStream/send(_:)`` and end them with
    /// ``BidirectionalStream/finish()``; iterate the stream for the responses.
    public func bidirectionalStreaming<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, options: CallOptions = .defaults
    ) async throws -> BidirectionalStream<Request, Response> {
        let frame = try requestFrame(method, payload: ByteBuffer(), timeout: options.timeout)
        let connection = try await established()
        let (call, producer) = makeStream(on: connection)
        connection.onLoop {
            $0.start(
                call, frame: frame, flags: [.remoteOpen], timeout: options.timeout, receiver: .stream(producer.source))
        }
        return BidirectionalStream(
            responses: ResponseStream(payloads: producer.sequence), connection: self, established: connection,
            call: call)
    }

    // MARK: Frames

    /// The Request frame for `request`: 10 bytes reserved for the header (the event loop writes
    /// the stream id), then the envelope with the message encoded in place. Refused here when it
    /// would break peerd's frame limit.
    func requestFrame<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, request: Request, timeout: Duration?
    ) throws -> ByteBuffer {
        let frame = RequestFrameWriter.frame(
            service: method.service, method: method.method, timeoutNanos: try Self.timeoutNanos(timeout)
        ) { request.encode(into: &$0) }
        try checkFrameSize(frame)
        return frame
    }

    /// The Request frame carrying an already encoded `payload`.
    func requestFrame<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, payload: ByteBuffer, timeout: Duration?
    ) throws -> ByteBuffer {
        let frame = RequestFrameWriter.frame(
            service: method.service, method: method.method, timeoutNanos: try Self.timeoutNanos(timeout)
        ) { $0.writeImmutableBuffer(payload) }
        try checkFrameSize(frame)
        return frame
    }

    /// The envelope's timeout: 0 for none; a deadline already passed fails before sending.
    private static func timeoutNanos(_ timeout: Duration?) throws -> Int64 {
        guard let timeout else { return 0 }
        guard timeout > .zero else { throw PeerdClientError.deadlineExceeded(timeout) }
        // A positive timeout under 1 ns would read as "none" on the wire.
        return max(1, timeout.nanoseconds)
    }

    /// A Data frame carrying `message`, with 10 bytes reserved for the header.
    func dataFrame(_ message: some WireMessage) throws -> ByteBuffer {
        var frame = ByteBuffer()
        frame.writeRepeatingByte(0, count: FrameHeader.size)  // the header, written once the stream id is known
        message.encode(into: &frame)
        try checkFrameSize(frame)
        return frame
    }

    private func checkFrameSize(_ frame: ByteBuffer) throws {
        let size = frame.readableBytes - FrameHeader.size
        guard size <= maxFrameSize else {
            throw PeerdClientError(
                code: .resourceExhausted, message: "a frame of \(size) bytes exceeds the maximum of \(maxFrameSize)")
        }
    }

    private func makeStream(on connection: Established) -> (CallBox, PayloadProducer.NewSequence) {
        let call = connection.makeCall()
        let producer = PayloadProducer.makeSequence(
            backPressureStrategy: .init(lowWatermark: 64, highWatermark: 256), finishOnDeinit: true,
            delegate: StreamDelegate(owner: self, connection: connection, call: call))
        return (call, producer)
    }

    // MARK: Connecting

    /// The open connection, connecting first if there is none.
    func established() async throws -> Established {
        enum Next {
            case ready(Established)
            case wait(EventLoopFuture<Established>)
            case connect(EventLoopPromise<Established>)
            case closed
        }
        let next = state.withLock { state -> Next in
            switch state {
            case .ready(let established): return .ready(established)
            case .connecting(let future): return .wait(future)
            case .closed: return .closed
            case .idle:
                let promise = eventLoop.makePromise(of: Established.self)
                state = .connecting(promise.futureResult)
                return .connect(promise)
            }
        }
        switch next {
        case .ready(let established):
            return established
        case .wait(let future):
            return try await future.get()
        case .closed:
            throw PeerdClientError(code: .unavailable, message: "the client connection is closed")
        case .connect(let promise):
            connect(promise)
            return try await promise.futureResult.get()
        }
    }

    private func connect(_ promise: EventLoopPromise<Established>) {
        let socketPath = socketPath
        let maxFrameSize = maxFrameSize
        let maxConcurrentStreams = maxConcurrentStreams
        ClientBootstrap(group: promise.futureResult.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)),
                        StreamDemultiplexer(socketPath: socketPath, maxConcurrentStreams: maxConcurrentStreams))
                }
            }
            .connect(unixDomainSocketPath: socketPath)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: StreamDemultiplexer.self)
                return Established(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
            }
            .whenComplete { result in
                self.connected(result, promise: promise)
            }
    }

    private func connected(_ result: Result<Established, any Error>, promise: EventLoopPromise<Established>) {
        let stillWanted = state.withLock { state -> Bool in
            guard case .connecting(let future) = state, future === promise.futureResult else { return false }
            switch result {
            case .success(let established): state = .ready(established)
            case .failure: state = .idle
            }
            return true
        }
        switch result {
        case .success(let established):
            guard stillWanted else {
                // Closed while connecting.
                established.channel.close(promise: nil)
                return promise.fail(PeerdClientError(code: .unavailable, message: "the client connection is closed"))
            }
            let channel = established.channel
            // Weak: the channel must not keep the connection alive (its deinit closes the channel).
            channel.closeFuture.whenComplete { [weak self] _ in
                // The next call connects again.
                self?.state.withLock { state in
                    if case .ready(let current) = state, current.channel === channel { state = .idle }
                }
            }
            promise.succeed(established)
        case .failure(let error):
            promise.fail(
                PeerdClientError(code: .unavailable, message: "cannot connect to peerd at \(socketPath): \(error)"))
        }
    }
}

/// The limits replies are decoded with: peerd is trusted further than its clients are (its frame
/// limit still bounds every reply), so a peerd configured with larger fields than the defaults
/// is read whole.
let replyLimits = WireLimits(
    maxFieldBytes: WireLimits.maxFieldBytesRange.upperBound,
    maxRepeatedItems: WireLimits.maxRepeatedItemsRange.upperBound)

/// Decodes a reply message; a reply peerd's contract cannot produce is INTERNAL.
func decodeReply<Response: WireMessage>(_ type: Response.Type, _ payload: ByteBuffer) throws -> Response {
    do {
        // A message shorter than both limits in force can break neither (no field, and no list
        // of items of at least one byte each, is longer than the message): decode it without
        // binding the task-local limits, which allocates.
        let current = WireLimits.current
        if payload.readableBytes < min(current.maxFieldBytes, current.maxRepeatedItems) {
            return try Response(wire: payload)
        }
        return try Response(wire: payload, limits: replyLimits)
    } catch {
        throw PeerdClientError(code: .internal, message: "undecodable \(Response.protobufName): \(error)")
    }
}
