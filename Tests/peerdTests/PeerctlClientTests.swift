import Foundation
import PeerWire
import Testing

/// `peerctl` against a running peerd: what an operator types in a shell.
@Suite("peerctl client commands")
struct PeerctlClientTests {
    /// peerctl as an operator runs it (``PeerctlRunner``, shared with the other peerctl suites).
    static func peerctl(_ arguments: [String]) throws -> PeerctlRunner.Run {
        try PeerctlRunner.run(arguments)
    }

    @Test("health, peers add/list/get/remove, stats and info")
    func operatorSession() throws {
        let peerd = try PeerdProcess()
        // Output became a table by default: --json gives the JSON these checks read, unchanged.
        let socket = ["--socket", peerd.socketPath, "--json"]
        let health = try Self.peerctl(["health", "--socket", peerd.socketPath])
        #expect(health.status == 0)
        #expect(health.stdout == "SERVING\n")

        let id = TestPeers.id(7)
        let added = try Self.peerctl(["peers", "add", "/ip4/10.0.0.7/tcp/60000/p2p/\(id)", "--origin", "dns"] + socket)
        #expect(added.status == 0)
        #expect(added.json?["peer_id"] as? String == id)
        #expect(added.json?["origin"] as? String == "dns")

        let list = try Self.peerctl(["peers", "list"] + socket)
        #expect((list.json?["total"] as? NSNumber)?.intValue == 1)
        let got = try Self.peerctl(["peers", "get", id] + socket)
        #expect(got.json?["addresses"] as? [String] == ["/ip4/10.0.0.7/tcp/60000"])
        #expect(got.json?["connectedness"] as? String == "not_connected")

        let stats = try Self.peerctl(["stats"] + socket)
        #expect((stats.json?["store_size"] as? NSNumber)?.intValue == 1)
        #expect(stats.json?["host_attached"] as? Bool == false)
        let info = try Self.peerctl(["info"] + socket)
        #expect(info.json?["protocol"] as? String == "ttrpc/1.2+peerd-cancel")

        let removed = try Self.peerctl(["peers", "remove", id] + socket)
        #expect(removed.json?["removed"] as? Bool == true)
    }

    @Test(
        "Errors: one line on stderr and exit status 1",
        arguments: [["peers", "get", "nope"], ["peers", "add", "garbage"]])
    func errors(arguments: [String]) throws {
        let peerd = try PeerdProcess()
        let run = try Self.peerctl(arguments + ["--socket", peerd.socketPath])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("peerctl: INVALID_ARGUMENT: "))
        #expect(run.stderr.split(separator: "\n").count == 1)
    }

    @Test("No peerd at the socket: a clear message and exit status 1")
    func notRunning() throws {
        let run = try Self.peerctl(["health", "--socket", "/tmp/peerd-test-no-such.sock"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot connect to peerd at /tmp/peerd-test-no-such.sock"))
    }

    @Test("watch prints one JSON object per decision")
    func watch() throws {
        let peerd = try PeerdProcess()
        // stdout to a file the test polls: nothing here can block on a pipe.
        let outputPath = "\(peerd.directory)/watch.out"
        let watcher = try ChildProcess(
            executable: PeerdProcess.peerctlBinary.path,
            arguments: ["watch", "--decisions-only", "--json", "--socket", peerd.socketPath], stdoutPath: outputPath)
        defer { watcher.kill(SIGKILL) }
        // The watcher registers asynchronously: keep adding peers until one shows up.
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        var added: [String: Any]?
        for n in 1...50 where added == nil {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n))))
            usleep(50_000)
            let lines = try String(contentsOfFile: outputPath, encoding: .utf8).split(separator: "\n")
            added = lines.lazy.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { $0["reason"] as? String == "peer_added" }
        }
        let event = try #require(added)
        #expect(event["type"] as? String == "decision")
        #expect((event["peer_ids"] as? [String])?.count == 1)
    }
}
