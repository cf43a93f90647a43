import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

extension BadInputTests {
    @Test("Stream lifecycle", arguments: BadInputCase.lifecycle)
    func lifecycle(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    static let peerManager = PeerManagerV1.PeerManager.serviceName

    /// Issue 8, finding 1, byte for byte: Health/Check on stream 1 and PeerManager/Watch on
    /// stream 3 (remote closed) in one write.
    static let pipelinedCheckAndWatch = RawFrame.hex(
        "0000001e0000000101000a15677270632e6865616c74682e76312e4865616c74681205436865636b"
            + "000000280000000301010a1f77616b752e706565726d616e616765722e76312e506565724d616e6167657212055761746368")

    /// Sends `bytes` on a new connection and closes it at once, `times` times, `pause` apart.
    static func closingRepeatedly(
        _ name: String, times: Int = 3, pause: Duration = .milliseconds(300), failsBeforeFix: String? = nil,
        bytes: @escaping @Sendable () -> [UInt8]
    ) -> BadInputCase {
        BadInputCase(name, .survives, failsBeforeFix: failsBeforeFix) { session in
            for round in 0..<times {
                if round > 0 { Thread.sleep(forTimeInterval: pause.seconds) }
                let client = try session.connect()
                try client.sendRaw(bytes())
                client.close()
            }
            return .closed
        }
    }

    static func streamRequest(_ id: UInt32, _ service: String, _ method: String, flags: UInt8, payload: [UInt8] = [])
        -> [UInt8]
    {
        RawFrame.frame(
            streamID: id, type: 0x01, flags: flags,
            payload: RawProtobuf.request(service: service, method: method, payload: payload))
    }

    static let lifecycle: [BadInputCase] = [
        closingRepeatedly(
            "issue 8's crash: Check and PeerManager/Watch in one write, then close (3 times, 0.3 s apart)",
            failsBeforeFix: "finding 1: force unwrap of the closed connection's context in makeWriter/dispatch"
        ) { pipelinedCheckAndWatch },
        closingRepeatedly(
            "Check and Health/Watch in one write, then close (3 times)",
            failsBeforeFix: "finding 1 (same cause, Health/Watch)"
        ) { checkFrame(1) + streamRequest(3, health, "Watch", flags: 0x01) },
        closingRepeatedly(
            "Check and Host/Attach in one write, then close (3 times)",
            failsBeforeFix: "finding 1 (same cause, bidirectional Attach)"
        ) { checkFrame(1) + streamRequest(3, PeerManagerV1.Host.serviceName, "Attach", flags: 0x02) },
        closingRepeatedly(
            "100 pipelined Checks, then every streaming method, then close (5 times, 50 ms apart)", times: 5,
            pause: .milliseconds(50), failsBeforeFix: "finding 1, by chance (passed in some runs)"
        ) {
            (0..<100).flatMap { checkFrame(UInt32(2 * $0 + 1)) } + streamRequest(201, health, "Watch", flags: 0x01)
                + streamRequest(203, peerManager, "Watch", flags: 0x01)
                + streamRequest(205, PeerManagerV1.Host.serviceName, "Attach", flags: 0x02)
        },
        BadInputCase("Data after the client half-closed a server-streaming call", .status(.invalidArgument)) {
            session in
            let client = try session.connect()
            try client.sendRaw(
                streamRequest(1, health, "Watch", flags: 0x01)
                    + RawFrame.frame(streamID: 1, type: 0x03, payload: [0x0a, 0x00]))
            let response = try client.response(on: 1)
            try client.expectServing()
            return .status(response.code, response.message)
        },
        BadInputCase("Cancel, then Data and Cancel again on the cancelled stream", .status(.cancelled)) { session in
            let client = try session.connect()
            try client.sendRaw(
                streamRequest(1, health, "Watch", flags: 0x01) + RawFrame.frame(streamID: 1, type: 0x10)
                    + RawFrame.frame(streamID: 1, type: 0x03, payload: [0x0a, 0x00])
                    + RawFrame.frame(streamID: 1, type: 0x10))
            let response = try client.response(on: 1)
            // Nothing more for stream 1: the next Response is the follow-up Check's.
            guard case .noAnswer = try client.answerBeforeFollowUp() else {
                return .status(.unknown, "a second Response after CANCELLED")
            }
            return .status(response.code, response.message)
        },
        BadInputCase("a Cancel for a unary call already answered", .noAnswer) { session in
            let client = try session.connect()
            try client.sendRaw(checkFrame(1) + RawFrame.frame(streamID: 1, type: 0x10))
            let response = try client.response(on: 1)
            guard response.code == .ok else { return .status(response.code, "the call: \(response.message)") }
            return try client.answerBeforeFollowUp()
        },
        closing("PeerManager/Watch, then close without reading") {
            streamRequest(1, peerManager, "Watch", flags: 0x01)
        },
        BadInputCase("50 connections open a Watch each and close at once", .survives) { session in
            for _ in 0..<50 {
                let client = try session.connect()
                try client.sendRaw(
                    streamRequest(1, peerManager, "Watch", flags: 0x01) + streamRequest(3, health, "Watch", flags: 0x01)
                )
                client.close()
            }
            return .closed
        },
        closing("200 Watches on one connection (over the stream cap), then close") {
            (0..<200).flatMap { streamRequest(UInt32(2 * $0 + 1), health, "Watch", flags: 0x01) }
        },
        closing("Attach, then close before the hello") {
            streamRequest(1, PeerManagerV1.Host.serviceName, "Attach", flags: 0x02)
        },
        closing("Attach, half a hello, then close") {
            let hello = PeerManagerV1.HostEvent(
                event: .hello(.init(peerID: TestPeers.id(9999), online: false, takeOver: true)))
            let frame = RawFrame.frame(streamID: 1, type: 0x03, payload: Array(hello.encoded().readableBytesView))
            return streamRequest(1, PeerManagerV1.Host.serviceName, "Attach", flags: 0x02)
                + frame.prefix(frame.count / 2)
        },
        BadInputCase("Attach with the hello in the Request, then close at once", .survives) { session in
            let hello = PeerManagerV1.HostEvent(
                event: .hello(.init(peerID: TestPeers.id(9999), online: false, takeOver: true)))
            let client = try session.connect()
            try client.sendRaw(
                streamRequest(
                    1, PeerManagerV1.Host.serviceName, "Attach", flags: 0x02,
                    payload: Array(hello.encoded().readableBytesView)))
            client.close()
            return .closed
        },
        BadInputCase("Attach with remote closed and no hello", .status(.invalidArgument)) { session in
            let client = try session.connect()
            try client.sendRaw(streamRequest(1, PeerManagerV1.Host.serviceName, "Attach", flags: 0x01))
            let response = try client.response(on: 1)
            try client.expectServing()
            return .status(response.code, response.message)
        },
    ]
}
