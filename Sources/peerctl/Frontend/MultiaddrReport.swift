import PeerIdentity

/// The JSON shape of `peerctl multiaddr parse`.
enum MultiaddrReport {
    static func json(_ address: Multiaddr) -> [String: Any] {
        var object: [String: Any] = [
            "valid": true,
            "multiaddr": address.description,
            "bytes": Hex.encode(address.bytes),
            "components": address.components.map { component -> [String: Any] in
                var entry: [String: Any] = ["protocol": component.protocol.name, "code": component.protocol.code]
                if let value = component.valueText { entry["value"] = value }
                return entry
            },
        ]
        if let peerID = address.peerID {
            object["peer_id"] = peerID.description
            object["without_peer_id"] = address.withoutPeerID.description
        }
        if let ip = address.ipAddress { object["ip_address"] = ip }
        do {
            _ = try RemotePeerInfo(multiaddr: address)
            object["dialable"] = true
        } catch {
            object["dialable"] = false
            object["not_dialable_reason"] = error.description
        }
        return object
    }
}
