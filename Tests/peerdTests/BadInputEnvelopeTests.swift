import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

extension BadInputTests {
    @Test("Envelopes", arguments: BadInputCase.envelopes)
    func envelopes(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    /// A NUL inside the envelope's service or method: refused, never served as the name before
    /// the NUL. Which refusal depends on where the NUL fix catches it (the envelope decoder:
    /// INTERNAL or INVALID_ARGUMENT; the router: UNIMPLEMENTED), and all three are right.
    static let nulInEnvelope: BadInputExpectation = .anyOf([.invalidArgument, .internal, .unimplemented])
    /// A name far over any limit: no such service or method, or a string over the byte limit.
    static let hugeName: BadInputExpectation = .anyOf([.unimplemented, .invalidArgument])
    /// peerd reads no metadata; whether a limit applies to it is the fix's choice, survival is not.
    static let metadataLimit: BadInputExpectation = .anyOf([.ok, .invalidArgument])

    static let mebibyte = String(repeating: "a", count: 1 << 20)

    /// Not in issue 8's list: the refusal quotes the whole name back (1 MiB in the Response).
    static let echoesName =
        "UNIMPLEMENTED \"service X\"/\"method Y\" quotes the whole name (ConnectionHandler.receiveRequest)"

    static let envelopes: [BadInputCase] = [
        envelope("garbage Request bytes", expect: .status(.internal)) { _ in [0xFF, 0xFF, 0x01] },
        envelope("4 KiB of 0xFF as the Request", expect: .status(.internal)) { _ in
            [UInt8](repeating: 0xFF, count: 4096)
        },
        envelope("a Request whose service field runs past the end", expect: .status(.internal)) { _ in
            [0x0a, 0x50] + Array("grpc".utf8)
        },
        envelope("a Request whose service is a varint (wrong wire type)", expect: .status(.internal)) { _ in
            [0x08, 0x01, 0x12, 0x05] + Array("Check".utf8)
        },
        envelope("a Request with an unknown field (forward compatible)", expect: .status(.ok)) { _ in
            RawProtobuf.request(service: health, method: "Check") + [0x78, 0x01]
        },
        call("an unknown service", service: "x.Nope", method: "Check", expect: .status(.unimplemented)) { _ in [] },
        call("an unknown method", service: health, method: "Nope", expect: .status(.unimplemented)) { _ in [] },
        call("a service and no method", service: health, method: "", expect: .status(.unimplemented)) { _ in [] },
        call(
            "method \"Check\\0evil\"", service: health, method: "Check\u{0}evil", expect: nulInEnvelope,
            failsBeforeFix: "finding 14: served as Check"
        ) { _ in [] },
        call(
            "service \"grpc.health.v1.Health\\0evil\"", service: health + "\u{0}evil", method: "Check",
            expect: nulInEnvelope, failsBeforeFix: "finding 14: served as Health"
        ) { _ in [] },
        call(
            "a service name of 1 MiB", service: mebibyte, method: "Check", expect: hugeName,
            failsBeforeFix: echoesName
        ) { _ in [] },
        call(
            "a method name of 1 MiB", service: health, method: mebibyte, expect: hugeName, failsBeforeFix: echoesName
        ) { _ in [] },
        call("an undecodable Check request", service: health, method: "Check", expect: .status(.internal)) { _ in
            [0x0a, 0x40, 0x41]
        },
        call(
            // The entries together count as one field under --max-field-bytes (17.9 kB here).
            "1,000 metadata entries", service: health, method: "Check",
            metadata: { (0..<1000).map { ("key-\($0)", "value") } }, expect: .status(.invalidArgument)
        ) { _ in [] },
        call(
            "a metadata value of 1 MiB", service: health, method: "Check", metadata: { [("big", mebibyte)] },
            expect: metadataLimit
        ) { _ in [] },
        call(
            "a metadata key with a NUL", service: health, method: "Check", metadata: { [("key\u{0}evil", "v")] },
            expect: .anyOf([.ok, .invalidArgument, .internal])
        ) { _ in [] },
        call("timeout 0 (none)", service: health, method: "Check", timeoutNanos: 0, expect: .status(.ok)) { _ in [] },
        call("timeout -1 ns (none)", service: health, method: "Check", timeoutNanos: -1, expect: .status(.ok)) { _ in
            []
        },
        call("timeout Int64.min", service: health, method: "Check", timeoutNanos: .min, expect: .status(.ok)) { _ in []
        },
        call("timeout Int64.max", service: health, method: "Check", timeoutNanos: .max, expect: .status(.ok)) { _ in []
        },
        call(
            "timeout 1 ns on a unary call", service: health, method: "Check", timeoutNanos: 1,
            expect: .anyOf([.ok, .deadlineExceeded])
        ) { _ in [] },
        BadInputCase("timeout 1 ns on a stream", .status(.deadlineExceeded)) { session in
            let client = try session.connect()
            try client.sendRaw(
                RawFrame.frame(
                    streamID: 1, type: 0x01, flags: 0x01,
                    payload: RawProtobuf.request(service: health, method: "Watch", timeoutNanos: 1)))
            let response = try client.response(on: 1)
            try client.expectServing()
            return .status(response.code, response.message)
        },
        BadInputCase("timeout Int64.max on a stream, then Cancel", .status(.cancelled)) { session in
            let client = try session.connect()
            try client.sendRaw(
                RawFrame.frame(
                    streamID: 1, type: 0x01, flags: 0x01,
                    payload: RawProtobuf.request(service: health, method: "Watch", timeoutNanos: .max))
                    + RawFrame.frame(streamID: 1, type: 0x10))
            let response = try client.response(on: 1)
            try client.expectServing()
            return .status(response.code, response.message)
        },
        call("GetInfo with a garbage request", service: peerManager, method: "GetInfo", expect: .status(.internal)) {
            _ in [0xFF, 0xFF, 0xFF]
        },
        call(
            "GetStatistics with a garbage request", service: peerManager, method: "GetStatistics",
            expect: .status(.internal)
        ) { _ in [0x0a, 0x7F] },
        call(
            "GetConfiguration with a garbage request", service: peerManager, method: "GetConfiguration",
            expect: .status(.internal)
        ) { _ in [0x12] },
        call("Watch with a garbage request", service: peerManager, method: "Watch", expect: .status(.internal)) { _ in
            [0x08]
        },
    ]
}
