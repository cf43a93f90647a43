import Foundation
import PeerWire
import Testing

/// Where peerctl finds peerd: `--socket` before or after the subcommand, else `PEERD_SOCKET`.
@Suite("peerctl socket selection")
struct PeerctlSocketTests {
    @Test("--socket before the subcommand, after it, and PEERD_SOCKET all reach the same peerd")
    func socketPlacement() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(3))))
        let id = TestPeers.id(3)
        let runs = [
            try PeerctlRunner.run(["--socket", peerd.socketPath, "peers", "list"]),
            try PeerctlRunner.run(["peers", "list", "--socket", peerd.socketPath]),
            try PeerctlRunner.run(["peers", "--socket", peerd.socketPath, "list"]),
            try PeerctlRunner.run(["peers", "list"], environment: ["PEERD_SOCKET": peerd.socketPath]),
        ]
        for run in runs {
            #expect(run.status == 0, "\(run.summary)")
            #expect(run.stdout.hasPrefix("PEER "), "\(run.summary)")
            #expect(run.stdout.contains("\(id.prefix(9))…\(id.suffix(6))"), "\(run.summary)")
            #expect(run.stdout.hasSuffix("1 of 1 peers\n"), "\(run.summary)")
        }
        // --json, like --socket, may come first.
        let json = try PeerctlRunner.run(["--json", "--socket", peerd.socketPath, "peers", "list"])
        #expect((json.json?["peers"] as? [[String: Any]])?.first?["peer_id"] as? String == id, "\(json.summary)")
    }

    @Test("--socket wins over PEERD_SOCKET")
    func flagOverridesEnvironment() throws {
        let peerd = try PeerdProcess()
        let run = try PeerctlRunner.run(
            ["health", "--socket", peerd.socketPath], environment: ["PEERD_SOCKET": "/tmp/peerd-test-no-such.sock"])
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdout == "SERVING\n")
    }

    @Test("PEERD_SOCKET naming no peerd: a clear message and exit status 1")
    func environmentNotRunning() throws {
        let run = try PeerctlRunner.run(["status"], environment: ["PEERD_SOCKET": "/tmp/peerd-test-no-such.sock"])
        #expect(run.status == 1, "\(run.summary)")
        #expect(run.stderr.contains("cannot connect to peerd at /tmp/peerd-test-no-such.sock"), "\(run.summary)")
        #expect(run.stdout.isEmpty)
    }
}
