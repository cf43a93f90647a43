import PeerWire
import Testing

@_spi(Fuzzing) @testable import TTRPCServer

/// The stream rules as rows: inputs fed to a fresh, open state machine, and what it answers to
/// each. No channel, no task: the stream's resources are a name.
@Suite("ConnectionHandler.StateMachine: stream rules")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionHandler.StateMachine<String>

    /// One input to the machine.
    enum Input: Sendable {
        case request(UInt32)
        case admit(Machine.Method)
        /// A request on `id`, admitted, runs in a task (`name` stands for its resources).
        case start(UInt32, String, acceptsData: Bool = false)
        case data(UInt32, FrameFlags = [])
        case overflow(UInt32)
        case cancel(UInt32)
        case oversized(UInt32, MessageType, length: UInt32 = 5000)
        case finished(UInt32)
        case fail(UInt32, RPCError)
        case drain
        case closeRequested
        case closed
    }

    /// What the machine answered to one input.
    enum Output: Equatable, Sendable {
        case request(Machine.RequestAction)
        case admit(Machine.AdmitAction)
        case action(Machine.Action)
        case finished(String?)
        /// The streams released, sorted by id; nil when the connection had already closed.
        case closed([String]?)
        /// A request with a good id started a stream.
        case started
        /// The input answers nothing (drain, close requested).
        case none
    }

    static let limits = Machine.Limits(
        maxConcurrentStreams: 2, maxQueuedMessagesPerStream: 16, maxFrameSize: 1024, serverName: "srv")
    static let unary = Machine.Method.found(fullMethod: "/s/M", isStreaming: false, opensStream: false)
    static let bidi = Machine.Method.found(fullMethod: "/s/B", isStreaming: true, opensStream: true)

    static func run(_ inputs: [Input]) -> [Output] {
        var machine = Machine(limits: limits)
        machine.added()
        var outputs: [Output] = []
        for input in inputs {
            switch input {
            case .request(let id): outputs.append(.request(machine.requestReceived(id)))
            case .admit(let method): outputs.append(.admit(machine.admit(method)))
            case .start(let id, let name, let acceptsData):
                // As the handler does: the id is checked first, and only a good one starts.
                let action = machine.requestReceived(id)
                guard action == .decode else {
                    outputs.append(.request(action))
                    continue
                }
                machine.started(id, stream: name, acceptsData: acceptsData)
                outputs.append(.started)
            case .data(let id, let flags): outputs.append(.action(machine.dataReceived(id, flags: flags)))
            case .overflow(let id): outputs.append(.action(machine.overflowed(id)))
            case .cancel(let id): outputs.append(.action(machine.cancelReceived(id)))
            case .oversized(let id, let type, let length):
                outputs.append(
                    .action(machine.oversizedReceived(FrameHeader(length: length, streamID: id, type: type))))
            case .finished(let id): outputs.append(.finished(machine.finished(id)))
            case .fail(let id, let error): outputs.append(.action(machine.fail(id, error)))
            case .drain:
                machine.drain()
                outputs.append(.none)
            case .closeRequested:
                machine.closeRequested()
                outputs.append(.none)
            case .closed: outputs.append(.closed(machine.closed().map { $0.sorted { $0.0 < $1.0 }.map(\.1) }))
            }
        }
        return outputs
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var inputs: [Input]
        var expected: [Output]
        var testDescription: String { name }
    }

    static let cancelled = RPCError(code: .cancelled, message: "cancelled by the client")

    static let rows: [Row] = [
        // Ids: odd and increasing.
        Row(
            name: "odd, increasing ids open streams",
            inputs: [.request(1), .request(3), .request(7)],
            expected: [.request(.decode), .request(.decode), .request(.decode)]),
        Row(
            name: "an even id is refused and does not count as used",
            inputs: [.request(2), .request(1)],
            expected: [
                .request(.refuse(.invalidArgument, "stream id 2 must be odd: client streams use odd ids")),
                .request(.decode),
            ]),
        Row(
            name: "an id re-used or lower is refused",
            inputs: [.request(5), .request(5), .request(3)],
            expected: [
                .request(.decode),
                .request(.refuse(.invalidArgument, "stream id 5 cannot be re-used and must increment (last: 5)")),
                .request(.refuse(.invalidArgument, "stream id 3 cannot be re-used and must increment (last: 5)")),
            ]),
        // Admission.
        Row(
            name: "unknown service and method are UNIMPLEMENTED",
            inputs: [.admit(.unknownService("x.Y")), .admit(.unknownMethod("Z"))],
            expected: [.admit(.refuse(.unimplemented, "service x.Y")), .admit(.refuse(.unimplemented, "method Z"))]),
        Row(
            name: "a unary method with remote open is UNIMPLEMENTED; a streaming one runs",
            inputs: [.admit(.found(fullMethod: "/s/M", isStreaming: false, opensStream: true)), .admit(bidi)],
            expected: [
                .admit(.refuse(.unimplemented, "method /s/M is unary but the request opened a stream")),
                .admit(.dispatch),
            ]),
        Row(
            name: "max concurrent streams: the third is RESOURCE_EXHAUSTED until one ends",
            inputs: [
                .start(1, "a"), .start(3, "b"), .admit(unary), .finished(1), .admit(unary),
            ],
            expected: [
                .started, .started, .admit(.refuse(.resourceExhausted, "too many concurrent streams: max 2")),
                .finished("a"), .admit(.dispatch),
            ]),
        Row(
            name: "draining: new calls are UNAVAILABLE, running streams go on",
            inputs: [.start(1, "a"), .drain, .request(3), .admit(unary), .finished(1)],
            expected: [
                .started, .none, .request(.decode), .admit(.refuse(.unavailable, "srv is shutting down")),
                .finished("a"),
            ]),
        // Data.
        Row(
            name: "data for a stream that never opened is refused; for one that ended it is dropped",
            inputs: [.data(9), .start(1, "a"), .finished(1), .data(1)],
            expected: [
                .action(.refuse(9, .invalidArgument, "stream id 9 is not active")), .started, .finished("a"),
                .action(.drop),
            ]),
        Row(
            name: "data for a stream that takes none fails it",
            inputs: [.start(1, "a"), .data(1), .data(1)],
            expected: [
                .started,
                .action(.fail(1, "a", RPCError(code: .invalidArgument, message: "stream 1 accepts no data"))),
                .action(.drop),
            ]),
        Row(
            name: "data is delivered; no-data delivers nothing; half-close ends the client's side",
            inputs: [
                .start(1, "a", acceptsData: true), .data(1), .data(1, .noData), .data(1, .remoteClosed),
                .data(1),
            ],
            expected: [
                .started, .action(.deliver(1, "a", enqueue: true, halfClose: false)),
                .action(.deliver(1, "a", enqueue: false, halfClose: false)),
                .action(.deliver(1, "a", enqueue: true, halfClose: true)),
                .action(.fail(1, "a", RPCError(code: .invalidArgument, message: "stream 1 accepts no data"))),
            ]),
        Row(
            name: "a full queue fails the stream with RESOURCE_EXHAUSTED",
            inputs: [.start(1, "a", acceptsData: true), .data(1), .overflow(1), .data(1)],
            expected: [
                .started, .action(.deliver(1, "a", enqueue: true, halfClose: false)),
                .action(
                    .fail(1, "a", RPCError(code: .resourceExhausted, message: "stream 1: more than 16 messages queued"))
                ),
                .action(.drop),
            ]),
        Row(
            name: "a half-closed stream still runs: it counts toward the cap and a cancel ends it",
            inputs: [
                .start(1, "a", acceptsData: true), .data(1, [.remoteClosed, .noData]), .start(3, "b"), .admit(bidi),
                .cancel(1), .admit(bidi),
            ],
            expected: [
                .started, .action(.deliver(1, "a", enqueue: false, halfClose: true)), .started,
                .admit(.refuse(.resourceExhausted, "too many concurrent streams: max 2")),
                .action(.fail(1, "a", cancelled)), .admit(.dispatch),
            ]),
        // Cancel.
        Row(
            name: "cancel ends a running stream once; for any other id it is dropped",
            inputs: [.cancel(1), .start(1, "a"), .cancel(1), .cancel(1), .finished(1)],
            expected: [.action(.drop), .started, .action(.fail(1, "a", cancelled)), .action(.drop), .finished(nil)]),
        // Oversized frames.
        Row(
            name: "an oversized request is RESOURCE_EXHAUSTED and uses its id",
            inputs: [.oversized(5, .request), .request(3), .request(7)],
            expected: [
                .action(.refuse(5, .resourceExhausted, "frame of 5000 bytes exceeds the maximum of 1024")),
                .request(.refuse(.invalidArgument, "stream id 3 cannot be re-used and must increment (last: 5)")),
                .request(.decode),
            ]),
        Row(
            name: "an oversized request with an even id is answered but uses no id",
            inputs: [.oversized(4, .request), .request(1)],
            expected: [
                .action(.refuse(4, .resourceExhausted, "frame of 5000 bytes exceeds the maximum of 1024")),
                .request(.decode),
            ]),
        Row(
            name: "oversized data fails its running stream; otherwise, and other types, are dropped",
            inputs: [.oversized(1, .data), .start(1, "a"), .oversized(1, .data), .oversized(3, .cancel)],
            expected: [
                .action(.drop), .started,
                .action(
                    .fail(
                        1, "a",
                        RPCError(code: .resourceExhausted, message: "frame of 5000 bytes exceeds the maximum of 1024"))),
                .action(.drop),
            ]),
        // Handler end, deadline, failures.
        Row(
            name: "a stream ends once: handler end, deadline and cancel after it find nothing",
            inputs: [
                .start(1, "a"), .fail(1, RPCError(code: .deadlineExceeded, message: "late")), .finished(1),
                .cancel(1),
            ],
            expected: [
                .started, .action(.fail(1, "a", RPCError(code: .deadlineExceeded, message: "late"))), .finished(nil),
                .action(.drop),
            ]),
        // Close.
        Row(
            name: "finding 1: after a close is requested, frames start nothing; running streams may still end",
            inputs: [
                .start(1, "a"), .closeRequested, .request(3), .data(1), .cancel(1), .oversized(5, .request),
                .fail(1, RPCError(code: .deadlineExceeded, message: "late")),
            ],
            expected: [
                .started, .none, .request(.drop), .action(.drop), .action(.drop), .action(.drop),
                .action(.fail(1, "a", RPCError(code: .deadlineExceeded, message: "late"))),
            ]),
        Row(
            name: "close while streams are active releases each once; frames after it start nothing",
            inputs: [.start(1, "a"), .start(3, "b"), .closed, .closed, .request(5), .finished(1), .data(7)],
            expected: [
                .started, .started, .closed(["a", "b"]), .closed(nil), .request(.drop), .finished(nil), .action(.drop),
            ]),
    ]

    @Test("Rows: state and inputs give the expected actions", arguments: rows)
    func row(_ row: Row) {
        #expect(Self.run(row.inputs) == row.expected)
    }

    @Test("The lifecycle: idle takes no frames, open takes them, closing and closed only write or nothing")
    func lifecycle() {
        var machine = Machine(limits: Self.limits)
        #expect(machine.lifecycle == .idle && !machine.isOpen && !machine.isWritable)
        #expect(machine.requestReceived(1) == .drop)
        machine.closeRequested()  // before the handler is added: nothing to close
        #expect(machine.lifecycle == .idle)
        machine.added()
        #expect(machine.isOpen && machine.isWritable)
        machine.started(1, stream: "a", acceptsData: false)
        #expect(machine.canWrite(1) && !machine.canWrite(3))
        machine.closeRequested()
        #expect(!machine.isOpen && machine.isWritable && machine.canWrite(1))
        machine.added()  // added again (never happens) does not reopen
        #expect(machine.lifecycle == .closing)
        #expect(machine.closed()?.map(\.1) == ["a"])
        #expect(!machine.isWritable && !machine.canWrite(1) && machine.activeStreamCount == 0)
    }
}
