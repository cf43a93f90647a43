import NIOCore
import NIOPosix
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// `sidecar-bench --nio-echo-server PATH --reply FILE`: the framework floor. A plain SwiftNIO
/// server like the anchors' "NIO server (1 ELG thread)": one event-loop thread,
/// `ByteToMessageHandler(FrameDecoder)` (PeerWire's, the idiomatic NIO framing; peerd now cuts
/// frames in its connection handler instead), then a handler that answers
/// each frame with peerd's recorded answer (stream id patched) and flushes in
/// `channelReadComplete`. No envelope decoding, routing, engine or logging: what is left between
/// this and peerd is peerd's own per-call work.
func runNIOEchoServer(path: String, reply: [UInt8]) throws -> Never {
    unlink(path)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try ServerBootstrap(group: group)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(ReplyHandler(reply: reply))
            }
        }
        .bind(unixDomainSocketPath: path)
        .wait()
    try channel.closeFuture.wait()
    exit(0)
}

private final class ReplyHandler: ChannelInboundHandler {
    typealias InboundIn = FrameDecoder.Output
    typealias OutboundOut = ByteBuffer

    private let reply: [UInt8]

    init(reply: [UInt8]) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .frame(let frame) = unwrapInboundIn(data) else { return }
        var buffer = context.channel.allocator.buffer(capacity: reply.count)
        buffer.writeBytes(reply)
        buffer.setInteger(frame.streamID, at: 4, endianness: .big)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

@available(*, unavailable)
extension ReplyHandler: Sendable {}
