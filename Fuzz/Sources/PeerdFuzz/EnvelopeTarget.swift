import NIOCore
import PeerWire

/// ttrpc's Request and Response envelopes: what decodes encodes back to an equal envelope.
/// Input: byte 0 picks the envelope (even: Request, odd: Response); the rest is its encoding.
enum EnvelopeTarget {
    @Sendable static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let bytes = ByteBuffer(bytes: input.dropFirst())
        if selector % 2 == 0 {
            MessagesTarget.roundTrip(RequestEnvelope.self, bytes)
        } else {
            MessagesTarget.roundTrip(ResponseEnvelope.self, bytes)
        }
    }

    @Sendable static func seeds() -> [[UInt8]] {
        let request = RequestEnvelope(
            service: GrpcHealthV1.Health.check.service, method: GrpcHealthV1.Health.check.method,
            payload: ByteBuffer(bytes: [10, 0]),
            timeoutNanos: 1_000_000, metadata: [.init(key: "k", value: "v")])
        let response = ResponseEnvelope(
            code: .notFound, message: "unknown service", payload: ByteBuffer(bytes: [8, 1]))
        return [
            [0] + Array(request.encoded().readableBytesView),
            [0] + Array(RequestEnvelope(service: "s", method: "m").encoded().readableBytesView),
            [1] + Array(response.encoded().readableBytesView),
            [1] + Array(ResponseEnvelope().encoded().readableBytesView),
        ]
    }
}
