import Foundation
import NIOCore
import PeerTestSupport
import PeerWire
import Testing

/// One row of the bad-input tables: what to send, and what the fixed peerd must answer.
///
/// Besides `expected`, the runner (``BadInputPeerd/run(_:)``) checks for every case that peerd
/// is alive afterwards, that the peer store is unchanged (ListPeers and GetStatistics before and
/// after), and that Health/Check on another connection answered within 100 ms throughout.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    var name: String
    var expected: BadInputExpectation
    /// Why the case fails on the code before issue 8's fixes (the finding it shows); nil when it
    /// passes there too. Kept so the lead can check each one turns green after the merge.
    var failsBeforeFix: String?
    var run: @Sendable (BadInputSession) throws -> BadInputOutcome

    var testDescription: String { name }

    init(
        _ name: String, _ expected: BadInputExpectation, failsBeforeFix: String? = nil,
        run: @escaping @Sendable (BadInputSession) throws -> BadInputOutcome
    ) {
        self.name = name
        self.expected = expected
        self.failsBeforeFix = failsBeforeFix
        self.run = run
    }
}

/// What a case must see on its own connection.
enum BadInputExpectation: Sendable, CustomStringConvertible {
    /// The case's stream ends with this status.
    case status(StatusCode)
    /// One of these statuses: only where two fixes would each be right (the case says why).
    case anyOf([StatusCode])
    /// No answer at all: the next Response on the connection is for a Health/Check sent after it.
    case noAnswer
    /// The case closed its connection itself; only survival, the probe and the store are checked.
    case survives

    var description: String {
        switch self {
        case .status(let code): "\(code)"
        case .anyOf(let codes): "one of \(codes.map(\.description).joined(separator: ", "))"
        case .noAnswer: "no answer"
        case .survives: "peerd survives"
        }
    }

    func matches(_ outcome: BadInputOutcome) -> Bool {
        switch (self, outcome) {
        case (.status(let expected), .status(let code, _)): code == expected
        case (.anyOf(let expected), .status(let code, _)): expected.contains(code)
        case (.noAnswer, .noAnswer), (.survives, .closed): true
        default: false
        }
    }
}

/// What a case saw on its own connection.
enum BadInputOutcome: Sendable, CustomStringConvertible {
    case status(StatusCode, String)
    case noAnswer
    case closed

    var description: String {
        switch self {
        case .status(let code, let message): "\(code) \"\(message.prefix(200))\""
        case .noAnswer: "no answer"
        case .closed: "closed by the case"
        }
    }
}

/// What a case may use: the socket, and the peers the store holds before every case.
struct BadInputSession: Sendable {
    let socketPath: String

    /// Peers in the store before each case (``BadInputPeerd`` adds them).
    static let knownPeers = [1, 2, 3]
    /// A peer in the store.
    var known: String { TestPeers.id(Self.knownPeers[0]) }
    /// A well-formed peer id that is not in the store.
    var unknown: String { TestPeers.id(777) }

    /// A connection for the case; reads give up after `timeout` (the fixed peerd answers every
    /// case at once; the old one stalls on some, and the case must end anyway).
    func connect(timeout: Duration = .seconds(5)) throws -> SocketClient {
        try SocketClient(path: socketPath, receiveTimeout: timeout)
    }

    /// Runs `body` with a host attached on a connection of its own (offline, so nothing is
    /// dialled; take_over, so a session left by an earlier case never refuses it), then detaches.
    func withHost(_ body: () throws -> BadInputOutcome) throws -> BadInputOutcome {
        let host = try ScriptedHost(socketPath: socketPath)
        try host.attach(PeerManagerV1.HostHello(peerID: TestPeers.id(9999), online: false, takeOver: true))
        // The hello is applied by the Attach handler: wait until peerd reports the host.
        let admin = try PeerManagerClient(socketPath: socketPath)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let statistics: PeerManagerV1.Statistics = try admin.call(
                PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
            if statistics.hostAttached { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let outcome = try body()
        _ = try host.detach()
        return outcome
    }
}

// MARK: - Builders for the common shapes

extension BadInputCase {
    /// Stream id of the Health/Check a case sends after its input, to prove the connection still
    /// serves (and that nothing else was answered first).
    static let followUpID: UInt32 = 1_000_001

    /// A unary call on stream 1 of a new connection, with an envelope written byte by byte.
    static func call(
        _ name: String, service: String, method: String, timeoutNanos: Int64 = 0,
        metadata: @escaping @Sendable () -> [(key: String, value: String)] = { [] }, expect: BadInputExpectation,
        failsBeforeFix: String? = nil, host: Bool = false, payload: @escaping @Sendable (BadInputSession) -> [UInt8]
    ) -> BadInputCase {
        envelope(name, expect: expect, failsBeforeFix: failsBeforeFix, host: host) { session in
            RawProtobuf.request(
                service: service, method: method, payload: payload(session), timeoutNanos: timeoutNanos,
                metadata: metadata())
        }
    }

    /// A PeerManager call whose request the generated type encodes.
    static func peerManager<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ name: String, expect: StatusCode,
        failsBeforeFix: String? = nil, host: Bool = false, request: @escaping @Sendable (BadInputSession) -> Request
    ) -> BadInputCase {
        call(
            "\(method.method): \(name)", service: method.service, method: method.method,
            expect: .status(expect),
            failsBeforeFix: failsBeforeFix, host: host
        ) { Array(request($0).encoded().readableBytesView) }
    }

    /// A PeerManager call whose request is written field by field (NULs, malformed protobuf).
    static func peerManagerRaw<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ name: String, expect: StatusCode,
        failsBeforeFix: String? = nil, host: Bool = false, request: @escaping @Sendable (BadInputSession) -> RawProtobuf
    ) -> BadInputCase {
        call(
            "\(method.method): \(name)", service: method.service, method: method.method,
            expect: .status(expect),
            failsBeforeFix: failsBeforeFix, host: host
        ) { request($0).bytes }
    }

    /// A Request frame on stream 1 carrying `envelope`; the status of stream 1 is the outcome,
    /// and the connection must answer a Health/Check afterwards.
    static func envelope(
        _ name: String, expect: BadInputExpectation, failsBeforeFix: String? = nil, host: Bool = false,
        envelope: @escaping @Sendable (BadInputSession) -> [UInt8]
    ) -> BadInputCase {
        BadInputCase(name, expect, failsBeforeFix: failsBeforeFix) { session in
            let send = {
                let client = try session.connect()
                try client.sendRaw(RawFrame.frame(streamID: 1, type: 0x01, payload: envelope(session)))
                let response = try client.response(on: 1)
                try client.expectServing()
                return BadInputOutcome.status(response.code, response.message)
            }
            return try host ? session.withHost(send) : send()
        }
    }

    /// Raw bytes on a new connection. With `answerOn`, the status of that stream is the outcome;
    /// without, the connection must answer nothing before a Health/Check sent afterwards.
    /// `followUp: false` skips that check (the input leaves the connection unusable on purpose).
    static func frames(
        _ name: String, answerOn: UInt32? = nil, expect: BadInputExpectation, failsBeforeFix: String? = nil,
        followUp: Bool = true, bytes: @escaping @Sendable () -> [UInt8]
    ) -> BadInputCase {
        BadInputCase(name, expect, failsBeforeFix: failsBeforeFix) { session in
            let client = try session.connect()
            try client.sendRaw(bytes())
            guard let answerOn else { return try client.answerBeforeFollowUp() }
            let response = try client.response(on: answerOn)
            if followUp { try client.expectServing() }
            return .status(response.code, response.message)
        }
    }

    /// Raw bytes on a new connection that the case then closes without reading.
    static func closing(_ name: String, failsBeforeFix: String? = nil, bytes: @escaping @Sendable () -> [UInt8])
        -> BadInputCase
    {
        BadInputCase(name, .survives, failsBeforeFix: failsBeforeFix) { session in
            let client = try session.connect()
            try client.sendRaw(bytes())
            client.close()
            return .closed
        }
    }
}

extension SocketClient {
    /// Health/Check on ``BadInputCase/followUpID``: the connection still serves.
    func expectServing() throws {
        let response = try response(on: BadInputCase.followUpID, sending: BadInputCase.followUpID)
        guard response.code == .ok else { throw BadInputError.followUp(response.code, response.message) }
    }

    /// Sends a Health/Check on ``BadInputCase/followUpID``; the first Response that comes back is
    /// the outcome: `.noAnswer` when it is the Check's own.
    func answerBeforeFollowUp() throws -> BadInputOutcome {
        try request(
            BadInputCase.followUpID, Health.serviceName, "Check", payload: Health.CheckRequest().encoded())
        while true {
            let frame = try readFrame()
            guard frame.type == .response else { continue }
            let response = try ResponseEnvelope(wire: frame.payload)
            if frame.streamID == BadInputCase.followUpID {
                guard response.code == .ok else { throw BadInputError.followUp(response.code, response.message) }
                return .noAnswer
            }
            return .status(response.code, response.message)
        }
    }

    private func response(on id: UInt32, sending checkID: UInt32) throws -> ResponseEnvelope {
        try request(checkID, Health.serviceName, "Check", payload: Health.CheckRequest().encoded())
        return try response(on: id)
    }
}

enum BadInputError: Error, CustomStringConvertible {
    case followUp(StatusCode, String)
    case peerdDied(Int32, log: String)

    var description: String {
        switch self {
        case .followUp(let code, let message): "Health/Check after the case failed: \(code) \(message)"
        case .peerdDied(let status, let log): "peerd exited with status \(status); its log ends:\n\(log)"
        }
    }
}
