import Foundation
import NIOCore
import PeerWire

/// A blocking Unix-socket client that sends hand-built ttrpc frames: the test's view of the wire,
/// independent of peerd's server code. Shared by the in-process service tests (PeerServerTests)
/// and the process tests (peerdTests).
public final class SocketClient {
    /// -1 once closed. Closed exactly once: tests run in parallel, and a second close(2) of a
    /// number the kernel has handed out again closes another test's socket or file under it.
    private var fd: Int32 = -1
    private var buffer = ByteBuffer()

    public init(path: String, receiveTimeout: Duration = .seconds(10)) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)  // not yet ours: deinit, which runs for a failed init too, leaves it alone
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.fd = fd
        setReceiveTimeout(receiveTimeout)
    }

    /// How long a read waits for peerd before it throws ETIMEDOUT.
    public func setReceiveTimeout(_ receiveTimeout: Duration) {
        let (seconds, attoseconds) = receiveTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { close() }

    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw POSIXError(.EPIPE) }
            offset += written
        }
    }

    public func send(_ frame: Frame) throws {
        var bytes = ByteBuffer()
        frame.write(to: &bytes)
        try sendRaw(Array(bytes.readableBytesView))
    }

    public func request(
        _ id: UInt32, _ service: String, _ method: String, payload: ByteBuffer = ByteBuffer(), timeoutNanos: Int64 = 0,
        flags: FrameFlags = []
    ) throws {
        let envelope = RequestEnvelope(service: service, method: method, payload: payload, timeoutNanos: timeoutNanos)
        try send(Frame(streamID: id, type: .request, flags: flags, payload: envelope.encoded()))
    }

    /// A Request frame for a contract method (the names from its generated descriptor).
    public func request<Request, Response>(
        _ id: UInt32, _ method: MethodDescriptor<Request, Response>, payload: ByteBuffer = ByteBuffer(),
        timeoutNanos: Int64 = 0, flags: FrameFlags = []
    ) throws {
        try request(id, method.service, method.method, payload: payload, timeoutNanos: timeoutNanos, flags: flags)
    }

    /// The next frame; throws on timeout or when peerd closed the connection.
    public func readFrame() throws -> Frame {
        var decoder = FrameDecoder()
        while true {
            if case .frame(let frame)? = try decoder.decode(buffer: &buffer) { return frame }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw POSIXError(count == 0 ? .ECONNRESET : .ETIMEDOUT) }
            buffer.writeBytes(chunk[0..<count])
        }
    }

    /// True when peerd closed the connection (EOF) within the receive timeout.
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    public func readResponse() throws -> (streamID: UInt32, response: ResponseEnvelope) {
        let frame = try readFrame()
        guard frame.type == .response else { throw SocketClientError.unexpected(frame) }
        return (frame.streamID, try ResponseEnvelope(wire: frame.payload))
    }

    /// The Response that ends stream `id`, skipping Data frames and other streams' Responses
    /// (a test that pipelines requests reads only the answer it is checking).
    public func response(on id: UInt32) throws -> ResponseEnvelope {
        while true {
            let frame = try readFrame()
            if frame.type == .response, frame.streamID == id { return try ResponseEnvelope(wire: frame.payload) }
        }
    }

    /// A unary call: sends the request, reads the Response for that stream.
    public func call(
        _ id: UInt32, _ service: String, _ method: String, payload: ByteBuffer = ByteBuffer(), timeoutNanos: Int64 = 0
    ) throws -> ResponseEnvelope {
        try request(id, service, method, payload: payload, timeoutNanos: timeoutNanos)
        let (streamID, response) = try readResponse()
        guard streamID == id else { throw SocketClientError.wrongStream(streamID) }
        return response
    }

    /// A unary call of a contract method (the names from its generated descriptor).
    public func call<Request, Response>(
        _ id: UInt32, _ method: MethodDescriptor<Request, Response>, payload: ByteBuffer = ByteBuffer(),
        timeoutNanos: Int64 = 0
    ) throws -> ResponseEnvelope {
        try call(id, method.service, method.method, payload: payload, timeoutNanos: timeoutNanos)
    }

    public func healthCheck(_ id: UInt32, service: String = "") throws -> Health.ServingStatus? {
        let response = try call(id, GrpcHealthV1.Health.check, payload: Health.CheckRequest(service: service).encoded())
        guard response.code == .ok else { return nil }
        return try Health.CheckResponse(wire: response.payload).status
    }
}

public enum SocketClientError: Error {
    case unexpected(Frame)
    case wrongStream(UInt32)
}
