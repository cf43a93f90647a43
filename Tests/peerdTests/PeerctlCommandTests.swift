import Foundation
import PeerWire
import Testing

/// Every peerctl client subcommand against a real peerd, as a table and as JSON.
@Suite("peerctl subcommands")
struct PeerctlCommandTests {
    static let store = "/vac/waku/store-query/3.0.0"

    /// The table view of a shortened id, as `peers list` prints it.
    static func short(_ id: String) -> String { "\(id.prefix(9))…\(id.suffix(6))" }

    @Test("Store commands: peers add/list/get/remove, select, can-connect, as tables and JSON")
    func storeCommands() throws {
        let peerd = try PeerdProcess()
        func peerctl(_ arguments: String...) throws -> PeerctlRunner.Run {
            let run = try PeerctlRunner.run(arguments + ["--socket", peerd.socketPath])
            #expect(run.status == 0, "peerctl \(arguments.joined(separator: " ")): \(run.summary)")
            return run
        }
        let id = TestPeers.id(11)
        let added = try peerctl("peers", "add", "/ip4/10.0.0.11/tcp/60000/p2p/\(id)", "--origin", "dns")
        #expect(added.stdout.hasPrefix("peer id:"), "\(added.summary)")
        #expect(added.stdout.contains(id))
        #expect(added.stdout.contains("origin:"))

        let list = try peerctl("peers", "list")
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(list.summary)")
        for column in ["PEER", "ORIGIN", "CONNECTEDNESS", "DIRECTION", "PROTOCOLS", "SHARDS", "FAILURES", "NEXT RETRY"]
        {
            #expect(lines[0].contains(column), "\(list.summary)")
        }
        let row = lines[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(row == [Self.short(id), "dns", "not_connected", "unknown", "-", "-", "0", "-"], "\(list.summary)")
        #expect(try peerctl("peers", "list", "--wide").stdout.contains(id))
        let filtered = try peerctl("peers", "list", "--connectedness", "connected", "--json")
        #expect((filtered.json?["total"] as? NSNumber)?.intValue == 0, "\(filtered.summary)")

        // Pages: --limit ends a page with the way to the next one; --all follows them.
        let _: PeerManagerV1.AddPeerResponse = try PeerManagerClient(socketPath: peerd.socketPath).call(
            "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(13))))
        let page = try peerctl("peers", "list", "--limit", "1")
        #expect(page.stdout.contains("1 of 2 peers; next page: --page-token "), "\(page.summary)")
        let pages = try peerctl("peers", "list", "--limit", "1", "--all", "--json")
        #expect((pages.json?["peers"] as? [Any])?.count == 2, "\(pages.summary)")
        #expect(pages.json?["next_page_token"] as? String == "")
        _ = try peerctl("peers", "remove", TestPeers.id(13))

        let got = try peerctl("peers", "get", id)
        #expect(got.stdout.contains("addresses:"), "\(got.summary)")
        #expect(got.stdout.contains("/ip4/10.0.0.11/tcp/60000"))
        #expect(got.stdout.contains("next retry:"))

        // SelectPeer: no peer has the store protocol yet; SelectPeers with a count.
        #expect(try peerctl("select", Self.store).stdout == "no peer fits\n")
        let none = try peerctl("select", Self.store, "--json")
        #expect((none.json?["peers"] as? [Any])?.isEmpty == true, "\(none.summary)")
        let _: PeerManagerV1.AddPeerResponse = try PeerManagerClient(socketPath: peerd.socketPath).call(
            "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(12, protocols: [Self.store]))))
        let one = try peerctl("select", Self.store)
        #expect(one.stdout.contains(Self.short(TestPeers.id(12))), "\(one.summary)")
        #expect(one.stdout.contains("store-query/3.0.0"))
        let all = try peerctl("peers", "select", Self.store, "--count", "0", "--json")
        #expect((all.json?["peers"] as? [[String: Any]])?.map { $0["peer_id"] as? String } == [TestPeers.id(12)])

        #expect(try peerctl("can-connect", id).stdout == "allowed\n")
        let can = try peerctl("can-connect", id, "--json")
        #expect(can.json?["allowed"] as? Bool == true, "\(can.summary)")
        #expect(can.json?["peer_id"] as? String == id)

        #expect(try peerctl("peers", "remove", id).stdout == "removed \(id)\n")
        #expect(try peerctl("peers", "remove", id).stdout == "\(id) was not in the store\n")
        let removed = try peerctl("peers", "remove", id, "--json")
        #expect(removed.json?["removed"] as? Bool == false, "\(removed.summary)")
    }

    @Test("Server commands: health, info, status (and its alias stats), config, as text and JSON")
    func serverCommands() throws {
        let peerd = try PeerdProcess(arguments: ["--max-connections", "77"])
        func peerctl(_ arguments: String...) throws -> PeerctlRunner.Run {
            let run = try PeerctlRunner.run(arguments + ["--socket", peerd.socketPath])
            #expect(run.status == 0, "peerctl \(arguments.joined(separator: " ")): \(run.summary)")
            return run
        }
        #expect(try peerctl("health").stdout == "SERVING\n")
        #expect(try peerctl("health", "--json").json?["status"] as? String == "SERVING")

        let info = try peerctl("info")
        #expect(info.stdout.contains("protocol:"), "\(info.summary)")
        #expect(info.stdout.contains("ttrpc/1.2+peerd-cancel"))
        #expect(info.stdout.contains("socket:"))
        #expect(try peerctl("info", "--json").json?["socket"] as? String == peerd.socketPath)

        let status = try peerctl("status")
        #expect(status.stdout.contains("connected:"), "\(status.summary)")
        #expect(status.stdout.hasPrefix("connection status: disconnected\n"), "\(status.summary)")
        #expect(status.stdout.contains("/77"))
        #expect(status.stdout.contains("host attached:") && status.stdout.contains("no"))
        let stats = try peerctl("stats", "--json")
        #expect((stats.json?["max_connections"] as? NSNumber)?.intValue == 77, "\(stats.summary)")
        #expect(stats.json?["host_attached"] as? Bool == false)
        #expect(stats.json?["connection_status"] as? String == "disconnected")

        let config = try peerctl("config")
        #expect(config.stdout.contains("max connections:"), "\(config.summary)")
        #expect(config.stdout.contains("backoff:"))
        let json = try peerctl("config", "--json")
        #expect((json.json?["max_connections"] as? NSNumber)?.intValue == 77, "\(json.summary)")
        #expect(json.json?["socket_path"] as? String == peerd.socketPath)
        #expect((json.json?["max_failed_attempts"] as? NSNumber)?.intValue == 5)
    }

    @Test("service-peer add and remove: the slot peer is what select returns")
    func servicePeers() throws {
        let peerd = try PeerdProcess()
        let id = TestPeers.id(21)
        let add = try PeerctlRunner.run([
            "service-peer", "add", "/ip4/10.0.0.21/tcp/60000/p2p/\(id)", Self.store, "--socket", peerd.socketPath,
        ])
        #expect(add.status == 0, "\(add.summary)")
        #expect(add.stdout.hasPrefix("service peer for \(Self.store):"), "\(add.summary)")
        let select = try PeerctlRunner.run(["select", Self.store, "--json", "--socket", peerd.socketPath])
        #expect(
            (select.json?["peers"] as? [[String: Any]])?.first?["peer_id"] as? String == id, "\(select.summary)")

        let remove = try PeerctlRunner.run([
            "service-peer", "remove", id, Self.store, "--json", "--socket", peerd.socketPath,
        ])
        #expect(remove.json?["removed"] as? Bool == true, "\(remove.summary)")
        let again = try PeerctlRunner.run(["service-peer", "remove", id, Self.store, "--socket", peerd.socketPath])
        #expect(again.stdout == "\(id) was not in the \(Self.store) slot\n", "\(again.summary)")
        // Relay has no slot.
        let relay = try PeerctlRunner.run([
            "service-peer", "add", "/ip4/10.0.0.21/tcp/60000/p2p/\(id)", "/vac/waku/relay/2.0.0",
            "--socket", peerd.socketPath,
        ])
        #expect(relay.status == 1)
        #expect(relay.stderr.hasPrefix("peerctl: INVALID_ARGUMENT: "), "\(relay.summary)")
    }

    @Test("protect lasts as long as peerctl's connection: --hold keeps the tag until interrupted; unprotect")
    func protection() throws {
        let peerd = try PeerdProcess()
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        let _: PeerManagerV1.AddPeerResponse = try admin.call(
            "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(31))))
        let id = TestPeers.id(31)
        func tags() throws -> [String] {
            (try admin.call("GetPeer", PeerManagerV1.GetPeerRequest(peerID: id)) as PeerManagerV1.Peer).protectionTags
        }

        let once = try PeerctlRunner.run(["protect", id, "maintenance", "--json", "--socket", peerd.socketPath])
        #expect(once.json?["is_protected"] as? Bool == true, "\(once.summary)")
        // peerctl exited, its connection closed: peerd released the tag.
        try waitFor(peerd) { try tags().isEmpty }

        let holder = try PeerctlRunner.start(
            ["protect", id, "maintenance", "--hold", "--socket", peerd.socketPath], directory: peerd.directory,
            name: "protect")
        try waitFor(peerd) { try tags() == ["maintenance"] }
        #expect(holder.isRunning)
        #expect(holder.stdout().contains("is protected; holding the tag until interrupted"), "\(holder.stderr())")
        holder.kill(SIGINT)
        #expect(holder.wait(timeout: .seconds(10)) != nil)
        try waitFor(peerd) { try tags().isEmpty }

        // unprotect from another connection.
        let _: PeerManagerV1.ProtectResponse = try admin.call(
            "Protect", PeerManagerV1.ProtectRequest(peerID: id, tag: "store-request"))
        let released = try PeerctlRunner.run(["unprotect", id, "store-request", "--socket", peerd.socketPath])
        #expect(released.stdout == "\(id) is not protected\n", "\(released.summary)")
        #expect(try tags().isEmpty)

        let unknown = try PeerctlRunner.run(["protect", TestPeers.id(99), "x", "--socket", peerd.socketPath])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("peerctl: NOT_FOUND: "), "\(unknown.summary)")
    }

    @Test("connect, connected, reconnect and disconnect through a host")
    func connectAndDisconnect() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(SidecarHostTests.hello())
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        try waitFor(peerd) {
            (try admin.call("GetStatistics", PeerManagerV1.GetStatisticsRequest()) as PeerManagerV1.Statistics)
                .hostAttached
        }
        let (good, bad) = (TestPeers.id(41), TestPeers.id(42))
        // Connect waits for the outcomes: peerctl runs in the background while the host answers.
        let connect = try PeerctlRunner.start(
            [
                "connect", "/ip4/10.1.1.1/tcp/60000/p2p/\(good)", "/ip4/10.1.1.2/tcp/60000/p2p/\(bad)",
                "--timeout", "5", "--protocol", Self.store, "--socket", peerd.socketPath,
            ], directory: peerd.directory, name: "connect")
        var answered = 0
        while answered < 2 {
            let command = try host.nextCommand()
            guard case .dial(let dial)? = command.command else { continue }
            #expect(dial.timeoutMs == 5000)
            #expect(dial.protocol == Self.store)
            if dial.peerID == good {
                try host.send(
                    .connectionOpened(
                        .init(
                            connectionID: 1, peerID: good, direction: .outbound, observedAddress: dial.addresses[0])))
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .succeeded(true))))
            } else {
                try host.send(.commandResult(.init(commandID: command.commandID, outcome: .failed("no route to host"))))
            }
            answered += 1
        }
        // One dial failed: exit status 1, with both outcomes printed.
        #expect(connect.wait(timeout: .seconds(20)) == 1, "\(connect.stdout())\(connect.stderr())")
        let table = connect.stdout()
        #expect(table.hasPrefix("PEER"), "\(table)")
        #expect(table.contains("\(Self.short(good))  connected"), "\(table)")
        #expect(table.contains("\(Self.short(bad))  failed     no route to host"), "\(table)")

        let connected = try PeerctlRunner.run(["connected", "--socket", peerd.socketPath])
        #expect(connected.stdout.contains("\(Self.short(good))  outbound"), "\(connected.summary)")
        let json = try PeerctlRunner.run(["connected", "--json", "--socket", peerd.socketPath])
        #expect(
            (json.json?["peers"] as? [[String: Any]])?.map { $0["peer_id"] as? String } == [good], "\(json.summary)")

        let disconnect = try PeerctlRunner.run(["disconnect", good, "--socket", peerd.socketPath])
        #expect(disconnect.status == 0, "\(disconnect.summary)")
        #expect(disconnect.stdout == "disconnecting \(good)\n")
        var order: PeerManagerV1.DisconnectCommand?
        while order == nil {
            if case .disconnect(let disconnect)? = try host.nextCommand().command { order = disconnect }
        }
        #expect(order?.peerID == good)

        let reconnect = try PeerctlRunner.run(["reconnect", "--json", "--socket", peerd.socketPath])
        #expect(reconnect.json?["dialing"] is NSNumber, "\(reconnect.summary)")
        let prefixed = try PeerctlRunner.run(["reconnect", "--protocol", "/vac/waku", "--socket", peerd.socketPath])
        #expect(prefixed.stdout.hasPrefix("dialing "), "\(prefixed.summary)")

        // Not connected: FAILED_PRECONDITION, its name and message on stderr, exit status 1.
        let refused = try PeerctlRunner.run(["disconnect", bad, "--socket", peerd.socketPath])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("peerctl: FAILED_PRECONDITION: "), "\(refused.summary)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    @Test("disconnect --all, and the host's connection status in status and watch")
    func disconnectAllAndConnectionStatus() throws {
        let peerd = try PeerdProcess()
        let host = try ScriptedHost(socketPath: peerd.socketPath)
        try host.attach(
            SidecarHostTests.hello(connections: [
                SidecarHostTests.opened(51, conn: 1, direction: .outbound), SidecarHostTests.opened(52, conn: 2),
            ]))
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        func connectionStatus() throws -> String? {
            try PeerctlRunner.run(["status", "--json", "--socket", peerd.socketPath]).json?["connection_status"]
                as? String
        }
        try waitFor(peerd) {
            (try admin.call("GetStatistics", PeerManagerV1.GetStatisticsRequest()) as PeerManagerV1.Statistics)
                .connected == 2
        }
        #expect(try connectionStatus() == "disconnected")

        let watcher = try PeerctlRunner.start(
            ["watch", "--connection-status", "--json", "--socket", peerd.socketPath], directory: peerd.directory,
            name: "watch")
        defer { watcher.kill(SIGKILL) }
        func events() -> [[String: Any]] {
            watcher.stdout().split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        // The watcher registers asynchronously: add probe peers until their events show up.
        var probe = 1000
        try waitFor(peerd) {
            probe += 1
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(probe))))
            return !events().isEmpty
        }
        // A connected relay peer: nwaku's status becomes partially connected (1 to 3 relay peers).
        // Its agent carries a terminal escape sequence (a remote peer chooses its agent string).
        try host.send(
            .identified(
                .init(peerID: TestPeers.id(51), protocols: ["/vac/waku/relay/2.0.0"], agent: "evil\u{1B}[2J")))
        try waitFor(peerd) {
            events().contains {
                $0["type"] as? String == "connection_status" && $0["status"] as? String == "partially_connected"
                    && $0["previous"] as? String == "disconnected"
            }
        }
        #expect(try connectionStatus() == "partially_connected")
        let human = try PeerctlRunner.run(["status", "--socket", peerd.socketPath])
        #expect(human.stdout.hasPrefix("connection status: partially_connected\n"), "\(human.summary)")

        // The human view shows the escape as text; the JSON view carries the agent as sent, escaped by JSON.
        let got = try PeerctlRunner.run(["peers", "get", TestPeers.id(51), "--socket", peerd.socketPath])
        #expect(
            got.stdout.split(separator: "\n").contains { $0.hasPrefix("agent:") && $0.hasSuffix(" evil\\x1b[2J") },
            "\(got.summary)")
        #expect(!got.stdout.unicodeScalars.contains("\u{1B}"))
        let json = try PeerctlRunner.run(["peers", "get", TestPeers.id(51), "--json", "--socket", peerd.socketPath])
        #expect(json.json?["agent"] as? String == "evil\u{1B}[2J", "\(json.summary)")

        let all = try PeerctlRunner.run(["disconnect", "--all", "--json", "--socket", peerd.socketPath])
        #expect((all.json?["disconnected"] as? NSNumber)?.intValue == 2, "\(all.summary)")
        var ordered = Set<String>()
        while ordered.count < 2 {
            if case .disconnect(let disconnect)? = try host.nextCommand().command { ordered.insert(disconnect.peerID) }
        }
        #expect(ordered == [TestPeers.id(51), TestPeers.id(52)])
    }

    @Test("Errors: the status name and message on stderr, exit status 1; bad arguments 64")
    func errors() throws {
        let peerd = try PeerdProcess()
        let socket = ["--socket", peerd.socketPath]
        let cases: [(arguments: [String], prefix: String)] = [
            (["peers", "get", TestPeers.id(5)], "peerctl: NOT_FOUND: "),
            (["connect", TestPeers.id(5)], "peerctl: FAILED_PRECONDITION: "),
            (["reconnect"], "peerctl: FAILED_PRECONDITION: "),
            (["disconnect", "--all"], "peerctl: FAILED_PRECONDITION: "),
            (["can-connect", "not-a-peer-id"], "peerctl: INVALID_ARGUMENT: "),
        ]
        for (arguments, prefix) in cases {
            let run = try PeerctlRunner.run(arguments + socket)
            #expect(run.status == 1, "\(arguments): \(run.summary)")
            #expect(run.stderr.hasPrefix(prefix), "\(arguments): \(run.summary)")
            #expect(run.stdout.isEmpty, "\(arguments): \(run.summary)")
        }
        for arguments in [
            ["peers", "list", "--connectedness", "sometimes"], ["watch", "--count", "0"],
            ["connect", TestPeers.id(5), "--timeout", "nan"], ["disconnect"], ["disconnect", TestPeers.id(5), "--all"],
        ] {
            let run = try PeerctlRunner.run(arguments + socket)
            #expect(run.status == 64, "\(arguments): \(run.summary)")
        }
    }

    @Test("watch --count: human lines, then exit 0")
    func watchCount() throws {
        let peerd = try PeerdProcess()
        let watcher = try PeerctlRunner.start(
            ["watch", "--peer-events-only", "--count", "2", "--socket", peerd.socketPath], directory: peerd.directory,
            name: "watch")
        defer { watcher.kill(SIGKILL) }
        // The watcher registers asynchronously: keep adding peers until it has seen two events.
        let admin = try PeerManagerClient(socketPath: peerd.socketPath)
        for n in 1...100 where watcher.isRunning {
            let _: PeerManagerV1.AddPeerResponse = try admin.call(
                "AddPeer", PeerManagerV1.AddPeerRequest(source: .peer(TestPeers.peer(n))))
            usleep(50_000)
        }
        #expect(watcher.wait(timeout: .seconds(10)) == 0, "\(watcher.stderr())")
        let lines = watcher.stdout().split(separator: "\n")
        #expect(lines.count == 2, "\(watcher.stdout())")
        #expect(lines.allSatisfy { $0.contains("  peer      added  ") }, "\(watcher.stdout())")
    }

    @Test(
        "--help explains each subcommand with an example",
        arguments: [
            ["health"], ["info"], ["status"], ["config"], ["peers", "list"], ["peers", "get"], ["peers", "add"],
            ["peers", "remove"], ["select"], ["connected"], ["connect"], ["disconnect"], ["reconnect"],
            ["can-connect"], ["protect"], ["unprotect"], ["service-peer", "add"], ["service-peer", "remove"],
            ["watch"],
        ])
    func help(arguments: [String]) throws {
        let run = try PeerctlRunner.run(arguments + ["--help"])
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdout.contains("Example"), "\(run.summary)")
        #expect(run.stdout.contains("--socket"), "\(run.summary)")
        #expect(run.stdout.contains("--json"), "\(run.summary)")
    }
}
