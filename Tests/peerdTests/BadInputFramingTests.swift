import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// The bad-input suite: every case runs against one shared peerd over its real socket (see
/// ``BadInputPeerd/run(_:)`` for what each case checks besides its status). Cases that fail on
/// the code before issue 8's fixes say so in `failsBeforeFix`.
@Suite("Bad input over the real socket", .serialized, .sharedBadInputPeerd)
struct BadInputTests {
    @Test("Framing", arguments: BadInputCase.framing)
    func framing(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    static let maxFrame = 4 << 20  // peerd's default --max-frame-size
    static let health = GrpcHealthV1.Health.serviceName

    /// A whole Health/Check Request frame on `id`.
    static func checkFrame(_ id: UInt32, flags: UInt8 = 0) -> [UInt8] {
        RawFrame.frame(
            streamID: id, type: 0x01, flags: flags, payload: RawProtobuf.request(service: health, method: "Check"))
    }

    static let framing: [BadInputCase] = [
        closing("a header alone, promising 100 bytes, then close") {
            RawFrame.header(length: 100, streamID: 1, type: 0x01)
        },
        closing("half a header, then close") { Array(RawFrame.header(length: 30, streamID: 1, type: 0x01)[0..<5]) },
        closing("a Request cut in the middle, then close") { Array(checkFrame(1).prefix(20)) },
        closing("a frame whose length is shorter than its envelope, then close") {
            RawFrame.header(length: 10, streamID: 1, type: 0x01) + RawProtobuf.request(service: health, method: "Check")
        },
        frames("a Request of length 0xFFFFFFFF", answerOn: 1, expect: .status(.resourceExhausted), followUp: false) {
            RawFrame.header(length: .max, streamID: 1, type: 0x01) + [UInt8](repeating: 0, count: 64)
        },
        frames("a Request one byte over the maximum, with its body", answerOn: 1, expect: .status(.resourceExhausted)) {
            RawFrame.frame(streamID: 1, type: 0x01, payload: [UInt8](repeating: 0xFF, count: maxFrame + 1))
        },
        frames("a Request of exactly the maximum, all 0xFF", answerOn: 1, expect: .status(.internal)) {
            RawFrame.frame(streamID: 1, type: 0x01, payload: [UInt8](repeating: 0xFF, count: maxFrame))
        },
        frames("a zero-length Request (no service)", answerOn: 1, expect: .status(.unimplemented)) {
            RawFrame.frame(streamID: 1, type: 0x01)
        },
        frames("a zero-length Data frame for a stream never opened", answerOn: 5, expect: .status(.invalidArgument)) {
            RawFrame.frame(streamID: 5, type: 0x03)
        },
        frames("a Data frame with a payload for a stream never opened", answerOn: 7, expect: .status(.invalidArgument))
        {
            RawFrame.frame(streamID: 7, type: 0x03, flags: 0x01, payload: [0x0a, 0x02, 0x41, 0x42])
        },
        frames("an oversized Data frame on an open Attach stream", answerOn: 1, expect: .status(.resourceExhausted)) {
            RawFrame.frame(
                streamID: 1, type: 0x01, flags: 0x02,
                payload: RawProtobuf.request(service: PeerManagerV1.Host.serviceName, method: "Attach"))
                + RawFrame.frame(streamID: 1, type: 0x03, payload: [UInt8](repeating: 0, count: maxFrame + 1))
        },
        frames("a Cancel for a stream never opened", expect: .noAnswer) { RawFrame.frame(streamID: 9, type: 0x10) },
        frames("a Cancel with a garbage payload for a stream never opened", expect: .noAnswer) {
            RawFrame.frame(streamID: 9, type: 0x10, payload: [0xFF, 0xFF, 0xFF, 0x07])
        },
        frames("a frame of unknown type 0x55", expect: .noAnswer) {
            RawFrame.frame(streamID: 1, type: 0x55, payload: [1, 2, 3])
        },
        frames("a frame of type 0x00 on stream 0", expect: .noAnswer) { RawFrame.frame(streamID: 0, type: 0x00) },
        frames("a Response frame sent by the client", expect: .noAnswer) {
            RawFrame.frame(streamID: 1, type: 0x02, payload: [0x0a, 0x00])
        },
        frames("2,000 frames of unknown types in one write", expect: .noAnswer) {
            (0..<2000).flatMap { RawFrame.frame(streamID: UInt32($0), type: UInt8(0x20 + $0 % 200), payload: [7]) }
        },
        frames("an even stream id", answerOn: 2, expect: .status(.invalidArgument)) { checkFrame(2) },
        frames("stream id 0", answerOn: 0, expect: .status(.invalidArgument)) { checkFrame(0) },
        frames("a lower stream id after a higher one", answerOn: 3, expect: .status(.invalidArgument)) {
            checkFrame(5) + checkFrame(3)
        },
        BadInputCase("a stream id used twice", .status(.invalidArgument)) { session in
            let client = try session.connect()
            try client.sendRaw(checkFrame(1) + checkFrame(1))
            let first = try client.response(on: 1)
            guard first.code == .ok else { return .status(first.code, "first call: \(first.message)") }
            let second = try client.response(on: 1)
            try client.expectServing()
            return .status(second.code, second.message)
        },
        frames("stream id 0xFFFFFFFF", answerOn: .max, expect: .status(.ok), followUp: false) { checkFrame(.max) },
        frames("unknown flag bits 0xF0 on a unary Request", answerOn: 1, expect: .status(.ok)) {
            checkFrame(1, flags: 0xF0)
        },
        frames(
            "every flag bit on a unary Request (remote open among them)", answerOn: 1, expect: .status(.unimplemented)
        ) {
            checkFrame(1, flags: 0xFF)
        },
        frames("remote open on a unary method", answerOn: 1, expect: .status(.unimplemented)) {
            checkFrame(1, flags: 0x02)
        },
    ]
}
