import ArgumentParser
import PeerWire

struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers", abstract: "Inspect and change peerd's peer store.",
        subcommands: [ListPeers.self, GetPeer.self, AddPeer.self, RemovePeer.self, SelectPeers.self])
}

struct ListPeers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List peers, optionally filtered (JSON, one page).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only peers supporting this protocol.") var `protocol`: String?
    @Flag(help: "Match --protocol as a prefix (e.g. /vac/waku).") var prefix = false
    @Option(help: "not_connected, cannot_connect, can_connect or connected.") var connectedness: String?
    @Option(help: "Peers per page (at most 1000).") var limit: UInt32 = 100
    @Option(help: "The next_page_token of the previous page.") var pageToken: String?

    func validate() throws {
        if let connectedness, !WireJSON.connectednessNames.contains(connectedness) {
            throw ValidationError(
                "--connectedness must be one of \(WireJSON.connectednessNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        try runClient {
            let request = PeerManagerV1.ListPeersRequest(
                protocol: self.protocol ?? "", protocolPrefix: prefix,
                connectedness: connectedness.flatMap { WireJSON.connectednessNames.firstIndex(of: $0) }.map {
                    PeerManagerV1.Connectedness(rawValue: Int32($0))
                },
                pageSize: limit, pageToken: pageToken ?? "")
            let response: PeerManagerV1.ListPeersResponse = try connection.connect().call(
                PeerManagerCommand.service, "ListPeers", request)
            try JSONOutput.print([
                "total": response.total, "next_page_token": response.nextPageToken,
                "peers": response.peers.map(WireJSON.peer),
            ])
        }
    }
}

struct GetPeer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show everything known about a peer.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The peer id (16Uiu2..., 12D3KooW...).") var peerID: String

    func run() throws {
        try runClient {
            let peer: PeerManagerV1.Peer = try connection.connect().call(
                PeerManagerCommand.service, "GetPeer", PeerManagerV1.GetPeerRequest(peerID: peerID))
            try JSONOutput.print(WireJSON.peer(peer))
        }
    }
}

struct AddPeer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a peer from a multiaddr with /p2p or an ENR.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "/ip4/.../tcp/.../p2p/<id> or enr:...") var address: String
    @Option(help: "Origin: \(WireJSON.originNames.joined(separator: ", ")).") var origin = "static"

    func validate() throws {
        guard WireJSON.originNames.contains(origin) else {
            throw ValidationError("--origin must be one of \(WireJSON.originNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        try runClient {
            let request = PeerManagerV1.AddPeerRequest(
                source: .address(address),
                origin: PeerManagerV1.Origin(rawValue: Int32(WireJSON.originNames.firstIndex(of: origin)!)))
            let response: PeerManagerV1.AddPeerResponse = try connection.connect().call(
                PeerManagerCommand.service, "AddPeer", request)
            try JSONOutput.print(response.peer.map(WireJSON.peer) ?? [:])
        }
    }
}

struct RemovePeer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a peer from the store.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The peer id.") var peerID: String

    func run() throws {
        try runClient {
            let response: PeerManagerV1.RemovePeerResponse = try connection.connect().call(
                PeerManagerCommand.service, "RemovePeer", PeerManagerV1.RemovePeerRequest(peerID: peerID))
            try JSONOutput.print(["peer_id": peerID, "removed": response.removed])
        }
    }
}

struct SelectPeers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select", abstract: "Select peers for a protocol, as peerd would for the node.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The protocol, e.g. /vac/waku/store-query/3.0.0.") var `protocol`: String
    @Option(help: "A pubsub topic /waku/2/rs/<cluster>/<shard>.") var topic: String?
    @Option(help: "A shard in peerd's cluster.") var shard: UInt32?
    @Option(help: "How many peers (0: all that fit).") var count: UInt32 = 1

    func run() throws {
        try runClient {
            let request = PeerManagerV1.SelectPeersRequest(
                protocol: self.protocol, shard: shard, pubsubTopic: topic ?? "", count: count)
            let response: PeerManagerV1.SelectPeersResponse = try connection.connect().call(
                PeerManagerCommand.service, "SelectPeers", request)
            try JSONOutput.print(["peers": response.peers.map(WireJSON.peer)])
        }
    }
}
