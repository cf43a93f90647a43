import Dispatch
import NIOCore
import NIOEmbedded
@_spi(Fuzzing) import PeerServer
import PeerWire

#if canImport(Glibc)
    import Glibc
#endif

/// The connection handler with every real service behind it, fed a client's byte stream.
///
/// Input: three control bytes, then the bytes the client sends.
/// - byte 0, low 4 bits: the server write (1...15) at which the client is gone (its write fails and
///   the channel closes under the handler, as a reset socket does); 0: never. Four bits, not
///   eight: the early writes are where the races are, and the fuzzer finds them 16 times sooner.
/// - byte 1: the size of the chunks the bytes arrive in (0: all in one read).
/// - byte 2: bit 0 set: let the calls run (up to 2 ms) before the client closes; bit 1 set: the
///   client closes after the first chunk.
/// After the last chunk the client closes; the input ends when every call has returned (a call
/// that outlives its connection is a libFuzzer timeout). Every Response written must decode.
enum ConnectionTarget {
    /// One event loop for all inputs; each input gets a new channel and a new server.
    private static let loop = NIOAsyncTestingEventLoop()

    @Sendable static func run(_ input: [UInt8]) {
        guard input.count >= 3 else { return }
        let closeAtWrite = Int(input[0] & 0x0F)
        let chunkSize = input[1] == 0 ? max(1, input.count) : Int(input[1])
        let settle = input[2] & 1 != 0
        let closeEarly = input[2] & 2 != 0
        let bytes = input[3...]

        let server: FuzzingServer
        do { server = try FuzzingServer() } catch { violated("the fuzzing server cannot start: \(error)") }
        let channel = NIOAsyncTestingChannel(loop: loop)
        let client = ClientEnd(closeAtWrite: closeAtWrite)
        onLoop {
            do {
                try channel.pipeline.syncOperations.addHandler(client)
                try server.addConnectionHandler(to: channel)
            } catch {
                violated("cannot set up the pipeline: \(error)")
            }
            channel.register(promise: nil)
            // Made per input: a global SocketAddress looks leaked to LeakSanitizer (Swift keeps
            // enum tags in a pointer's spare bits, which hides the pointer from its scan).
            channel.connect(to: try! SocketAddress(unixDomainSocketPath: "/fuzz/peerd.sock"), promise: nil)
        }
        var chunks: [ByteBuffer] = []
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let end = min(bytes.endIndex, offset + chunkSize)
            chunks.append(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        // Every read in one turn of the loop: a hop per chunk would cost more than what it feeds.
        let reads = chunks
        onLoop {
            for chunk in reads {
                guard channel.isActive else { return }
                channel.pipeline.syncOperations.fireChannelRead(NIOAny(chunk))
                channel.pipeline.syncOperations.fireChannelReadComplete()
                if closeEarly { return }
            }
        }
        if settle {
            let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000
            while server.handlersRunning > 0 && DispatchTime.now().uptimeNanoseconds < deadline { sched_yield() }
        }
        onLoop { channel.close(promise: nil) }
        while server.handlersRunning > 0 { usleep(20) }
        server.shutDown()
        // After what the last handlers handed to the loop.
        onLoop { client.checkResponses() }
        awaitRelease(of: channel)
    }

    /// Waits until nothing holds the input's channel any more. A handler's task can still hold
    /// the connection for a moment after its body returned (its closure, queued to the loop, is
    /// released when the task object goes). Were the input to end then, LeakSanitizer's check
    /// would find the channel's remote address (a `SocketAddress`, whose box is referenced
    /// only through an enum payload with tag bits set, invisible to its scan) and report it as
    /// leaked. A channel still held after a second is a real leak of the connection.
    private static func awaitRelease(of channel: consuming NIOAsyncTestingChannel) {
        let released = WeakReference(channel)
        _ = consume channel
        let deadline = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        while released.isAlive {
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                violated("the connection was not released a second after the input ended")
            }
            onLoop {}
            usleep(20)
        }
    }

    /// Runs `body` on the loop and waits for it.
    private static func onLoop(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            body()
            done.signal()
        }
        done.wait()
    }

    @Sendable static func seeds() -> [[UInt8]] {
        let peer = "16Uiu2HAmPLe7Mzm8TsYUubgCAW1aJoeFScxrLj8ppHFivPo97bUZ"
        let address = "/ip4/10.0.0.1/tcp/60000/p2p/\(peer)"
        // The contract's methods (generated descriptors): the seeds call what peerd serves.
        let manager = PeerManagerV1.PeerManager.self
        let health = GrpcHealthV1.Health.self
        let host = PeerManagerV1.Host.self
        var hello = PeerManagerV1.HostEvent()
        hello.event = .hello(
            .init(peerID: "16Uiu2HAkvWiyFsgRhuJEb9JfjYxEkoHLgnUQmr1N5mKWnYjxYRVm", online: true, takeOver: true))
        var opened = PeerManagerV1.HostEvent()
        opened.event = .connectionOpened(.init(connectionID: 1, peerID: peer, direction: .init(rawValue: 1)))

        let calls: [[UInt8]] = [
            call(1, health.check, Health.CheckRequest()),
            call(1, manager.getInfo, ServerInfo.Request()),
            call(1, manager.addPeer, PeerManagerV1.AddPeerRequest(source: .address(address)))
                + call(3, manager.getPeer, PeerManagerV1.GetPeerRequest(peerID: peer))
                + call(5, manager.listPeers, PeerManagerV1.ListPeersRequest())
                + call(7, manager.removePeer, PeerManagerV1.RemovePeerRequest(peerID: peer)),
            call(1, manager.selectPeer, PeerManagerV1.SelectPeerRequest(protocol: "/vac/waku/relay/2.0.0")),
            call(1, manager.protect, PeerManagerV1.ProtectRequest(peerID: peer, tag: "t"))
                + call(3, manager.unprotect, PeerManagerV1.ProtectRequest(peerID: peer, tag: "t")),
            call(1, manager.connect, PeerManagerV1.ConnectRequest(peers: [address], timeoutMs: 10)),
            call(1, manager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                + call(3, manager.getConfiguration, PeerManagerV1.GetConfigurationRequest()),
            call(1, manager.watch, PeerManagerV1.WatchRequest(decisions: true, peerEvents: true), flags: 0x01),
            call(1, health.watch, Health.CheckRequest(), flags: 0x01) + frame(1, type: 0x10, []),
            call(1, host.attach, hello, flags: 0x02) + frame(1, type: 0x03, bytes(opened))
                + frame(1, type: 0x03, [], flags: 0x05),
            call(1, host.reportEvents, PeerManagerV1.ReportEventsRequest(events: [hello, opened]))
                + call(3, host.pollCommands, PeerManagerV1.PollCommandsRequest(sessionID: 1, waitMs: 1)),
            // Pipelined: a call answered at once, then streams, in one read.
            call(1, health.check, Health.CheckRequest())
                + call(3, manager.watch, PeerManagerV1.WatchRequest(decisions: true), flags: 0x01),
            call(1, manager.getPeer, PeerManagerV1.GetPeerRequest(peerID: peer))
                + call(3, host.attach, hello, flags: 0x02) + call(5, health.watch, Health.CheckRequest()),
        ]
        // Control bytes: never gone during a write, one read, close at once; then in 7-byte reads,
        // letting the calls run; then clients gone at their second or third write.
        return calls.map { [0, 0, 0] + $0 } + [[0, 7, 1] + calls[2], [0, 0, 1] + calls[9]]
            + [[2, 0, 0] + calls[2], [3, 0, 1] + calls[10], [2, 0, 1] + calls[6]]
    }

    private static func call<Request, Response>(
        _ id: UInt32, _ method: MethodDescriptor<Request, Response>, _ message: Request, flags: UInt8 = 0
    ) -> [UInt8] {
        let envelope = RequestEnvelope(service: method.service, method: method.method, payload: message.encoded())
        return frame(id, type: 0x01, bytes(envelope), flags: flags)
    }

    private static func frame(_ id: UInt32, type: UInt8, _ payload: [UInt8], flags: UInt8 = 0) -> [UInt8] {
        var buffer = ByteBuffer()
        Frame(
            streamID: id, type: MessageType(rawValue: type), flags: FrameFlags(rawValue: flags),
            payload: ByteBuffer(bytes: payload)
        ).write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    private static func bytes(_ message: some WireMessage) -> [UInt8] { Array(message.encoded().readableBytesView) }
}

/// The client's end of the connection: takes what the server writes, and goes away at the write
/// the input names (that write fails and the channel closes, as when a socket is reset).
private final class ClientEnd: ChannelOutboundHandler, @unchecked Sendable {
    // @unchecked: used only on the test loop.
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let closeAtWrite: Int
    private var writes = 0
    private var received = ByteBuffer()

    init(closeAtWrite: Int) { self.closeAtWrite = closeAtWrite }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        writes += 1
        guard context.channel.isActive else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        if writes == closeAtWrite {
            promise?.fail(IOError(errnoCode: EPIPE, reason: "write"))
            context.close(promise: nil)
            return
        }
        var bytes = unwrapOutboundIn(data)
        received.writeBuffer(&bytes)
        promise?.succeed(())
    }

    /// Every whole frame the server wrote is a frame, and every Response decodes.
    func checkResponses() {
        var decoder = FrameDecoder()
        while let output = try? decoder.decode(buffer: &received) {
            switch output {
            case .frame(let frame):
                guard frame.type == .response else { continue }
                do { _ = try ResponseEnvelope(wire: frame.payload) } catch {
                    violated("stream \(frame.streamID): the server wrote a Response that does not decode: \(error)")
                }
            case .oversized(let header):
                violated("the server wrote a frame of \(header.length) bytes")
            }
        }
    }
}

/// A weak reference, to see when the last strong one goes.
private final class WeakReference: @unchecked Sendable {
    private weak var object: AnyObject?
    init(_ object: AnyObject) { self.object = object }
    var isAlive: Bool { object != nil }
}
