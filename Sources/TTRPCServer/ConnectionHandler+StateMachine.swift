import PeerWire

extension ConnectionHandler {
    /// The connection's stream rules, without a channel: which frames are processed, which ids
    /// may open a stream, how many streams may run, what Data, Cancel and oversized frames do to
    /// them, and how the connection's close ends them.
    ///
    /// The handler feeds it every input (a frame, a handler's end, a deadline, draining, close)
    /// and performs the action it returns (answer a stream that never started, fail a running
    /// one, deliver a message, release streams). It holds no NIO object, so the rules are tested
    /// row by row without a channel (`ConnectionStateMachineTests`), as hummingbird's
    /// `HTTPConnectionStateHandler.StateMachine` and grpc-swift's
    /// `ServerConnectionManagementHandler.StateMachine` are.
    ///
    /// `Stream` is what the handler keeps per running stream (its task, queue and timer); the
    /// machine hands it back whenever the stream ends, exactly once.
    struct StateMachine<Stream> {
        /// A frame is processed and a stream started only while `open`. The connection can close
        /// in the middle of a read (an answer's write fails when the client left without reading,
        /// and the error closes the channel at once), so the frames after it start nothing.
        enum Lifecycle: Equatable {
            /// Before the handler is added to a channel.
            case idle
            case open
            /// Close requested: no more frames are processed and no stream starts; answers of
            /// streams still running may still be written until the channel is inactive.
            case closing
            /// Inactive or removed: every stream was released, and nothing is written.
            case closed
        }

        /// A running stream: the handler's resources, and whether the client may still send Data.
        private struct Entry {
            var stream: Stream
            var acceptsData: Bool
        }

        /// The limits and names the rules' answers use.
        struct Limits: Equatable, Sendable {
            var maxConcurrentStreams: Int
            var maxQueuedMessagesPerStream: Int
            var maxFrameSize: Int
            var serverName: String
        }

        /// What to do with a Request frame's id.
        enum RequestAction: Equatable, Sendable {
            /// The connection is closing: the frame is dropped.
            case drop
            /// Answer the stream with this status; it never starts.
            case refuse(StatusCode, String)
            /// The id is good: decode the envelope and look the method up.
            case decode
        }

        /// What the handler found for a request's method.
        enum Method: Equatable, Sendable {
            case unknownService(String)
            case unknownMethod(String)
            /// `isStreaming`: the handler takes a stream (server or bidirectional streaming);
            /// `opensStream`: the request's `remote open` flag.
            case found(fullMethod: String, isStreaming: Bool, opensStream: Bool)
        }

        /// Whether a decoded, routed request may run.
        enum AdmitAction: Equatable, Sendable {
            case refuse(StatusCode, String)
            /// Run it; the handler calls ``started(_:stream:acceptsData:)`` if it runs in a task.
            case dispatch
        }

        /// What a Data, Cancel or oversized frame, a deadline or a failure does.
        enum Action {
            /// Nothing: the frame is for a stream that ended, or is dropped with the connection.
            case drop
            /// Answer a stream that is not running with this status.
            case refuse(UInt32, StatusCode, String)
            /// The stream ended with `error`: cancel its handler, answer with the error, release it.
            case fail(UInt32, Stream, RPCError)
            /// Give the frame's message to the stream's queue (`enqueue`), then end the client's
            /// side (`halfClose`). A message the queue refuses fails the stream (``overflowed(_:)``).
            case deliver(UInt32, Stream, enqueue: Bool, halfClose: Bool)
        }

        let limits: Limits
        private(set) var lifecycle: Lifecycle = .idle
        /// The highest id that opened (or tried to open) a stream: ids must increase.
        private(set) var lastStreamID: UInt32 = 0
        /// Shutdown began: new calls are UNAVAILABLE, running ones go on.
        private(set) var draining = false
        private var entries: [UInt32: Entry] = [:]

        init(limits: Limits) { self.limits = limits }

        /// Frames are processed and streams started.
        var isOpen: Bool { lifecycle == .open }
        /// Answers may be written.
        var isWritable: Bool { lifecycle == .open || lifecycle == .closing }
        var activeStreamCount: Int { entries.count }
        /// Whether a running stream's resources match (the handler asks their queues whether to
        /// hold reads back).
        func containsStream(where predicate: (Stream) -> Bool) -> Bool {
            entries.values.contains { predicate($0.stream) }
        }

        /// Whether the stream is running and its answers may still be written (Data from its writer).
        func canWrite(_ id: UInt32) -> Bool { isWritable && entries[id] != nil }

        // MARK: - The connection

        mutating func added() {
            if lifecycle == .idle { lifecycle = .open }
        }

        mutating func drain() { draining = true }

        /// An error closes the connection: frames still to be processed start nothing.
        mutating func closeRequested() {
            if lifecycle == .open { lifecycle = .closing }
        }

        /// The channel is inactive or the handler removed: every running stream, to release with
        /// a cancellation; nil when this already happened.
        mutating func closed() -> [(UInt32, Stream)]? {
            if lifecycle == .closed { return nil }
            lifecycle = .closed
            let released = entries.map { ($0.key, $0.value.stream) }
            entries.removeAll()
            return released
        }

        // MARK: - Frames

        /// A Request frame: client streams use odd, increasing ids.
        mutating func requestReceived(_ id: UInt32) -> RequestAction {
            guard isOpen else { return .drop }
            guard id % 2 == 1 else {
                return .refuse(.invalidArgument, "stream id \(id) must be odd: client streams use odd ids")
            }
            guard id > lastStreamID else {
                return .refuse(
                    .invalidArgument, "stream id \(id) cannot be re-used and must increment (last: \(lastStreamID))")
            }
            lastStreamID = id
            return .decode
        }

        /// A decoded request and what its method is: whether it may run now.
        func admit(_ method: Method) -> AdmitAction {
            guard !draining else { return .refuse(.unavailable, "\(limits.serverName) is shutting down") }
            switch method {
            case .unknownService(let service): return .refuse(.unimplemented, "service \(service)")
            case .unknownMethod(let method): return .refuse(.unimplemented, "method \(method)")
            case .found(let fullMethod, let isStreaming, let opensStream):
                if !isStreaming && opensStream {
                    return .refuse(.unimplemented, "method \(fullMethod) is unary but the request opened a stream")
                }
            }
            guard entries.count < limits.maxConcurrentStreams else {
                return .refuse(.resourceExhausted, "too many concurrent streams: max \(limits.maxConcurrentStreams)")
            }
            return .dispatch
        }

        /// A dispatched call runs in a task: it is active until it finishes, fails or the
        /// connection closes. `acceptsData`: a bidirectional stream the client left open.
        mutating func started(_ id: UInt32, stream: Stream, acceptsData: Bool) {
            entries[id] = Entry(stream: stream, acceptsData: acceptsData)
        }

        /// A Data frame. Data for a stream that ended (it may have been answered already) is
        /// dropped; data for a stream that never opened is an error the client should hear about.
        mutating func dataReceived(_ id: UInt32, flags: FrameFlags) -> Action {
            guard isOpen else { return .drop }
            guard var entry = entries[id] else {
                return id > lastStreamID ? .refuse(id, .invalidArgument, "stream id \(id) is not active") : .drop
            }
            guard entry.acceptsData else {
                return fail(id, RPCError(code: .invalidArgument, message: "stream \(id) accepts no data"))
            }
            let halfClose = flags.contains(.remoteClosed)
            if halfClose {
                entry.acceptsData = false
                entries[id] = entry
            }
            return .deliver(id, entry.stream, enqueue: !flags.contains(.noData), halfClose: halfClose)
        }

        /// The stream's queue refused a delivered message: it is full.
        mutating func overflowed(_ id: UInt32) -> Action {
            fail(
                id,
                RPCError(
                    code: .resourceExhausted,
                    message: "stream \(id): more than \(limits.maxQueuedMessagesPerStream) messages queued"))
        }

        /// A Cancel frame ends a running stream; for any other id it is dropped.
        mutating func cancelReceived(_ id: UInt32) -> Action {
            guard isOpen else { return .drop }
            return fail(id, RPCError(code: .cancelled, message: "cancelled by the client"))
        }

        /// A frame larger than the limit, whose body is skipped: a Request is answered (and its id
        /// counts as used), Data fails its stream, anything else is dropped.
        mutating func oversizedReceived(_ header: FrameHeader) -> Action {
            guard isOpen else { return .drop }
            let id = header.streamID
            let message = "frame of \(header.length) bytes exceeds the maximum of \(limits.maxFrameSize)"
            switch header.type {
            case .request:
                if id % 2 == 1 && id > lastStreamID { lastStreamID = id }
                return .refuse(id, .resourceExhausted, message)
            case .data where entries[id] != nil:
                return fail(id, RPCError(code: .resourceExhausted, message: message))
            default:
                return .drop
            }
        }

        // MARK: - Streams ending

        /// The stream's handler returned: the stream to release and answer with its result, or
        /// nil when it was already answered (failed, cancelled, or the connection closed).
        mutating func finished(_ id: UInt32) -> Stream? {
            entries.removeValue(forKey: id)?.stream
        }

        /// Ends a running stream with `error` (its deadline, or a rule above); `.drop` when it
        /// is not running.
        mutating func fail(_ id: UInt32, _ error: RPCError) -> Action {
            guard let entry = entries.removeValue(forKey: id) else { return .drop }
            return .fail(id, entry.stream, error)
        }
    }
}

extension ConnectionHandler.StateMachine.Action: Equatable where Stream: Equatable {}
extension ConnectionHandler.StateMachine.Action: Sendable where Stream: Sendable {}
