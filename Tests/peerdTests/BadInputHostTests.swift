import Foundation
import NIOCore
import PeerIdentity
import PeerTestSupport
import PeerWire
import Testing

extension BadInputTests {
    @Test("Host: hello, events, unary sessions", arguments: BadInputCase.host)
    func host(_ testCase: BadInputCase) throws {
        try #require(BadInputPeerd.current).run(testCase)
    }
}

extension BadInputCase {
    static let hostService = PeerManagerV1.Host.serviceName

    /// The host's hello: offline (peerd dials nobody), take_over (a session an earlier case left
    /// never refuses it).
    static func hello(_ configure: (inout PeerManagerV1.HostHello) -> Void = { _ in }) -> PeerManagerV1.HostHello {
        var hello = PeerManagerV1.HostHello(peerID: TestPeers.id(9999), online: false, takeOver: true)
        configure(&hello)
        return hello
    }

    static func event(_ event: PeerManagerV1.HostEvent.OneOf_Event) -> [UInt8] {
        NULBytes.encoded(PeerManagerV1.HostEvent(event: event))
    }

    /// Attach with `first` as the first event (a hello, or not), then `events`, then the host
    /// half-closes; the outcome is the Attach stream's status. Malformed events are skipped by
    /// the documented rule, so a session that attached ends OK.
    static func attach(
        _ name: String, expect: StatusCode, failsBeforeFix: String? = nil,
        first: @escaping @Sendable (BadInputSession) -> [UInt8] = { _ in event(.hello(hello())) },
        events: @escaping @Sendable (BadInputSession) -> [[UInt8]] = { _ in [] }
    ) -> BadInputCase {
        BadInputCase("Attach: \(name)", .status(expect), failsBeforeFix: failsBeforeFix) { session in
            let client = try session.connect()
            var bytes = RawFrame.frame(
                streamID: 1, type: 0x01, flags: 0x02,
                payload: RawProtobuf.request(service: hostService, method: "Attach"))
            bytes += RawFrame.frame(streamID: 1, type: 0x03, payload: first(session))
            for event in events(session) { bytes += RawFrame.frame(streamID: 1, type: 0x03, payload: event) }
            bytes += RawFrame.frame(streamID: 1, type: 0x03, flags: 0x05)
            try client.sendRaw(bytes)
            let response = try client.response(on: 1)
            try client.expectServing()
            return .status(response.code, response.message)
        }
    }

    static func unary<Request: WireMessage>(
        _ method: String, _ name: String, expect: StatusCode, failsBeforeFix: String? = nil,
        request: @escaping @Sendable (BadInputSession) -> Request
    ) -> BadInputCase {
        call(
            "\(method): \(name)", service: hostService, method: method, expect: .status(expect),
            failsBeforeFix: failsBeforeFix
        ) { NULBytes.encoded(request($0)) }
    }

    static let host: [BadInputCase] = [
        // The first event.
        attach("garbage bytes as the first event", expect: .internal, first: { _ in [0xFF, 0xFF, 0xFF] }),
        attach("an empty first event", expect: .invalidArgument, first: { _ in [] }),
        attach(
            "a first event that is no hello", expect: .invalidArgument, first: { _ in event(.reachability(.init())) }),
        // Every field of the hello.
        attach(
            "hello.peer_id garbage", expect: .invalidArgument, first: { _ in event(.hello(hello { $0.peerID = "x" })) }),
        attach(
            "hello.peer_id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID,
            first: { _ in event(.hello(hello { $0.peerID = hugePeerID })) }),
        attach(
            "hello.peer_id with a NUL", expect: .invalidArgument, failsBeforeFix: "\(nulCut) attached",
            first: { _ in event(.hello(hello { $0.peerID = NULBytes.after(TestPeers.id(9999)) })) }),
        attach(
            "hello.listen_addresses with a NUL", expect: .invalidArgument, failsBeforeFix: "\(nulCut) attached",
            first: { _ in event(.hello(hello { $0.listenAddresses = [NULBytes.after(address)] })) }),
        attach(
            "hello.cluster_id 70000", expect: .invalidArgument,
            first: { _ in event(.hello(hello { $0.clusterID = 70_000 })) }),
        attach(
            "hello.shards [70000]", expect: .invalidArgument,
            first: { _ in event(.hello(hello { $0.shards = [70_000] })) }),
        attach(
            "a snapshot of 50,000 connections with garbage peer ids", expect: .invalidArgument,
            first: { _ in
                event(
                    .hello(
                        hello {
                            $0.connections = (0..<50_000).map { .init(connectionID: UInt64($0), peerID: "garbage") }
                        }))
            }),
        attach(
            "a snapshot connection with a garbage observed address", expect: .invalidArgument,
            first: { session in
                event(
                    .hello(
                        hello {
                            $0.connections = [
                                .init(connectionID: 1, peerID: session.known, direction: .inbound, observedAddress: "x")
                            ]
                        }))
            }),
        attach(
            "a snapshot identify with a garbage public key", expect: .invalidArgument,
            failsBeforeFix: "finding 15: key stored",
            first: { session in
                event(.hello(hello { $0.identified = [.init(peerID: session.known, publicKey: [1, 2, 3, 4])] }))
            }),
        attach(
            "a snapshot identify with 100,000 protocols", expect: .invalidArgument,
            failsBeforeFix: "finding 9: accepted",
            first: { session in
                event(
                    .hello(
                        hello {
                            $0.identified = [.init(peerID: session.known, protocols: (0..<100_000).map { "/p/\($0)" })]
                        }
                    ))
            }),
        // Events after the hello: skipped, never fatal, and nothing changes in the store.
        attach(
            "events for unknown connections, streams and commands", expect: .ok,
            events: { _ in
                [
                    event(.connectionClosed(.init(connectionID: 999))),
                    event(.streamClosed(.init(peerID: TestPeers.id(5), protocol: "/x", direction: .inbound))),
                    event(.commandResult(.init(commandID: 12_345, outcome: .succeeded(true)))),
                    event(.commandResult(.init(commandID: .max, outcome: .timedOut(true)))),
                ]
            }),
        attach(
            "malformed events (garbage bytes, bad peer id, empty protocol, no outcome)", expect: .ok,
            events: { session in
                [
                    [0xFF, 0xFF, 0xFF],
                    [],
                    event(.identified(.init(peerID: "not-a-peer-id"))),
                    event(.streamOpened(.init(peerID: session.known, protocol: "", direction: .inbound))),
                    event(.commandResult(.init(commandID: 1))),
                    event(.metadata(.init(peerID: session.known))),
                ]
            }),
        attach(
            "identify of a known peer with a NUL after its id", expect: .ok,
            failsBeforeFix: "\(nulCut) applied to the known peer",
            events: { session in
                [event(.identified(.init(peerID: NULBytes.after(session.known), protocols: ["/evil/1.0.0"])))]
            }),
        attach(
            "identify of a known peer with a protocol with a NUL", expect: .ok,
            failsBeforeFix: "\(nulCut) stored",
            events: { session in
                [event(.identified(.init(peerID: session.known, protocols: [NULBytes.after("/evil/1.0.0")])))]
            }),
        attach(
            "identify of a known peer with an agent of 1 MiB", expect: .ok,
            failsBeforeFix: "no byte limit per string field: stored",
            events: { session in [event(.identified(.init(peerID: session.known, agent: mebibyte)))] }),
        attach(
            "identify of a known peer with a garbage public key", expect: .ok,
            failsBeforeFix: "finding 15: stored",
            events: { session in [event(.identified(.init(peerID: session.known, publicKey: [0xde, 0xad])))] }),
        attach(
            "identify of a known peer with another peer's key", expect: .ok,
            failsBeforeFix: "finding 15: stored",
            events: { session in
                let other = (try? PeerID(TestPeers.id(101)))?.publicKey?.protobufEncoded ?? []
                return [event(.identified(.init(peerID: session.known, publicKey: other)))]
            }),
        attach(
            "identify of a known peer with 165,000 listen addresses", expect: .ok,
            failsBeforeFix: "finding 9: stored",
            events: { session in
                [
                    event(
                        .identified(
                            .init(
                                peerID: session.known,
                                listenAddresses: [String](repeating: "/ip4/1.2.3.4/tcp/1", count: 165_000))))
                ]
            }),
        attach(
            "connection opened with a peer id of 1M characters", expect: .ok, failsBeforeFix: slowID,
            events: { _ in [event(.connectionOpened(.init(connectionID: 1, peerID: hugePeerID, direction: .inbound)))] }
        ),
        attach(
            "connection opened to a known peer with an observed address with a NUL", expect: .ok,
            failsBeforeFix: "\(nulCut) applied (the peer connected)",
            events: { session in
                [
                    event(
                        .connectionOpened(
                            .init(
                                connectionID: 1, peerID: session.known, direction: .inbound,
                                observedAddress: NULBytes.after("/ip4/10.9.9.9/tcp/1"))))
                ]
            }),
        attach(
            "metadata of a known peer in cluster 70000", expect: .ok,
            events: { session in
                [event(.metadata(.init(peerID: session.known, result: .received(.init(clusterID: 70_000)))))]
            }),
        // Unary hosts.
        unary("ReportEvents", "no session and no hello", expect: .invalidArgument) { _ in
            PeerManagerV1.ReportEventsRequest(events: [.init(event: .reachability(.init(online: true)))])
        },
        unary("ReportEvents", "an unknown session", expect: .failedPrecondition) { _ in
            PeerManagerV1.ReportEventsRequest(
                sessionID: 12_345, events: [.init(event: .connectionClosed(.init(connectionID: 1)))])
        },
        unary(
            "ReportEvents", "a hello with a peer id of 1M characters", expect: .invalidArgument, failsBeforeFix: slowID
        ) { _ in
            PeerManagerV1.ReportEventsRequest(events: [.init(event: .hello(hello { $0.peerID = hugePeerID }))])
        },
        unary("ReportEvents", "a hello with a NUL in its peer id", expect: .invalidArgument, failsBeforeFix: nulCut) {
            _ in
            PeerManagerV1.ReportEventsRequest(events: [
                .init(event: .hello(hello { $0.peerID = NULBytes.after(TestPeers.id(9999)) }))
            ])
        },
        call("ReportEvents: garbage", service: hostService, method: "ReportEvents", expect: .status(.internal)) { _ in
            [0x12, 0x05, 0x0a]
        },
        unary("PollCommands", "an unknown session, wait_ms UInt64.max", expect: .failedPrecondition) { _ in
            PeerManagerV1.PollCommandsRequest(sessionID: 12_345, maxCommands: .max, waitMs: .max)
        },
        call("PollCommands: garbage", service: hostService, method: "PollCommands", expect: .status(.internal)) { _ in
            [0x18]
        },
    ]
}
