import NIOCore
import PeerWire

/// A bidirectional call: ``send(_:)`` requests, ``finish()`` to say there are no more, and the
/// responses as an `AsyncSequence` (one iterator), which ends with peerd's status as
/// ``ResponseStream`` does.
public struct BidirectionalStream<Request: WireMessage, Response: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Response

    let responses: ResponseStream<Response>
    let connection: ClientConnection
    let established: ClientConnection.Established
    let call: CallBox

    /// Sends one message; returns once it is written to the socket (so a fast sender waits for a
    /// slow socket). Throws when the stream has ended or the connection is lost.
    public func send(_ message: Request) async throws {
        try await write(connection.dataFrame(message), flags: [])
    }

    /// Tells peerd no more messages follow (a Data frame with `remote closed | no data`).
    public func finish() async throws {
        var frame = ByteBuffer()
        frame.writeRepeatingByte(0, count: FrameHeader.size)  // the header, written once the stream id is known
        try await write(frame, flags: [.remoteClosed, .noData])
    }

    /// Abandons the call: peerd gets a Cancel frame and the responses end with CANCELLED.
    public func cancel() {
        established.cancel(call, reason: "cancelled by the client")
    }

    private func write(_ frame: ByteBuffer, flags: FrameFlags) async throws {
        let promise = established.eventLoop.makePromise(of: Void.self)
        let call = call
        established.onLoop { $0.send(call, frame: frame, flags: flags, promise: promise) }
        try await promise.futureResult.get()
    }

    public func makeAsyncIterator() -> ResponseStream<Response>.AsyncIterator {
        responses.makeAsyncIterator()
    }
}
