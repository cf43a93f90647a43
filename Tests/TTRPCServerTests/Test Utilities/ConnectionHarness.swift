import Logging
import NIOCore
import NIOEmbedded
import PeerWire

@_spi(Fuzzing) @testable import TTRPCServer

#if canImport(Glibc)
    import Glibc
#endif

/// A ConnectionHandler in a test channel: frames in, frames out, no socket.
final class ConnectionHarness {
    let channel: NIOAsyncTestingChannel
    let registry: ConnectionRegistry

    /// - Parameter failingWrites: the socket breaks at the first write, as a client that closed
    ///   without reading makes it (EPIPE): the write fails and the error closes the channel.
    init(
        router: RPCRouter, configuration: ServerConfiguration = ServerConfiguration(socketPath: "/unused"),
        failingWrites: Bool = false
    ) async throws {
        let registry = ConnectionRegistry()
        self.channel = try await NIOAsyncTestingChannel { channel in
            if failingWrites { try channel.pipeline.syncOperations.addHandler(BrokenPipe()) }
            try channel.pipeline.syncOperations.addHandler(
                ConnectionHandler(
                    router: router, configuration: configuration, credentials: PeerCredentials(pid: 1, uid: 0, gid: 0),
                    registry: registry, logger: Logger(label: "test")))
        }
        self.registry = registry
    }

    func send(_ frame: Frame) async throws {
        var bytes = ByteBuffer()
        frame.write(to: &bytes)
        try await channel.writeInbound(bytes)
    }

    func call(
        _ id: UInt32, _ service: String, _ method: String, payload: ByteBuffer = ByteBuffer(), timeoutNanos: Int64 = 0,
        flags: FrameFlags = []
    ) async throws {
        let envelope = RequestEnvelope(service: service, method: method, payload: payload, timeoutNanos: timeoutNanos)
        try await send(Frame(streamID: id, type: .request, flags: flags, payload: envelope.encoded()))
    }

    /// The next frame the handler writes (it writes bytes: a frame may span two writes).
    func nextFrame() async throws -> Frame {
        while true {
            if case .frame(let frame)? = try decoder.decode(buffer: &written) { return frame }
            var bytes = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            written.writeBuffer(&bytes)
        }
    }

    /// Bytes written but not yet read as frames.
    private var written = ByteBuffer()
    private var decoder = FrameDecoder()

    /// The next frame, which must be a Response; returns its stream id and envelope.
    func nextResponse() async throws -> (streamID: UInt32, response: ResponseEnvelope) {
        let frame = try await nextFrame()
        guard frame.type == .response else { throw HarnessError.unexpected(frame) }
        return (frame.streamID, try ResponseEnvelope(wire: frame.payload))
    }

    /// True when nothing is waiting to be read out.
    func noOutput() async throws -> Bool {
        try await channel.readOutbound(as: ByteBuffer.self) == nil
    }

    enum HarnessError: Error { case unexpected(Frame) }
}

extension RPCRouter {
    /// A router with test methods: Echo (inline), Fail (inline, throws), Sleep (unary, never ends
    /// unless cancelled), Count (server streaming), Sum (bidirectional).
    static func testRouter() -> RPCRouter {
        var router = RPCRouter()
        router.register(service: "t", method: "Echo", .inline { payload, _ in payload })
        router.register(
            service: "t", method: "Fail",
            .inline { _, _ in
                throw RPCError(code: .failedPrecondition, message: "no")
            })
        router.register(service: "t", method: "Boom", .inline { _, _ in throw TestFailure() })
        router.register(
            service: "t", method: "Sleep",
            .unary { _, _ in
                try await Task.sleep(for: .seconds(3600))
                return ByteBuffer()
            })
        router.register(
            service: "t", method: "Count",
            .serverStreaming { payload, _, writer in
                let count = payload.getInteger(at: payload.readerIndex, as: UInt8.self) ?? 0
                for index in 0..<count { try await writer.write(bytes: ByteBuffer(bytes: [index])) }
            })
        router.register(
            service: "t", method: "Sum",
            .bidirectionalStreaming { requests, _, writer in
                var total = 0
                for try await message in requests {
                    total += Int(message.getInteger(at: message.readerIndex, as: UInt8.self) ?? 0)
                }
                try await writer.write(bytes: ByteBuffer(bytes: [UInt8(total)]))
            })
        return router
    }
}

struct TestFailure: Error {}

/// Stands for a socket whose peer is gone: every write fails with EPIPE, and the error travels
/// up the pipeline as NIO's socket channel sends it, which closes the connection.
final class BrokenPipe: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let error = IOError(errnoCode: EPIPE, reason: "write")
        promise?.fail(error)
        context.fireErrorCaught(error)
    }
}
