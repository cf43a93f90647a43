import PeerCore
import PeerIdentity

/// A field of a line that is missing or does not parse; the decoder adds the line number.
struct TraceFieldError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The names the trace uses for the engine's enumerations: stable snake_case words, not Swift
/// descriptions, so a renamed case cannot change the format.
enum TraceNames {
    static func direction(_ direction: PeerDirection) -> String {
        switch direction {
        case .unknown: "unknown"
        case .inbound: "inbound"
        case .outbound: "outbound"
        }
    }

    static func direction(_ text: String?) throws(TraceFieldError) -> PeerDirection {
        switch text {
        case "unknown": .unknown
        case "inbound": .inbound
        case "outbound": .outbound
        default: throw TraceFieldError("direction: expected inbound, outbound or unknown")
        }
    }

    static func origin(_ origin: PeerOrigin) -> String {
        switch origin {
        case .unknown: "unknown"
        case .discv5: "discv5"
        case .static: "static"
        case .peerExchange: "peer_exchange"
        case .dns: "dns"
        case .kademlia: "kademlia"
        case .cache: "cache"
        }
    }

    static func origin(_ text: String?) throws(TraceFieldError) -> PeerOrigin {
        guard let text else { return .unknown }
        for origin in PeerOrigin.allCases where self.origin(origin) == text { return origin }
        throw TraceFieldError("origin: unknown origin")
    }

    /// Whole milliseconds, saturating (a trace keeps commands' timeouts to the millisecond).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds > 0 ? .max : .min }
        let (sum, overflowSum) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowSum ? (seconds > 0 ? .max : .min) : sum
    }
}

extension TraceLine {
    // MARK: - Field readers (each throws naming the field)

    static func required<T>(_ value: T?, _ name: String) throws(TraceFieldError) -> T {
        guard let value else { throw TraceFieldError("\(name): missing") }
        return value
    }

    static func peerID(_ text: String?, _ name: String = "peer") throws(TraceFieldError) -> PeerID {
        let text = try required(text, name)
        do { return try PeerID(text) } catch { throw TraceFieldError("\(name): \(error)") }
    }

    static func multiaddr(_ text: String, _ name: String) throws(TraceFieldError) -> Multiaddr {
        do { return try Multiaddr(text) } catch { throw TraceFieldError("\(name): \(error)") }
    }

    static func multiaddrs(_ texts: [String]?, _ name: String) throws(TraceFieldError) -> [Multiaddr] {
        var addresses: [Multiaddr] = []
        for text in texts ?? [] { addresses.append(try multiaddr(text, name)) }
        return addresses
    }

    static func publicKey(_ text: String?) throws(TraceFieldError) -> [UInt8]? {
        guard let text else { return nil }
        guard let bytes = Hex.decode(text) else { throw TraceFieldError("public_key: not hex") }
        return bytes
    }

    static func duration(_ milliseconds: Int64?, _ name: String) throws(TraceFieldError) -> Duration {
        let milliseconds = try required(milliseconds, name)
        guard milliseconds >= 0 else { throw TraceFieldError("\(name): negative") }
        return .milliseconds(milliseconds)
    }

    static func enrInfo(_ text: String) throws(TraceFieldError) -> PeerENRInfo {
        do {
            let enr = try ENR(text)
            return PeerENRInfo(
                sequence: enr.seq, text: text, relayShards: enr.relayShards, capabilities: enr.waku2 ?? [])
        } catch {
            throw TraceFieldError("enr: \(error)")
        }
    }

    // MARK: - Records to lines

    init(_ entry: TraceEntry) {
        self.init()
        tMs = entry.milliseconds
        switch entry.record {
        case .event(let event):
            kind = "event"
            setEvent(event)
        case .peerAdded(let info, let origin):
            kind = "peer_added"
            peer = info.id.description
            addresses = info.addresses.map(\.description)
            protocols = info.protocols.isEmpty ? nil : info.protocols
            publicKey = info.publicKey.map(Hex.encode)
            agent = info.agent
            protocolVersion = info.protocolVersion
            enr = info.enr?.text
            self.origin = TraceNames.origin(origin)
        case .command(let issued):
            kind = "command"
            setCommand(issued)
        case .session(.attached(let id, let selfID, let clusterID, let shards, let online, let takeOver)):
            kind = "session"
            session = "attach"
            self.id = id
            self.selfID = selfID.description
            cluster = clusterID
            self.shards = shards
            self.online = online
            self.takeOver = takeOver
        case .session(.detached(let id, let reason)):
            kind = "session"
            session = "detach"
            self.id = id
            self.reason = reason
        case .gap(let dropped):
            kind = "gap"
            self.dropped = dropped
        }
    }

    private mutating func setEvent(_ event: HostEvent) {
        switch event {
        case .connectionOpened(let id, let peer, let direction, let observed):
            self.event = "connection_opened"
            connection = id.rawValue
            self.peer = peer.description
            self.direction = TraceNames.direction(direction)
            observedAddress = observed?.description
        case .connectionClosed(let id):
            self.event = "connection_closed"
            connection = id.rawValue
        case .streamOpened(let peer, let protocolID, let direction),
            .streamClosed(let peer, let protocolID, let direction):
            if case .streamOpened = event { self.event = "stream_opened" } else { self.event = "stream_closed" }
            self.peer = peer.description
            self.protocol = protocolID
            self.direction = TraceNames.direction(direction)
        case .identified(let peer, let info):
            self.event = "identified"
            self.peer = peer.description
            protocols = info.protocols
            agent = info.agent
            protocolVersion = info.protocolVersion
            publicKey = info.publicKey.map(Hex.encode)
            listenAddresses = info.listenAddresses.map(\.description)
        case .metadata(let peer, let result):
            self.event = "metadata"
            self.peer = peer.description
            metadata = MetadataFields(result)
        case .commandCompleted(let id, let outcome):
            self.event = "command_completed"
            self.id = id.rawValue
            switch outcome {
            case .succeeded: self.outcome = "succeeded"
            case .failed(let reason):
                self.outcome = "failed"
                self.reason = reason
            case .timedOut: self.outcome = "timed_out"
            case .metadata(let result):
                self.outcome = "metadata"
                metadata = MetadataFields(result)
            }
        case .networkReachability(let online):
            self.event = "network_reachability"
            self.online = online
        }
    }

    private mutating func setCommand(_ issued: IssuedCommand) {
        id = issued.id.rawValue
        switch issued.command {
        case .dial(let peer, let addresses, let timeout, let protocolID):
            command = "dial"
            self.peer = peer.description
            self.addresses = addresses.map(\.description)
            timeoutMs = TraceNames.milliseconds(timeout)
            self.protocol = protocolID
        case .disconnect(let peer, let reason):
            command = "disconnect"
            self.peer = peer.description
            self.reason = reason.rawValue
        case .requestMetadata(let peer, let timeout):
            command = "request_metadata"
            self.peer = peer.description
            timeoutMs = TraceNames.milliseconds(timeout)
        case .requestDiscovery(let clusterID, let shard, let wanted):
            command = "request_discovery"
            cluster = clusterID
            self.shard = shard
            self.wanted = wanted
        }
    }

    // MARK: - Lines to records

    /// The record of a line whose `kind` is known; nil when it is not (the decoder decides).
    func record() throws(TraceFieldError) -> TraceRecord? {
        switch try Self.required(kind, "kind") {
        case "event": return .event(try hostEvent())
        case "peer_added":
            let info = PeerInfo(
                id: try Self.peerID(peer), addresses: try Self.multiaddrs(addresses, "addresses"),
                protocols: protocols ?? [], publicKey: try Self.publicKey(publicKey), agent: agent,
                protocolVersion: protocolVersion,
                enr: try enr.map { text throws(TraceFieldError) in try Self.enrInfo(text) })
            return .peerAdded(info, origin: try TraceNames.origin(origin))
        case "command": return .command(try issuedCommand())
        case "session":
            let id = try Self.required(id, "id")
            switch session {
            case "attach":
                return .session(
                    .attached(
                        id: id, selfID: try Self.peerID(self.selfID, "self"), clusterID: cluster, shards: shards ?? [],
                        online: online ?? true, takeOver: takeOver ?? false))
            case "detach": return .session(.detached(id: id, reason: reason ?? ""))
            default: throw TraceFieldError("session: expected attach or detach")
            }
        case "gap": return .gap(dropped: try Self.required(dropped, "dropped"))
        default: return nil
        }
    }

    private func hostEvent() throws(TraceFieldError) -> HostEvent {
        switch try Self.required(event, "event") {
        case "connection_opened":
            return .connectionOpened(
                ConnectionID(try Self.required(connection, "connection")), peer: try Self.peerID(peer),
                direction: try TraceNames.direction(direction),
                observedAddress: try observedAddress.map { text throws(TraceFieldError) in
                    try Self.multiaddr(text, "observed_address")
                })
        case "connection_closed":
            return .connectionClosed(ConnectionID(try Self.required(connection, "connection")))
        case "stream_opened":
            return .streamOpened(
                peer: try Self.peerID(peer), protocolID: try Self.required(self.protocol, "protocol"),
                direction: try TraceNames.direction(direction))
        case "stream_closed":
            return .streamClosed(
                peer: try Self.peerID(peer), protocolID: try Self.required(self.protocol, "protocol"),
                direction: try TraceNames.direction(direction))
        case "identified":
            return .identified(
                peer: try Self.peerID(peer),
                IdentifyInfo(
                    protocols: protocols ?? [], agent: agent, protocolVersion: protocolVersion,
                    publicKey: try Self.publicKey(publicKey),
                    listenAddresses: try Self.multiaddrs(listenAddresses, "listen_addresses")))
        case "metadata":
            return .metadata(peer: try Self.peerID(peer), try Self.required(metadata, "metadata").result())
        case "command_completed":
            let id = CommandID(try Self.required(id, "id"))
            switch try Self.required(outcome, "outcome") {
            case "succeeded": return .commandCompleted(id, .succeeded)
            case "failed": return .commandCompleted(id, .failed(reason: reason ?? ""))
            case "timed_out": return .commandCompleted(id, .timedOut)
            case "metadata":
                return .commandCompleted(id, .metadata(try Self.required(metadata, "metadata").result()))
            default: throw TraceFieldError("outcome: expected succeeded, failed, timed_out or metadata")
            }
        case "network_reachability":
            return .networkReachability(online: try Self.required(online, "online"))
        default: throw TraceFieldError("event: unknown event")
        }
    }

    private func issuedCommand() throws(TraceFieldError) -> IssuedCommand {
        let id = CommandID(try Self.required(id, "id"))
        switch try Self.required(command, "command") {
        case "dial":
            return IssuedCommand(
                id: id,
                command: .dial(
                    peer: try Self.peerID(peer), addresses: try Self.multiaddrs(addresses, "addresses"),
                    timeout: try Self.duration(timeoutMs, "timeout_ms"), protocolID: self.protocol))
        case "disconnect":
            let text = try Self.required(reason, "reason")
            guard let reason = DecisionReason(rawValue: text) else { throw TraceFieldError("reason: unknown reason") }
            return IssuedCommand(id: id, command: .disconnect(peer: try Self.peerID(peer), reason: reason))
        case "request_metadata":
            return IssuedCommand(
                id: id,
                command: .requestMetadata(
                    peer: try Self.peerID(peer), timeout: try Self.duration(timeoutMs, "timeout_ms")))
        case "request_discovery":
            guard let wanted = wanted, wanted >= 0 else { throw TraceFieldError("wanted: missing or negative") }
            return IssuedCommand(
                id: id,
                command: .requestDiscovery(
                    clusterID: try Self.required(cluster, "cluster"), shard: try Self.required(shard, "shard"),
                    wanted: wanted))
        default: throw TraceFieldError("command: unknown command")
        }
    }
}

extension TraceLine.MetadataFields {
    init(_ result: MetadataResult) {
        switch result {
        case .received(let clusterID, let shards): self.init(cluster: clusterID, shards: shards, failed: nil)
        case .failed(let reason): self.init(cluster: nil, shards: nil, failed: reason)
        }
    }

    func result() -> MetadataResult {
        if let failed { return .failed(reason: failed) }
        return .received(clusterID: cluster, shards: shards ?? [])
    }
}
