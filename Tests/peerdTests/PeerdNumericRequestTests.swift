import Foundation
import PeerIdentity
import PeerTestSupport
import PeerWire
import Synchronization
import Testing

/// Numbers in requests that no conversion may trap on, over the real socket.
@Suite("peerd numeric requests")
struct PeerdNumericRequestTests {
    @Test(
        "Connect with a timeout_ms out of range is INVALID_ARGUMENT naming the range; peerd keeps serving",
        arguments: [UInt64.max, UInt64(1) << 63, 3_600_001, 9])
    func connectTimeoutOutOfRange(timeoutMs: UInt64) throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .hostAttached
        }
        let request = PeerManagerV1.ConnectRequest(
            peers: ["/ip4/10.1.1.1/tcp/60000/p2p/\(TestPeers.id(1))"], timeoutMs: timeoutMs)
        #expect {
            _ = try admin.call(PeerManagerV1.PeerManager.connect, request) as PeerManagerV1.ConnectResponse
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .invalidArgument && error.message.contains("timeout_ms")
                && error.message.contains("10...3600000")
        }
        #expect(try SocketClient(path: peerd.socketPath).healthCheck(1) == .serving)
        // Nothing was dialled.
        #expect(
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .dialsInFlight == 0)
    }

    @Test("Connect with the largest timeout_ms dials with exactly that timeout")
    func connectLargestTimeout() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call(PeerManagerV1.PeerManager.getStatistics, PeerManagerV1.GetStatisticsRequest())
                as PeerManagerV1.Statistics)
                .hostAttached
        }
        let path = peerd.socketPath
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<PeerManagerV1.ConnectResponse, any Error>?>(nil)
        Thread.detachNewThread {
            let outcome = Result {
                try PeerManagerClient(socketPath: path).call(
                    "Connect",
                    PeerManagerV1.ConnectRequest(
                        peers: ["/ip4/10.1.1.1/tcp/60000/p2p/\(TestPeers.id(1))"], timeoutMs: 3_600_000))
                    as PeerManagerV1.ConnectResponse
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        let command = try host.nextCommand()
        guard case .dial(let dial)? = command.command else {
            Issue.record("expected a dial, got \(command)")
            return
        }
        #expect(dial.timeoutMs == 3_600_000)
        try host.send(
            .commandResult(.init(commandID: command.commandID, outcome: .failed("unreachable"))))
        #expect(done.wait(timeout: .now() + 20) == .success)
        let response = try result.withLock { try #require($0) }.get()
        #expect(response.outcomes.first?.error == "unreachable")
    }
}
