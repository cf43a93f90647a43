import NIOCore
import PeerWire

/// The raw payloads of a stream's Data frames, with backpressure: the producer is the event loop.
typealias PayloadProducer = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, StreamDelegate
>

/// Tells the event loop when a stream's consumer caught up (reading resumes) or went away
/// (the call is cancelled: peerd gets a Cancel frame).
struct StreamDelegate: NIOAsyncSequenceProducerDelegate {
    let connection: ClientConnection.Established
    let call: CallBox

    func produceMore() {
        let call = call
        connection.onLoop { $0.produceMore(call) }
    }

    func didTerminate() {
        // After the stream ended this finds nothing to cancel.
        connection.cancel(call, reason: "the client stopped reading")
    }
}

/// The responses of a streaming call, as an `AsyncSequence` (one iterator). It ends when peerd
/// ends the stream with OK, and throws ``PeerdClientError`` when it ends with another status.
/// Abandoning it (or cancelling the task that iterates it) cancels the call on peerd.
public struct ResponseStream<Response: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Response

    let payloads: PayloadProducer

    public struct AsyncIterator: AsyncIteratorProtocol {
        var payloads: PayloadProducer.AsyncIterator

        public mutating func next() async throws -> Response? {
            guard let payload = try await payloads.next() else { return nil }
            return try decodeReply(Response.self, payload)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(payloads: payloads.makeAsyncIterator())
    }
}
