import ArgumentParser
import PeerClient
import PeerWire

struct ListPeers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List peers, optionally filtered, one page (ListPeers).",
        discussion: """
            A table with each peer's id (shortened; --wide for whole ids), origin, connectedness, \
            direction, protocols (without /vac/waku/), relay shards (cluster/shards), consecutive \
            failed dials and when policy may dial it again. Peers are sorted by id; a page ends \
            with how to ask for the next one, or use --all. With --json: {"total", \
            "next_page_token", "peers": [...]}.

            Example: peerctl peers list --protocol /vac/waku/relay/2.0.0 --connectedness connected
            Example: peerctl peers list --protocol /vac/waku --prefix --all --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Only peers supporting this protocol.") var `protocol`: String?
    @Flag(help: "Match --protocol as a prefix (e.g. /vac/waku).") var prefix = false
    @Option(help: "\(WireJSON.connectednessNames.joined(separator: ", ")).") var connectedness: String?
    @Option(help: "\(WireJSON.directionNames.joined(separator: ", ")).") var direction: String?
    @Option(help: "\(WireJSON.originNames.joined(separator: ", ")).") var origin: String?
    @Option(help: "Only peers in this relay shard (of --cluster, or peerd's cluster).") var shard: UInt32?
    @Option(help: "The cluster of --shard.") var cluster: UInt32?
    @Option(help: "Peers per page (at most 1000).") var limit: UInt32 = 100
    @Option(help: "The next_page_token of the previous page.") var pageToken: String?
    @Flag(help: "Follow next_page_token to the last page.") var all = false

    func validate() throws {
        _ = try request()
        if limit == 0 || limit > 1000 { throw ValidationError("--limit must be 1 to 1000") }
    }

    func request() throws -> PeerManagerV1.ListPeersRequest {
        PeerManagerV1.ListPeersRequest(
            protocol: self.protocol ?? "", protocolPrefix: prefix,
            connectedness: try WireName.parse(connectedness, in: WireJSON.connectednessNames, option: "--connectedness")
                .map(PeerManagerV1.Connectedness.init(rawValue:)),
            direction: try WireName.parse(direction, in: WireJSON.directionNames, option: "--direction")
                .map(PeerManagerV1.Direction.init(rawValue:)),
            origin: try WireName.parse(origin, in: WireJSON.originNames, option: "--origin")
                .map(PeerManagerV1.Origin.init(rawValue:)),
            clusterID: cluster, shard: shard, pageSize: limit, pageToken: pageToken ?? "")
    }

    /// At most this many pages with --all (a million peers at --limit 1000, beyond any Waku
    /// node's store). When the cap stops the loop, the output still carries the next page token.
    static let maxPages = 1000

    func run() async throws {
        var request = try request()
        let output = self.output
        let followAll = all
        let (response, context) = try await withPeerd(connection) { peerd in
            var response = try await peerd.peerManager.listPeers(request, options: .peerctl)
            // --all: every page; stop too when peerd repeats a token, sends an empty page or more
            // pages than a store can fill, so a misbehaving server cannot keep this loop going.
            var pages = 1
            while followAll, pages < Self.maxPages, !response.nextPageToken.isEmpty,
                response.nextPageToken != request.pageToken
            {
                pages += 1
                request.pageToken = response.nextPageToken
                let page = try await peerd.peerManager.listPeers(request, options: .peerctl)
                response.peers += page.peers
                response.nextPageToken = page.peers.isEmpty ? "" : page.nextPageToken
            }
            return (response, output.json ? nil : try await peerd.tableContext(output))
        }
        try Output.show(
            output,
            json: {
                [
                    "total": response.total, "next_page_token": response.nextPageToken,
                    "peers": response.peers.map(WireJSON.peer),
                ]
            },
            human: {
                var text = context.map { PeerTable.table(response.peers, $0).render() } ?? ""
                text += "\(response.peers.count) of \(response.total) peers"
                if !response.nextPageToken.isEmpty { text += "; next page: --page-token \(response.nextPageToken)" }
                return text + "\n"
            })
    }
}
