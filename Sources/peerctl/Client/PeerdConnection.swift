import Foundation
import NIOCore
import PeerWire
import TTRPCServer

/// A blocking ttrpc connection to peerd: what a command-line tool needs (one call at a time, or
/// one stream), with no event loop.
final class PeerdConnection {
    let socketPath: String
    /// -1 until connected: deinit runs for a failed init too, and must not close a descriptor
    /// number twice (by then it may be another open file's).
    private var fd: Int32 = -1
    private var buffer = ByteBuffer()
    private var decoder = FrameDecoder()
    private var nextStreamID: UInt32 = 1

    struct ConnectError: Error, CustomStringConvertible {
        var description: String
    }

    init(socketPath: String) throws {
        self.socketPath = socketPath
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectError(description: "cannot create a socket: \(Self.errno())") }
        let connected = UnixSocketPath.connect(fd, to: socketPath) == 0
        guard connected else {
            let reason = Self.errno()
            close(fd)
            throw ConnectError(
                description: "cannot connect to peerd at \(socketPath): \(reason) (is it running? see --socket)")
        }
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// A unary call; a non-OK status is thrown as `RPCError`.
    func call<Response: WireMessage>(
        _ service: String, _ method: String, _ request: some WireMessage, timeout: Duration = .seconds(30)
    ) throws -> Response {
        let id = openStream(service, method, request, flags: [], timeout: timeout)
        while true {
            let frame = try readFrame()
            guard frame.streamID == id, frame.type == .response else { continue }
            let response = try ResponseEnvelope(wire: frame.payload)
            guard response.code == .ok else { throw RPCError(code: response.code, message: response.message) }
            return try Response(wire: response.payload)
        }
    }

    /// A server-streaming call: `onMessage` gets each message until the stream ends; a non-OK
    /// final status is thrown as `RPCError`.
    func stream<Message: WireMessage>(
        _ service: String, _ method: String, _ request: some WireMessage, onMessage: (Message) throws -> Void
    ) throws {
        let id = openStream(service, method, request, flags: .remoteClosed, timeout: nil)
        while true {
            let frame = try readFrame()
            guard frame.streamID == id else { continue }
            if frame.type == .data {
                if !frame.flags.contains(.noData) { try onMessage(try Message(wire: frame.payload)) }
                continue
            }
            guard frame.type == .response else { continue }
            let response = try ResponseEnvelope(wire: frame.payload)
            guard response.code == .ok else { throw RPCError(code: response.code, message: response.message) }
            return
        }
    }

    private func openStream(
        _ service: String, _ method: String, _ request: some WireMessage, flags: FrameFlags, timeout: Duration?
    ) -> UInt32 {
        let id = nextStreamID
        nextStreamID += 2
        let nanos = timeout.map { Int64($0.components.seconds) * 1_000_000_000 } ?? 0
        let envelope = RequestEnvelope(
            service: service, method: method, payload: request.encoded(), timeoutNanos: nanos)
        var bytes = ByteBuffer()
        Frame(streamID: id, type: .request, flags: flags, payload: envelope.encoded()).write(to: &bytes)
        writeAll(Array(bytes.readableBytesView))
        return id
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }  // the read that follows reports the closed connection
            offset += written
        }
    }

    private func readFrame() throws -> Frame {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if case .frame(let frame)? = try decoder.decode(buffer: &buffer) { return frame }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ConnectError(description: "peerd closed the connection") }
            buffer.writeBytes(chunk[0..<count])
        }
    }

    private static func errno() -> String { String(cString: strerror(Glibc.errno)) }
}
